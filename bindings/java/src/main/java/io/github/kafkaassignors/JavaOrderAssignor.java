package io.github.kafkaassignors;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.internals.AbstractPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The eager strategies that reproduce the Java client's answers exactly
 * ({@link RangeAssignor}, {@link RoundRobinAssignor}): everything but the
 * name and the native strategy code.
 */
abstract class JavaOrderAssignor extends AbstractPartitionAssignor {
    private final int strategy;

    JavaOrderAssignor(int strategy) {
        this.strategy = strategy;
    }

    @Override
    public Map<String, List<TopicPartition>> assign(Map<String, Integer> partitionsPerTopic,
                                                    Map<String, Subscription> subscriptions) {
        return assignPartitions(partitionInfosWithoutRacks(partitionsPerTopic), subscriptions);
    }

    @Override
    public Map<String, List<TopicPartition>> assignPartitions(Map<String, List<PartitionInfo>> partitionsPerTopic,
                                                              Map<String, Subscription> subscriptions) {
        return Assignors.run(strategy, 0, subscriptions, null, partitionsPerTopic, null).answer.assignment;
    }

    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
        return Assignors.wrap(Assignors.run(strategy, 0, groupSubscription.groupSubscription(), metadata, null, null)
                .answer.assignment);
    }
}
