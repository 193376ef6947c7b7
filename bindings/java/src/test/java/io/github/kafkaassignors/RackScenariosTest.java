package io.github.kafkaassignors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.AbstractStickyAssignor;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Ours against the Java client's own StickyAssignor on the same groups: the
 * groups of Kafka's rack-aware sticky tests (whose exact-answer checks are
 * ties, see KAFKA_TESTS.md), and seeded random groups with racks and owned
 * partitions. Ours must be valid, at least as even (sum of squared loads),
 * at equal evenness have no more partitions off their racks, and at equal
 * racks move no more owned partitions.
 */
class RackScenariosTest {
    private static final Map<String, Integer> TOPICS = Map.of("t1", 6, "t2", 7, "t3", 2);
    private static final List<String> ALL = List.of("t1", "t2", "t3");
    private static final List<String> OWNED = List.of("t1-0, t1-1, t1-2, t1-3, t1-4", "t1-5, t2-0, t2-1, t2-2, t2-3",
            "t2-4, t2-5, t2-6, t3-0, t3-1");

    private static List<String> racks(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(String.valueOf((char) ('a' + i)));
        }
        return out;
    }

    private static List<String> nulls(int n) {
        return Arrays.asList(new String[n]);
    }

    /** One comparison; returns a line describing it. */
    private static String compare(Map<String, List<PartitionInfo>> metadata, Map<String, Subscription> subs,
                                  Map<String, List<TopicPartition>> owned, String what) {
        Map<String, List<TopicPartition>> ours = new StickyAssignor().assignPartitions(metadata, subs);
        Groups.assertValid(metadata, subs, ours);
        Map<String, List<TopicPartition>> java;
        try {
            java = new org.apache.kafka.clients.consumer.StickyAssignor().assignPartitions(metadata, subs);
            Groups.assertValid(metadata, subs, java);
        } catch (RuntimeException | AssertionError e) {
            return what + ": Java failed (" + e + ")";
        }
        long so = Groups.squares(ours);
        long sj = Groups.squares(java);
        assertTrue(so <= sj, what + ": ours less even " + ours + " than Java " + java);
        if (so == sj) {
            // Off-rack counts mean something only where both optimise them
            // (the Java client's gate, which the library shares).
            boolean racks = Groups.rackAware(metadata, subs);
            int mo = racks ? Groups.mismatches(metadata, subs, ours) : 0;
            int mj = racks ? Groups.mismatches(metadata, subs, java) : 0;
            assertTrue(mo <= mj, what + ": ours " + mo + " off-rack, Java " + mj + ": " + ours + " / " + java);
            if (mo == mj && owned != null) {
                int vo = Groups.moved(owned, ours);
                int vj = Groups.moved(owned, java);
                assertTrue(vo <= vj, what + ": ours moves " + vo + ", Java " + vj);
            }
        }
        return what + ": ok";
    }

    private static void scenario(int replication, List<String> brokerRacks, List<String> consumerRacks,
                                 List<List<String>> consumerTopics, List<String> owned) {
        Map<String, List<PartitionInfo>> metadata = Groups.metadata(TOPICS, replication, brokerRacks);
        Map<String, Subscription> subs = new HashMap<>();
        Map<String, List<TopicPartition>> ownedBy = new HashMap<>();
        for (int i = 0; i < consumerRacks.size(); i++) {
            List<TopicPartition> mine = owned == null ? List.of() : Groups.parse(owned.get(i));
            ownedBy.put("consumer" + i, mine);
            // Eager sticky members carry their history in the user data.
            subs.put("consumer" + i, new Subscription(consumerTopics.get(i),
                    owned == null ? null : userData(mine, 1), List.of(), AbstractStickyAssignor.DEFAULT_GENERATION,
                    Optional.ofNullable(consumerRacks.get(i))));
        }
        compare(metadata, subs, owned == null ? null : ownedBy,
                "rf " + replication + " brokers " + brokerRacks + " consumers " + consumerRacks + " owned " + owned);
    }

    static java.nio.ByteBuffer userData(List<TopicPartition> owned, int generation) {
        org.apache.kafka.clients.consumer.StickyAssignor java = new org.apache.kafka.clients.consumer.StickyAssignor();
        java.onAssignment(new org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment(owned),
                new org.apache.kafka.clients.consumer.ConsumerGroupMetadata("g", generation, "m", Optional.empty()));
        return java.subscriptionUserData(null);
    }

    private static void kafkaRackGroups(List<List<String>> consumerTopics) {
        scenario(3, nulls(3), racks(3), consumerTopics, null);
        scenario(3, racks(3), nulls(3), consumerTopics, null);
        scenario(3, racks(3), racks(3), consumerTopics, null);
        scenario(4, racks(4), racks(3), consumerTopics, null);
        scenario(3, racks(3), List.of("d", "e", "f"), consumerTopics, null);
        scenario(3, racks(3), Arrays.asList(null, "e", "f"), consumerTopics, null);
        scenario(1, racks(3), racks(3), consumerTopics, null);
        scenario(2, racks(3), racks(3), consumerTopics, null);
        scenario(3, racks(2), racks(3), consumerTopics, null);
        scenario(1, racks(3), racks(3), consumerTopics, OWNED);
        scenario(3, racks(3), racks(3), consumerTopics, OWNED);
    }

    @Test
    void kafkaUniformRackGroups() {
        kafkaRackGroups(List.of(ALL, ALL, ALL));
    }

    @Test
    void kafkaNonEqualRackGroups() {
        kafkaRackGroups(List.of(ALL, ALL, List.of("t1", "t3")));
    }

    @Test
    void randomGroupsAgainstJava() {
        long seed = Long.getLong("kafka.assignors.seed", System.nanoTime());
        System.out.println("RackScenariosTest.randomGroupsAgainstJava seed " + seed);
        Random random = new Random(seed);
        int compared = 0;
        for (int round = 0; round < 300; round++) {
            int topicCount = 1 + random.nextInt(5);
            Map<String, Integer> topics = new HashMap<>();
            for (int t = 0; t < topicCount; t++) {
                topics.put("t" + t, 1 + random.nextInt(12));
            }
            int brokers = 1 + random.nextInt(4);
            boolean racked = random.nextBoolean();
            List<String> brokerRacks = new ArrayList<>();
            for (int b = 0; b < brokers; b++) {
                brokerRacks.add(racked ? String.valueOf((char) ('a' + b % 3)) : null);
            }
            Map<String, List<PartitionInfo>> metadata = Groups.metadata(topics, 1 + random.nextInt(3), brokerRacks);
            int members = 2 + random.nextInt(7);
            Map<String, Subscription> subs = new HashMap<>();
            Map<String, List<TopicPartition>> owned = new HashMap<>();
            boolean uniform = random.nextBoolean();
            java.util.Set<TopicPartition> taken = new java.util.HashSet<>();
            for (int m = 0; m < members; m++) {
                List<String> mine = new ArrayList<>();
                for (String t : topics.keySet()) {
                    if (uniform || random.nextInt(3) > 0) {
                        mine.add(t);
                    }
                }
                if (mine.isEmpty()) {
                    mine.add("t0");
                }
                List<TopicPartition> history = new ArrayList<>();
                for (String t : mine) {
                    for (int p = 0; p < topics.get(t); p++) {
                        // Each partition has at most one previous owner.
                        TopicPartition tp = new TopicPartition(t, p);
                        if (!taken.contains(tp) && random.nextInt(members) == 0) {
                            taken.add(tp);
                            history.add(tp);
                        }
                    }
                }
                owned.put("m" + m, history);
                String rack = racked && random.nextInt(4) > 0 ? String.valueOf((char) ('a' + random.nextInt(3))) : null;
                subs.put("m" + m, new Subscription(mine, history.isEmpty() ? null : userData(history, 1), List.of(),
                        AbstractStickyAssignor.DEFAULT_GENERATION, Optional.ofNullable(rack)));
            }
            String line = compare(metadata, subs, owned, "seed " + seed + " round " + round);
            if (line.endsWith(": ok")) {
                compared++;
            }
        }
        assertTrue(compared > 200, "only " + compared + " groups compared");
    }
}
