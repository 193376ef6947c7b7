package io.github.kafkaassignors;

/**
 * {@code roundrobin}: the Java client's {@code RoundRobinAssignor}, answer for
 * answer, computed by the native library in one call.
 * Use it with {@code partition.assignment.strategy=io.github.kafkaassignors.RoundRobinAssignor}.
 */
public class RoundRobinAssignor extends JavaOrderAssignor {
    /** The strategy name, the Java client's. */
    public static final String ROUNDROBIN_ASSIGNOR_NAME = "roundrobin";

    /** The assignor; the consumer creates it by class name. */
    public RoundRobinAssignor() {
        super(Bridge.ROUNDROBIN);
    }

    @Override
    public String name() {
        return ROUNDROBIN_ASSIGNOR_NAME;
    }
}
