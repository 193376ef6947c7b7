package org.apache.kafka.clients.consumer;

/**
 * Test scope only: stands in for the Java client's RangeAssignor so that
 * Kafka's own RangeAssignorTest (from the kafka-clients test jar, which
 * makes its assignor with {@code new RangeAssignor()}) runs against ours.
 * Test classes come before the kafka-clients jar on the test class path.
 */
public class RangeAssignor extends io.github.kafkaassignors.RangeAssignor {
}
