package io.github.kafkaassignors.kafkatests;

import org.apache.kafka.clients.consumer.CooperativeStickyAssignorTest;
import org.apache.kafka.clients.consumer.internals.AbstractStickyAssignor;

/**
 * Kafka's CooperativeStickyAssignorTest and AbstractStickyAssignorTest
 * (kafka-clients test jar), every test of them, against
 * {@link io.github.kafkaassignors.CooperativeStickyAssignor}.
 */
public class KafkaCooperativeStickyAssignorTest extends CooperativeStickyAssignorTest {
    @Override
    public AbstractStickyAssignor createAssignor() {
        return new io.github.kafkaassignors.CooperativeStickyAssignor();
    }
}
