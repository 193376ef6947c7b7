package io.github.kafkaassignors;

import java.lang.ref.SoftReference;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * The answer's {@link TopicPartition} objects, kept by an assignor from one
 * assignment to the next: a leader assigns the same topics at every
 * rebalance, and building a new object per assigned partition (a million
 * on the largest groups measured) is most of what the Java side of an
 * assignment costs. A {@code TopicPartition} is immutable, so handing the
 * same object out again is the same answer.
 *
 * <p>What is kept is the last assignment's topics only (a topic that left
 * the metadata is dropped at the next assignment), one object per
 * partition given out, and it is softly reachable: the garbage collector
 * clears it before it would run out of memory, and the next assignment
 * builds the objects again.
 */
final class PartitionObjects {
    private volatile SoftReference<Map<String, TopicPartition[]>> kept = new SoftReference<>(null);

    /** One assignment's tables: begin, {@link Tables#table} per topic, {@link Tables#keep}. */
    Tables begin(int names) {
        Map<String, TopicPartition[]> previous = kept.get();
        return new Tables(previous == null ? Map.of() : previous, names);
    }

    /** The tables of one assignment, by name id. */
    final class Tables {
        private final Map<String, TopicPartition[]> previous;
        private final TopicPartition[][] byName;
        private final Map<String, TopicPartition[]> next = new HashMap<>();

        private Tables(Map<String, TopicPartition[]> previous, int names) {
            this.previous = previous;
            this.byName = new TopicPartition[names][];
        }

        /**
         * The objects of topic {@code name} (name id {@code id}) with {@code
         * partitions} partitions: the last assignment's when it had as many,
         * else those it had, in a table of the new size.
         */
        TopicPartition[] table(int id, String name, int partitions) {
            TopicPartition[] table = byName[id];
            if (table != null) {
                return table;
            }
            table = previous.get(name);
            if (table == null) {
                table = new TopicPartition[partitions];
            } else if (table.length != partitions) {
                table = Arrays.copyOf(table, partitions);
            }
            byName[id] = table;
            if (partitions > 0) {
                next.put(name, table);
            }
            return table;
        }

        /** Keeps this assignment's tables for the next one, in place of the last. */
        void keep() {
            kept = new SoftReference<>(next);
        }
    }

    /** Partition {@code partition} of the topic named {@code name}, from {@code table} if it is in range. */
    static TopicPartition get(TopicPartition[] table, String name, int partition) {
        if (partition < 0 || partition >= table.length) {
            return new TopicPartition(name, partition);
        }
        TopicPartition tp = table[partition];
        if (tp == null) {
            tp = new TopicPartition(name, partition);
            table[partition] = tp;
        }
        return tp;
    }
}
