package io.github.kafkaassignors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupAssignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.AbstractStickyAssignor.MemberData;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** What the assignor classes share: one assignment through the bridge. */
final class Assignors {
    private Assignors() {}

    /** An answer, and whether every member subscribed to the same topics. */
    static final class Result {
        final Bridge.Answer answer;
        final boolean allSubscriptionsEqual;

        Result(Bridge.Answer answer, boolean allSubscriptionsEqual) {
            this.answer = answer;
            this.allSubscriptionsEqual = allSubscriptionsEqual;
        }
    }

    /**
     * Assigns {@code subscriptions} with the metadata either as the Java
     * client's assignors get it ({@code partitionsPerTopic}, only the topics
     * to assign) or as the cluster ({@code cluster}: the subscribed topics
     * it has partitions for, as the Java client's AbstractPartitionAssignor
     * picks them). A member's history comes from the sticky user data for
     * {@code sticky}, from {@code memberData} for {@code cooperative-sticky},
     * and is not read otherwise.
     */
    static Result run(int strategy, int options, Map<String, Subscription> subscriptions, Cluster cluster,
                      Map<String, List<PartitionInfo>> partitionsPerTopic,
                      Function<Subscription, MemberData> memberData) {
        Bridge bridge = new Bridge(strategy, options);
        boolean racks = Bridge.anyRack(subscriptions.values());
        List<Map.Entry<String, Subscription>> members = new ArrayList<>(subscriptions.entrySet());
        List<int[]> topicIds = new ArrayList<>(members.size());
        for (Map.Entry<String, Subscription> e : members) {
            topicIds.add(bridge.topicIds(e.getValue().topics()));
        }
        if (partitionsPerTopic != null) {
            for (Map.Entry<String, List<PartitionInfo>> e : partitionsPerTopic.entrySet()) {
                bridge.topic(e.getKey(), e.getValue(), racks);
            }
        } else {
            for (String topic : bridge.subscribedTopics()) {
                List<PartitionInfo> partitions = cluster.partitionsForTopic(topic);
                if (partitions != null && !partitions.isEmpty()) {
                    bridge.topic(topic, partitions, racks);
                }
            }
        }
        long ints = 0;
        for (int i = 0; i < members.size(); i++) {
            int owned = members.get(i).getValue().ownedPartitions().size();
            ints += 6 + topicIds.get(i).length + 2L * owned;
        }
        bridge.expect((int) Math.min(ints, Integer.MAX_VALUE - 16));
        for (int i = 0; i < members.size(); i++) {
            String id = members.get(i).getKey();
            Subscription s = members.get(i).getValue();
            if (strategy == Bridge.STICKY) {
                StickyUserData data = StickyUserData.decode(s.userData());
                bridge.member(id, s, topicIds.get(i), data.generation, null, data);
            } else if (strategy == Bridge.COOPERATIVE_STICKY) {
                MemberData data = memberData.apply(s);
                bridge.member(id, s, topicIds.get(i), data.generation, data.partitions, null);
            } else {
                bridge.member(id, s, topicIds.get(i), s.generationId(), null, null);
            }
        }
        boolean equal = strategy >= Bridge.STICKY && bridge.allSubscriptionsEqual(topicIds);
        return new Result(bridge.run(), equal);
    }

    /** The answer as the consumer's GroupAssignment. */
    static GroupAssignment wrap(Map<String, List<TopicPartition>> assignment) {
        Map<String, Assignment> out = new HashMap<>(assignment.size() * 2);
        for (Map.Entry<String, List<TopicPartition>> e : assignment.entrySet()) {
            out.put(e.getKey(), new Assignment(e.getValue()));
        }
        return new GroupAssignment(out);
    }
}
