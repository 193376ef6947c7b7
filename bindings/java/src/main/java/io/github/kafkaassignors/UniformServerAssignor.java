package io.github.kafkaassignors;

/**
 * The broker-side (KIP-848) {@code uniform} of the library, named
 * {@code kassign-uniform}: the most even loads the subscriptions allow, then
 * (when members and replicas carry racks and they meet) the fewest
 * partitions on a member whose rack holds none of their replicas, then the
 * fewest partitions moved from the current target. Independent of member
 * and topic order and stable on its own output. Configure the broker with
 * {@code group.consumer.assignors=io.github.kafkaassignors.UniformServerAssignor,...}
 * and choose it on a consumer with {@code group.remote.assignor=kassign-uniform}.
 */
public final class UniformServerAssignor extends ServerAssignor {
    /** The name a consumer chooses it by ({@code group.remote.assignor}). */
    public static final String NAME = "kassign-uniform";

    /** The assignor; the broker makes one by reflection. */
    public UniformServerAssignor() {
        super(ServerNative.UNIFORM);
    }

    @Override
    public String name() {
        return NAME;
    }
}
