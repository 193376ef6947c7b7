package io.github.kafkaassignors;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.TopicPartition;

/**
 * The {@code sticky} strategy's user data, read as the Java client's
 * {@code StickyAssignor} reads it (which also writes it): V1 is an array of (topic as an
 * INT16-length string, partitions as an INT32 array) and the generation as
 * an INT32; V0 is the array alone. Reading tries V1, then V0, and reads data
 * that is neither as no partitions at generation -1. Kept compact (names and
 * int arrays, no object per partition) for the leader's path.
 */
final class StickyUserData {
    final String[] topics;
    final int[][] partitions;
    final Optional<Integer> generation;

    StickyUserData(String[] topics, int[][] partitions, Optional<Integer> generation) {
        this.topics = topics;
        this.partitions = partitions;
        this.generation = generation;
    }

    static final StickyUserData NONE = new StickyUserData(new String[0], new int[0][], Optional.empty());

    int partitionCount() {
        int n = 0;
        for (int[] p : partitions) {
            n += p.length;
        }
        return n;
    }

    List<TopicPartition> partitionList() {
        List<TopicPartition> out = new ArrayList<>(partitionCount());
        for (int k = 0; k < topics.length; k++) {
            for (int p : partitions[k]) {
                out.add(new TopicPartition(topics[k], p));
            }
        }
        return out;
    }

    /** Reads user data as the Java client does; never throws. */
    static StickyUserData decode(ByteBuffer data) {
        if (data == null || !data.hasRemaining()) {
            return NONE;
        }
        try {
            return read(data.duplicate(), true);
        } catch (RuntimeException v1) {
            try {
                return read(data.duplicate(), false);
            } catch (RuntimeException v0) {
                return new StickyUserData(new String[0], new int[0][], Optional.of(-1));
            }
        }
    }

    private static StickyUserData read(ByteBuffer in, boolean withGeneration) {
        int count = in.getInt();
        // Each entry takes at least 2 + 4 bytes.
        if (count < 0 || (long) count * 6 > in.remaining()) {
            throw new IllegalArgumentException("bad array size " + count);
        }
        String[] topics = new String[count];
        int[][] partitions = new int[count][];
        for (int k = 0; k < count; k++) {
            short length = in.getShort();
            if (length < 0 || length > in.remaining()) {
                throw new IllegalArgumentException("bad string length " + length);
            }
            byte[] name = new byte[length];
            in.get(name);
            topics[k] = new String(name, StandardCharsets.UTF_8);
            int n = in.getInt();
            if (n < 0 || (long) n * 4 > in.remaining()) {
                throw new IllegalArgumentException("bad array size " + n);
            }
            int[] ps = new int[n];
            for (int i = 0; i < n; i++) {
                ps[i] = in.getInt();
            }
            partitions[k] = ps;
        }
        Optional<Integer> generation = Optional.empty();
        if (withGeneration) {
            try {
                generation = Optional.of(in.getInt());
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("no generation");
            }
        }
        return new StickyUserData(topics, partitions, generation);
    }
}
