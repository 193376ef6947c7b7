package io.github.kafkaassignors;

/**
 * {@code range}: the Java client's {@code RangeAssignor}, answer for answer
 * (rack-aware variant included), computed by the native library in one call.
 * Use it with {@code partition.assignment.strategy=io.github.kafkaassignors.RangeAssignor}.
 */
public class RangeAssignor extends JavaOrderAssignor {
    /** The strategy name, the Java client's. */
    public static final String RANGE_ASSIGNOR_NAME = "range";

    /** The assignor; the consumer creates it by class name. */
    public RangeAssignor() {
        super(Bridge.RANGE);
    }

    @Override
    public String name() {
        return RANGE_ASSIGNOR_NAME;
    }
}
