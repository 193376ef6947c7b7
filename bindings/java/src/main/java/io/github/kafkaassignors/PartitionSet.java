package io.github.kafkaassignors;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable set of partition numbers over one sorted {@code int[]}: the
 * partitions of one topic in a target the server-side assignors answer
 * with. No boxing per partition until a caller iterates; {@code contains}
 * is a binary search. Every mutator throws
 * {@link UnsupportedOperationException}.
 */
final class PartitionSet extends AbstractSet<Integer> {
    private final int[] values;

    /** A set of {@code values}, which it owns; sorted and deduplicated if they are not already. */
    PartitionSet(int[] values) {
        boolean sorted = true;
        for (int i = 1; i < values.length && sorted; i++) {
            sorted = values[i - 1] < values[i];
        }
        if (!sorted) {
            values = Arrays.stream(values).sorted().distinct().toArray();
        }
        this.values = values;
    }

    /** The partitions, ascending (the set's own array: do not change it). */
    int[] values() {
        return values;
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public boolean contains(Object o) {
        return o instanceof Integer i && Arrays.binarySearch(values, i) >= 0;
    }

    @Override
    public Iterator<Integer> iterator() {
        return new Iterator<>() {
            private int at;

            @Override
            public boolean hasNext() {
                return at < values.length;
            }

            @Override
            public Integer next() {
                if (at >= values.length) {
                    throw new NoSuchElementException();
                }
                return values[at++];
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof PartitionSet other) {
            return Arrays.equals(values, other.values);
        }
        return o instanceof Set<?> && super.equals(o);
    }

    @Override
    public int hashCode() {
        // The Set contract: the sum of the elements' hash codes.
        int sum = 0;
        for (int v : values) {
            sum += v;
        }
        return sum;
    }
}
