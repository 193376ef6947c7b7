package io.github.kafkaassignors;

/**
 * The native library's broker-side entry point: one KIP-848 target
 * assignment per call. The library is the one {@link Native} loads (bundled
 * in the jar, or {@code -Dkafka.assignors.native.library=FILE}).
 */
final class ServerNative {
    /** Layout version of the group array (bindings/java/native/src/server_entry.rs). */
    static final int LAYOUT_VERSION = 1;
    /** Assignor codes. */
    static final int UNIFORM = 0;
    static final int RANGE = 1;
    /** The answer's entry for a member whose target does not change. */
    static final int UNCHANGED = -1;

    private ServerNative() {}

    /**
     * The whole target assignment: the names (UTF-8, one after the other),
     * the topic ids (two longs each) and the group's int layout in, the
     * answer's ints out; the layouts are documented in the native crate,
     * bindings/java/native/src/server_entry.rs.
     */
    private static native int[] assign(byte[] names, long[] topics, int[] group);

    static int[] call(byte[] names, long[] topics, int[] group) {
        Native.load();
        return assign(names, topics, group);
    }
}
