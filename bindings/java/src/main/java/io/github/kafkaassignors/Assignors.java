package io.github.kafkaassignors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        // Every member's subscription read in one pass, everything the
        // layout needs taken out of it: each member's objects lie wherever
        // the client decoded them (a page apart in a large group, each
        // first touch a cache and TLB miss), and one pass instead of four
        // was about 4 ms less on 2,000 members.
        int n = subscriptions.size();
        String[] ids = new String[n];
        String[] instances = new String[n];
        String[] racks = new String[n];
        int[][] topicIds = new int[n][];
        int[] generations = new int[n];
        List<?>[] owned = new List<?>[n];
        StickyUserData[] sticky = strategy == Bridge.STICKY ? new StickyUserData[n] : null;
        boolean anyRack = false;
        long ints = 0;
        int i = 0;
        for (Map.Entry<String, Subscription> e : subscriptions.entrySet()) {
            Subscription s = e.getValue();
            ids[i] = e.getKey();
            topicIds[i] = bridge.topicIds(s.topics());
            instances[i] = s.groupInstanceId().orElse(null);
            String rack = s.rackId().filter(r -> !r.isEmpty()).orElse(null);
            racks[i] = rack;
            anyRack |= rack != null;
            Optional<Integer> generation;
            int ownedCount;
            if (strategy == Bridge.STICKY) {
                StickyUserData data = StickyUserData.decode(s.userData());
                sticky[i] = data;
                generation = data.generation;
                ownedCount = data.partitionCount();
            } else if (strategy == Bridge.COOPERATIVE_STICKY) {
                MemberData data = memberData.apply(s);
                generation = data.generation;
                owned[i] = data.partitions;
                ownedCount = data.partitions.size();
            } else {
                generation = s.generationId();
                ownedCount = 0;
            }
            generations[i] = generation.orElse(Bridge.NO_GENERATION);
            // A list equal to the previous member's is written as one int.
            boolean same = i > 0 && topicIds[i] == topicIds[i - 1];
            ints += 6 + (same ? 0 : topicIds[i].length) + 2L * ownedCount;
            i++;
        }
        if (partitionsPerTopic != null) {
            for (Map.Entry<String, List<PartitionInfo>> e : partitionsPerTopic.entrySet()) {
                bridge.topic(e.getKey(), e.getValue(), anyRack);
            }
        } else {
            for (String topic : bridge.subscribedTopics()) {
                List<PartitionInfo> partitions = cluster.partitionsForTopic(topic);
                if (partitions != null && !partitions.isEmpty()) {
                    bridge.topic(topic, partitions, anyRack);
                }
            }
        }
        bridge.expect((int) Math.min(ints, Integer.MAX_VALUE - 16));
        for (int m = 0; m < n; m++) {
            @SuppressWarnings("unchecked")
            List<TopicPartition> list = (List<TopicPartition>) owned[m];
            bridge.member(ids[m], instances[m], racks[m], generations[m], topicIds[m], list,
                    sticky == null ? null : sticky[m]);
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
