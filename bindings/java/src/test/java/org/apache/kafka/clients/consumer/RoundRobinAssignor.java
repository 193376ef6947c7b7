package org.apache.kafka.clients.consumer;

/**
 * Test scope only: stands in for the Java client's RoundRobinAssignor so that
 * Kafka's own RoundRobinAssignorTest (from the kafka-clients test jar, which
 * makes its assignor with {@code new RoundRobinAssignor()}) runs against ours.
 * Test classes come before the kafka-clients jar on the test class path.
 */
public class RoundRobinAssignor extends io.github.kafkaassignors.RoundRobinAssignor {
}
