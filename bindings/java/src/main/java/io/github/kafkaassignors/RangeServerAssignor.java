package io.github.kafkaassignors;

/**
 * The broker-side (KIP-848) {@code range} of the library, named
 * {@code kassign-range}: exactly the answers of Kafka's server-side
 * {@code RangeAssignor} (co-partitioned ranges, static members ordered by
 * instance id), computed natively. Choose it on a consumer with
 * {@code group.remote.assignor=kassign-range}.
 */
public final class RangeServerAssignor extends ServerAssignor {
    /** The name a consumer chooses it by ({@code group.remote.assignor}). */
    public static final String NAME = "kassign-range";

    /** The assignor; the broker makes one by reflection. */
    public RangeServerAssignor() {
        super(ServerNative.RANGE);
    }

    @Override
    public String name() {
        return NAME;
    }
}
