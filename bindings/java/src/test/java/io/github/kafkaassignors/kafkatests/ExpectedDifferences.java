package io.github.kafkaassignors.kafkatests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.TestAbortedException;

/**
 * The build's check of Kafka's suites against ours: a test listed in
 * KAFKA_TESTS.md as an expected difference must fail (it is then reported
 * as skipped, with the listed reason); a listed test that passes fails the
 * build (the list is stale), and so does any unlisted failure.
 *
 * <p>A listed key is {@code Class#method} (every invocation) or
 * {@code Class#method[N]} (the Nth invocation of a parameterized test), in
 * a table row of the file: {@code | `Key` | reason |}.
 */
public final class ExpectedDifferences implements InvocationInterceptor {
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|\\s*([^|]*)\\|");
    private static final Map<String, String> EXPECTED = load();

    private static Map<String, String> load() {
        String file = System.getProperty("kafka.assignors.expected");
        Map<String, String> out = new LinkedHashMap<>();
        if (file == null) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                Matcher m = ROW.matcher(line);
                if (m.find() && m.group(1).contains("#")) {
                    out.put(m.group(1), m.group(2).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String reason(ExtensionContext context, Method method) {
        String base = context.getRequiredTestClass().getSimpleName() + "#" + method.getName();
        String whole = EXPECTED.get(base);
        if (whole != null) {
            return whole;
        }
        // "[N] ..." is how JUnit names the Nth invocation of a parameterized test.
        String display = context.getDisplayName();
        Matcher m = Pattern.compile("^\\[(\\d+)\\]").matcher(display);
        if (m.find()) {
            return EXPECTED.get(base + "[" + m.group(1) + "]");
        }
        return EXPECTED.get(base + "[" + display + "]");
    }

    private static void run(Invocation<Void> invocation, ExtensionContext context, Method method) throws Throwable {
        String reason = reason(context, method);
        if (reason == null) {
            invocation.proceed();
            return;
        }
        try {
            invocation.proceed();
        } catch (AssertionError | RuntimeException failure) {
            throw new TestAbortedException("expected difference (KAFKA_TESTS.md): " + reason
                    + " -- failed with: " + failure);
        }
        throw new AssertionError(context.getRequiredTestClass().getSimpleName() + "#" + method.getName()
                + " " + context.getDisplayName()
                + " is listed in KAFKA_TESTS.md as an expected difference but passed: update the list");
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext extensionContext) throws Throwable {
        run(invocation, extensionContext, invocationContext.getExecutable());
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
                                            ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
        run(invocation, extensionContext, invocationContext.getExecutable());
    }
}
