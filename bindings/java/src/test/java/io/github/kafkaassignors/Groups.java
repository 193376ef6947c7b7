package io.github.kafkaassignors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** Builders and measures of groups for the tests. */
final class Groups {
    private Groups() {}

    /**
     * Partitions per topic with replicas on brokers that sit on {@code brokerRacks}
     * (null: no rack): partition i of the k-th topic (in name order) has its
     * replicas on brokers (i + j + offset) mod brokers, offset the partitions
     * of the topics before it.
     */
    static Map<String, List<PartitionInfo>> metadata(Map<String, Integer> topics, int replication, List<String> brokerRacks) {
        Node[] nodes = new Node[brokerRacks.size()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new Node(i, "broker" + i, 9092, brokerRacks.get(i));
        }
        Map<String, List<PartitionInfo>> out = new HashMap<>();
        int offset = 0;
        for (Map.Entry<String, Integer> e : new TreeMap<>(topics).entrySet()) {
            List<PartitionInfo> infos = new ArrayList<>();
            for (int p = 0; p < e.getValue(); p++) {
                Node[] replicas = new Node[Math.min(replication, nodes.length)];
                for (int j = 0; j < replicas.length; j++) {
                    replicas[j] = nodes[(p + j + offset) % nodes.length];
                }
                infos.add(new PartitionInfo(e.getKey(), p, replicas.length > 0 ? replicas[0] : null, replicas, replicas));
            }
            out.put(e.getKey(), infos);
            offset += e.getValue();
        }
        return out;
    }

    /** "t1-0, t2-3" as partitions. */
    static List<TopicPartition> parse(String list) {
        List<TopicPartition> out = new ArrayList<>();
        if (list == null || list.isEmpty()) {
            return out;
        }
        for (String item : list.split(",\\s*")) {
            int dash = item.lastIndexOf('-');
            out.add(new TopicPartition(item.substring(0, dash), Integer.parseInt(item.substring(dash + 1))));
        }
        return out;
    }

    /** Partitions per member, each partition at most once, only of topics it subscribes to. */
    static void assertValid(Map<String, List<PartitionInfo>> metadata, Map<String, Subscription> subscriptions,
                            Map<String, List<TopicPartition>> assignment) {
        Set<TopicPartition> seen = new HashSet<>();
        if (!assignment.keySet().equals(subscriptions.keySet())) {
            throw new AssertionError("members " + assignment.keySet() + " but subscribed " + subscriptions.keySet());
        }
        for (Map.Entry<String, List<TopicPartition>> e : assignment.entrySet()) {
            Set<String> topics = new HashSet<>(subscriptions.get(e.getKey()).topics());
            for (TopicPartition tp : e.getValue()) {
                if (!topics.contains(tp.topic())) {
                    throw new AssertionError(e.getKey() + " got " + tp + " of a topic it does not subscribe to");
                }
                List<PartitionInfo> infos = metadata.get(tp.topic());
                if (infos == null || tp.partition() < 0 || tp.partition() >= infos.size()) {
                    throw new AssertionError(e.getKey() + " got " + tp + ", not in the metadata");
                }
                if (!seen.add(tp)) {
                    throw new AssertionError(tp + " assigned twice");
                }
            }
        }
    }

    /** The sum of the squared loads: smaller is more even. */
    static long squares(Map<String, List<TopicPartition>> assignment) {
        long sum = 0;
        for (List<TopicPartition> p : assignment.values()) {
            sum += (long) p.size() * p.size();
        }
        return sum;
    }

    /**
     * The Java client's gate for rack-aware assignment: some member has a
     * rack, one of them holds replicas, and the partitions do not all have
     * replicas on the same set of racks.
     */
    static boolean rackAware(Map<String, List<PartitionInfo>> metadata, Map<String, Subscription> subscriptions) {
        Set<String> consumerRacks = new HashSet<>();
        subscriptions.values().forEach(s -> s.rackId().ifPresent(consumerRacks::add));
        Set<String> all = new HashSet<>();
        List<Set<String>> perPartition = new ArrayList<>();
        for (List<PartitionInfo> infos : metadata.values()) {
            for (PartitionInfo info : infos) {
                Set<String> racks = new HashSet<>();
                for (Node n : info.replicas()) {
                    if (n.hasRack()) {
                        racks.add(n.rack());
                    }
                }
                perPartition.add(racks);
                all.addAll(racks);
            }
        }
        if (consumerRacks.isEmpty() || java.util.Collections.disjoint(consumerRacks, all)) {
            return false;
        }
        return !perPartition.stream().allMatch(all::equals);
    }

    /** Partitions on a member with a rack that none of their replicas is on. */
    static int mismatches(Map<String, List<PartitionInfo>> metadata, Map<String, Subscription> subscriptions,
                          Map<String, List<TopicPartition>> assignment) {
        int n = 0;
        for (Map.Entry<String, List<TopicPartition>> e : assignment.entrySet()) {
            String rack = subscriptions.get(e.getKey()).rackId().orElse(null);
            if (rack == null) {
                continue;
            }
            for (TopicPartition tp : e.getValue()) {
                PartitionInfo info = metadata.get(tp.topic()).get(tp.partition());
                if (Arrays.stream(info.replicas()).noneMatch(node -> rack.equals(node.rack()))) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Owned partitions (each member's list) that the assignment gives to another member or to none. */
    static int moved(Map<String, List<TopicPartition>> owned, Map<String, List<TopicPartition>> assignment) {
        Map<TopicPartition, String> now = new HashMap<>();
        assignment.forEach((m, ps) -> ps.forEach(tp -> now.put(tp, m)));
        int n = 0;
        for (Map.Entry<String, List<TopicPartition>> e : owned.entrySet()) {
            for (TopicPartition tp : e.getValue()) {
                if (!e.getKey().equals(now.get(tp))) {
                    n++;
                }
            }
        }
        return n;
    }
}
