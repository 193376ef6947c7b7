package io.github.kafkaassignors;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code sticky} (eager) at the exact optimum: the most even loads the
 * subscriptions allow, then (with racks) the fewest partitions off their
 * replicas' racks, then the fewest moved partitions. Same name, user data
 * (the previous assignment and its generation, V1) and protocols as the
 * Java client's {@code StickyAssignor}, so the two mix in one group and
 * either may lead: it is that class, with the leader's assignment replaced
 * (user data, its encoding and decoding are the Java client's own). Use it with
 * {@code partition.assignment.strategy=io.github.kafkaassignors.StickyAssignor};
 * options in {@link Options}.
 */
public class StickyAssignor extends org.apache.kafka.clients.consumer.StickyAssignor implements Configurable {
    private int options;
    private Map<String, Set<Long>> lastMoves = Collections.emptyMap();

    @Override
    public void configure(Map<String, ?> configs) {
        options = Options.parse(configs);
    }

    @Override
    public Map<String, List<TopicPartition>> assignPartitions(Map<String, List<PartitionInfo>> partitionsPerTopic,
                                                              Map<String, Subscription> subscriptions) {
        return record(Assignors.run(Bridge.STICKY, options, subscriptions, null, partitionsPerTopic, null));
    }

    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
        return Assignors.wrap(record(Assignors.run(Bridge.STICKY, options, groupSubscription.groupSubscription(),
                metadata, null, null)));
    }

    private Map<String, List<TopicPartition>> record(Assignors.Result result) {
        // As the Java client: the map of partitions changing owner when every
        // member subscribes alike, null otherwise.
        partitionsTransferringOwnership = result.allSubscriptionsEqual ? result.answer.transfers : null;
        lastMoves = result.answer.moves;
        return result.answer.assignment;
    }

    /** Whether the last answer moved partitions around no cycle of members, per topic. */
    @Override
    public boolean isSticky() {
        return Bridge.noCycle(lastMoves);
    }
}
