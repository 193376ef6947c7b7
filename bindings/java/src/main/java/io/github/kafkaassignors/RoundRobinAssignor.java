package io.github.kafkaassignors;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.internals.AbstractPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code roundrobin}: the Java client's {@code RoundRobinAssignor}, answer for answer
 *, computed by the native library in one call.
 * Use it with {@code partition.assignment.strategy=io.github.kafkaassignors.RoundRobinAssignor}.
 */
public class RoundRobinAssignor extends AbstractPartitionAssignor {
    /** The strategy name, the Java client's. */
    public static final String ROUNDROBIN_ASSIGNOR_NAME = "roundrobin";

    @Override
    public String name() {
        return ROUNDROBIN_ASSIGNOR_NAME;
    }

    @Override
    public Map<String, List<TopicPartition>> assign(Map<String, Integer> partitionsPerTopic,
                                                    Map<String, Subscription> subscriptions) {
        return assignPartitions(partitionInfosWithoutRacks(partitionsPerTopic), subscriptions);
    }

    @Override
    public Map<String, List<TopicPartition>> assignPartitions(Map<String, List<PartitionInfo>> partitionsPerTopic,
                                                              Map<String, Subscription> subscriptions) {
        return Assignors.run(Bridge.ROUNDROBIN, 0, subscriptions, null, partitionsPerTopic, null).answer.assignment;
    }

    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
        return Assignors.wrap(Assignors.run(Bridge.ROUNDROBIN, 0, groupSubscription.groupSubscription(), metadata, null, null)
                .answer.assignment);
    }
}
