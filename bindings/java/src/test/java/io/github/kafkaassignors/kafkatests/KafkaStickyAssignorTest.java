package io.github.kafkaassignors.kafkatests;

import org.apache.kafka.clients.consumer.StickyAssignorTest;
import org.apache.kafka.clients.consumer.internals.AbstractStickyAssignor;

/**
 * Kafka's StickyAssignorTest and AbstractStickyAssignorTest (kafka-clients
 * test jar), every test of them, against {@link io.github.kafkaassignors.StickyAssignor}.
 * The suite's own helpers still write subscriptions with the Java client's
 * StickyAssignor user-data serializer, so ours reads Java's bytes.
 */
public class KafkaStickyAssignorTest extends StickyAssignorTest {
    @Override
    public AbstractStickyAssignor createAssignor() {
        return new io.github.kafkaassignors.StickyAssignor();
    }
}
