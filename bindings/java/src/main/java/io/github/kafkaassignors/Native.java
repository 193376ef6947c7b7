package io.github.kafkaassignors;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The native library and its one entry point. The library is bundled in the
 * jar under {@code io/github/kafkaassignors/native/PLATFORM/}, extracted to a
 * temporary file and loaded on first use; the system property
 * {@code kafka.assignors.native.library} names a file to load instead.
 */
final class Native {
    /** The platforms the jar bundles a library for. */
    static final String BUNDLED = "linux-x86_64";

    private static final Object LOCK = new Object();
    private static volatile boolean loaded;

    private Native() {}

    /**
     * The whole assignment: the group's names (UTF-8, one after the other)
     * and its int layout in, the answer's ints out (the layout is documented
     * in the native crate, bindings/java/native/src/lib.rs).
     */
    private static native int[] assign(byte[] names, int[] group);

    static int[] call(byte[] names, int[] group) {
        load();
        return assign(names, group);
    }

    /** This JVM's platform as the jar names it, such as {@code linux-x86_64}. */
    static String platform() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            os = "linux";
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            os = "macos";
        } else if (os.startsWith("windows")) {
            os = "windows";
        }
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            arch = "x86_64";
        } else if (arch.equals("arm64")) {
            arch = "aarch64";
        }
        return os + "-" + arch;
    }

    private static String fileName(String platform) {
        if (platform.startsWith("windows")) {
            return "kafka_assignors_jni.dll";
        }
        return platform.startsWith("macos") ? "libkafka_assignors_jni.dylib" : "libkafka_assignors_jni.so";
    }

    static void load() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            String override = System.getProperty("kafka.assignors.native.library");
            if (override != null && !override.isEmpty()) {
                System.load(Path.of(override).toAbsolutePath().toString());
                loaded = true;
                return;
            }
            String platform = platform();
            String resource = "native/" + platform + "/" + fileName(platform);
            try (InputStream in = Native.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new AssignorException("kafka-assignors: no native library bundled for platform "
                            + platform + " (this jar bundles " + BUNDLED
                            + "); set -Dkafka.assignors.native.library=FILE to load one built for it");
                }
                Path file = Files.createTempFile("kafka-assignors-jni-", "-" + fileName(platform));
                file.toFile().deleteOnExit();
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                System.load(file.toAbsolutePath().toString());
            } catch (IOException e) {
                throw new AssignorException("kafka-assignors: cannot extract the native library for "
                        + platform + ": " + e.getMessage(), e);
            }
            loaded = true;
        }
    }
}
