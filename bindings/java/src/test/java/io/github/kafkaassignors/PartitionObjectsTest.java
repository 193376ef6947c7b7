package io.github.kafkaassignors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The answer's partition objects are kept from one assignment to the next:
 * the answers are the ones a fresh assignor gives, the objects the ones
 * given out before, and a topic that grew or shrank gets its new partitions.
 */
class PartitionObjectsTest {
    private static Map<String, Subscription> fresh(int members, List<String> topics) {
        Map<String, Subscription> out = new HashMap<>();
        for (int m = 0; m < members; m++) {
            out.put("c" + m, new Subscription(new ArrayList<>(topics), null, List.of(), -1, Optional.empty()));
        }
        return out;
    }

    private static Map<String, List<PartitionInfo>> metadata(Map<String, Integer> topics) {
        return Groups.metadata(topics, 1, Arrays.asList((String) null));
    }

    /** The same partition object in {@code a}'s and {@code b}'s answers, for every partition of {@code a}. */
    private static void assertSameObjects(Map<String, List<TopicPartition>> a, Map<String, List<TopicPartition>> b) {
        Map<TopicPartition, TopicPartition> first = new HashMap<>();
        a.values().forEach(list -> list.forEach(tp -> first.put(tp, tp)));
        b.values().forEach(list -> list.forEach(tp -> {
            if (first.containsKey(tp)) {
                assertSame(first.get(tp), tp, tp + " is the object given out before");
            }
        }));
    }

    @Test
    void everyStrategyHandsOutTheObjectsOfItsLastAnswer() {
        Map<String, List<PartitionInfo>> metadata = metadata(Map.of("orders", 12, "payments", 5));
        Map<String, Subscription> group = fresh(3, List.of("orders", "payments"));
        List<java.util.function.Supplier<org.apache.kafka.clients.consumer.internals.AbstractPartitionAssignor>> all =
                List.of(RangeAssignor::new, RoundRobinAssignor::new, StickyAssignor::new, CooperativeStickyAssignor::new);
        for (var make : all) {
            var assignor = make.get();
            Map<String, List<TopicPartition>> first = assignor.assignPartitions(metadata, group);
            Map<String, List<TopicPartition>> second = assignor.assignPartitions(metadata, group);
            assertEquals(make.get().assignPartitions(metadata, group), second, assignor.name());
            assertEquals(first, second, assignor.name());
            assertSameObjects(first, second);
            // Another assignor instance keeps its own.
            Map<String, List<TopicPartition>> other = make.get().assignPartitions(metadata, group);
            assertNotSame(first.get("c0").get(0), other.get("c0").get(0), assignor.name());
        }
    }

    @Test
    void aTopicThatGrowsOrShrinksGetsItsPartitionsAndKeepsTheOthers() {
        Map<String, Subscription> group = fresh(2, List.of("orders", "payments"));
        RangeAssignor assignor = new RangeAssignor();
        Map<String, List<TopicPartition>> before = assignor.assignPartitions(metadata(Map.of("orders", 4, "payments", 6)), group);
        for (Map<String, Integer> topics : List.of(Map.of("orders", 8, "payments", 6), Map.of("orders", 3, "payments", 6),
                Map.of("payments", 6), Map.of("orders", 5, "payments", 6))) {
            Map<String, List<PartitionInfo>> metadata = metadata(topics);
            Map<String, List<TopicPartition>> after = assignor.assignPartitions(metadata, group);
            assertEquals(new RangeAssignor().assignPartitions(metadata, group), after, topics.toString());
            int total = after.values().stream().mapToInt(List::size).sum();
            assertEquals(topics.values().stream().mapToInt(Integer::intValue).sum(), total, topics.toString());
            assertSameObjects(before, after);
            before = after;
        }
    }
}
