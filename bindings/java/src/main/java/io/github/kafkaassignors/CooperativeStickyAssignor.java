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
 * {@code cooperative-sticky} at the exact optimum, under the cooperative
 * protocol: a partition that changes owner, that two members claim at one
 * generation, or that a member still claims after dropping its topic is
 * withheld for one round and handed over in the follow-up. Same name,
 * subscription fields (owned partitions and generation), user data (the
 * generation) and protocols (COOPERATIVE, EAGER) as the Java client's
 * {@code CooperativeStickyAssignor}, so the two mix in one group and either
 * may lead: it is that class, with the leader's assignment replaced (user
 * data, subscription fields and protocols are the Java client's own). Use it with
 * {@code partition.assignment.strategy=io.github.kafkaassignors.CooperativeStickyAssignor};
 * options in {@link Options}.
 */
public class CooperativeStickyAssignor extends org.apache.kafka.clients.consumer.CooperativeStickyAssignor
        implements Configurable {
    private int options;
    private Map<String, Set<Long>> lastMoves = Collections.emptyMap();

    @Override
    public void configure(Map<String, ?> configs) {
        options = Options.parse(configs);
    }

    @Override
    public Map<String, List<TopicPartition>> assignPartitions(Map<String, List<PartitionInfo>> partitionsPerTopic,
                                                              Map<String, Subscription> subscriptions) {
        return record(Assignors.run(Bridge.COOPERATIVE_STICKY, options, subscriptions, null, partitionsPerTopic,
                this::memberData));
    }

    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
        return Assignors.wrap(record(Assignors.run(Bridge.COOPERATIVE_STICKY, options,
                groupSubscription.groupSubscription(), metadata, null, this::memberData)));
    }

    private Map<String, List<TopicPartition>> record(Assignors.Result result) {
        // The partitions changing owner are withheld this round: they are in
        // the map with the destination unknown (null) until the follow-up.
        partitionsTransferringOwnership = result.allSubscriptionsEqual ? result.answer.withheld() : null;
        lastMoves = result.answer.moves;
        return result.answer.assignment;
    }

    /** Whether the last answer moved partitions around no cycle of members, per topic. */
    @Override
    public boolean isSticky() {
        return Bridge.noCycle(lastMoves);
    }
}
