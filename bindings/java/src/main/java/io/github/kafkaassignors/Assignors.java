package io.github.kafkaassignors;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** What the assignor classes share. */
final class Assignors {
    private Assignors() {}

    /** Range and round robin: subscriptions and racks, no history. */
    static Map<String, List<TopicPartition>> plain(int strategy, Map<String, List<PartitionInfo>> partitionsPerTopic,
                                                   Map<String, Subscription> subscriptions) {
        Bridge bridge = new Bridge(strategy, 0);
        bridge.topics(partitionsPerTopic, Bridge.anyRack(subscriptions.values()));
        for (Map.Entry<String, Subscription> e : subscriptions.entrySet()) {
            bridge.member(e.getKey(), e.getValue(), e.getValue().generationId(), null, null);
        }
        return bridge.run().assignment;
    }
}
