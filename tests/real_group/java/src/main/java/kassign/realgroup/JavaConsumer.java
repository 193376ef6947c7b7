package kassign.realgroup;

import java.io.BufferedReader;
import java.nio.ByteBuffer;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Java client group member (kafka-clients, group.protocol=classic) that
 * reports every assign, revoke and loss as one JSON line, in the form of
 * examples/group_member.rs and consumer.py. It fetches no records on
 * purpose: poll() only drives the group protocol. It closes (revoking what
 * it owns and, unless static, sending LeaveGroup) when its standard input
 * says `leave` or closes.
 *
 * When the broker makes it leader, the Java client's own assignor answers
 * (range, roundrobin, sticky or cooperative-sticky), through {@link Logged},
 * which only prints that answer as a `lead` line before handing it back.
 *
 * With STRATEGY {@code consumer:NAME} it runs the KIP-848 consumer protocol
 * instead (group.protocol=consumer, group.remote.assignor=NAME): the
 * broker assigns, and the member only reports what it is given.
 *
 * usage: JavaConsumer BOOTSTRAP GROUP TOPICS STRATEGY NAME [SESSION_TIMEOUT_MS [INSTANCE_ID]]
 */
public final class JavaConsumer {
    private JavaConsumer() {}

    static ConsumerPartitionAssignor assignor(String strategy) {
        // "class:NAME": an assignor class on the class path, made as the
        // consumer makes the classes it is configured with (bindings/java
        // runs its own cooperative-sticky this way).
        if (strategy.startsWith("class:")) {
            try {
                return (ConsumerPartitionAssignor) Class.forName(strategy.substring(6))
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("cannot make assignor " + strategy, e);
            }
        }
        switch (strategy) {
            case "range": return new RangeAssignor();
            case "roundrobin": return new RoundRobinAssignor();
            case "sticky": return new StickyAssignor();
            case "cooperative-sticky": return new CooperativeStickyAssignor();
            default: throw new IllegalArgumentException("unknown strategy " + strategy);
        }
    }

    /** The strategy and the printer, set before the consumer makes its assignor. */
    static volatile String strategy;
    static volatile Printer printer;

    interface Printer {
        void event(String event, Collection<TopicPartition> parts, String extra);
    }

    /**
     * The Java client's assignor for {@link #strategy}, unchanged in every
     * call; its answer as leader is printed as a `lead` line once the
     * generation it was made for completes (the leader's own assignment
     * arrives, with the generation), so a round the broker aborted prints
     * nothing. The consumer makes it by class name, as it makes its own.
     */
    public static final class Logged implements ConsumerPartitionAssignor {
        private final ConsumerPartitionAssignor inner = assignor(strategy);
        private String pending;

        @Override
        public ByteBuffer subscriptionUserData(Set<String> topics) {
            return inner.subscriptionUserData(topics);
        }

        @Override
        public GroupAssignment assign(Cluster metadata, GroupSubscription subscription) {
            GroupAssignment answer = inner.assign(metadata, subscription);
            StringBuilder extra = new StringBuilder(", \"assignment\": {");
            boolean first = true;
            for (Map.Entry<String, Assignment> e : answer.groupAssignment().entrySet()) {
                List<TopicPartition> parts = new ArrayList<>(e.getValue().partitions());
                extra.append(first ? "" : ", ").append(quote(e.getKey())).append(": ").append(json(parts));
                first = false;
            }
            extra.append('}');
            // The leader's input in the scenario format (for kassign assign):
            // the metadata's partition counts and each member's subscription
            // as the assignor reads it.
            extra.append(", \"input\": {\"topics\": {");
            Set<String> topics = new java.util.TreeSet<>();
            subscription.groupSubscription().values().forEach(s -> topics.addAll(s.topics()));
            first = true;
            for (String topic : topics) {
                Integer count = metadata.partitionCountForTopic(topic);
                if (count == null) {
                    continue;
                }
                extra.append(first ? "" : ", ").append(quote(topic)).append(": ").append(count);
                first = false;
            }
            extra.append("}, \"members\": [");
            first = true;
            for (Map.Entry<String, Subscription> e : subscription.groupSubscription().entrySet()) {
                Subscription s = e.getValue();
                extra.append(first ? "" : ", ").append("{\"id\": ").append(quote(e.getKey()))
                        .append(", \"topics\": [");
                for (int i = 0; i < s.topics().size(); i++) {
                    extra.append(i == 0 ? "" : ", ").append(quote(s.topics().get(i)));
                }
                extra.append("], \"owned\": {");
                Map<String, List<Integer>> owned = new java.util.TreeMap<>();
                for (TopicPartition tp : s.ownedPartitions()) {
                    owned.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition());
                }
                boolean firstTopic = true;
                for (Map.Entry<String, List<Integer>> o : owned.entrySet()) {
                    extra.append(firstTopic ? "" : ", ").append(quote(o.getKey())).append(": ").append(o.getValue());
                    firstTopic = false;
                }
                extra.append('}');
                s.groupInstanceId().ifPresent(id -> extra.append(", \"instance_id\": ").append(quote(id)));
                s.generationId().ifPresent(g -> extra.append(", \"generation\": ").append(g));
                extra.append('}');
                first = false;
            }
            extra.append("]}");
            pending = extra.toString();
            return answer;
        }

        @Override
        public void onAssignment(Assignment assignment, ConsumerGroupMetadata metadata) {
            inner.onAssignment(assignment, metadata);
            if (pending != null) {
                printer.event("lead", null, pending + ", \"lead_generation\": " + metadata.generationId());
                pending = null;
            }
        }

        @Override
        public List<RebalanceProtocol> supportedProtocols() {
            return inner.supportedProtocols();
        }

        @Override
        public short version() {
            return inner.version();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }

    /** Partitions as a sorted JSON list of [topic, partition] pairs. */
    static String json(Collection<TopicPartition> parts) {
        List<TopicPartition> sorted = new ArrayList<>(parts);
        sorted.sort((a, b) -> a.topic().equals(b.topic())
                ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < sorted.size(); i++) {
            TopicPartition tp = sorted.get(i);
            out.append(i == 0 ? "" : ", ").append('[').append(quote(tp.topic()))
                    .append(", ").append(tp.partition()).append(']');
        }
        return out.append(']').toString();
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static String nowNs() {
        Instant now = Instant.now();
        return Long.toString(now.getEpochSecond() * 1_000_000_000L + now.getNano());
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5 || args.length > 7) {
            System.err.println("usage: JavaConsumer BOOTSTRAP GROUP TOPICS STRATEGY NAME [SESSION_TIMEOUT_MS [INSTANCE_ID]]");
            System.exit(2);
        }
        String bootstrap = args[0], group = args[1], topics = args[2], name = args[4];
        strategy = args[3];
        // "consumer:NAME": the KIP-848 consumer protocol, the broker's
        // server-side assignor NAME (group.remote.assignor); the session
        // and heartbeat settings are the broker's then.
        boolean consumerProtocol = strategy.startsWith("consumer:");
        if (!consumerProtocol) {
            assignor(strategy); // an unknown strategy fails here, naming it
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        if (consumerProtocol) {
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            props.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, strategy.substring("consumer:".length()));
        } else {
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, Logged.class.getName());
            props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, args.length > 5 ? args[5] : "6000");
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "300");
        }
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "30000");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        if (args.length > 6) {
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, args[6]);
        }

        AtomicBoolean stop = new AtomicBoolean(false);
        Thread input = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null && !line.trim().equals("leave")) {
                    // anything else is ignored
                }
            } catch (Exception e) {
                // a broken standard input means leave, as its end does
            }
            stop.set(true);
        });
        input.setDaemon(true);
        input.start();

        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        class Log implements Printer {
            @Override
            public void event(String event, Collection<TopicPartition> parts, String extra) {
                StringBuilder line = new StringBuilder("{\"ts\": ").append(quote(nowNs()))
                        .append(", \"member\": ").append(quote(name))
                        .append(", \"member_id\": ").append(quote(consumer.groupMetadata().memberId()))
                        .append(", \"generation\": ").append(consumer.groupMetadata().generationId())
                        .append(", \"event\": ").append(quote(event));
                if (parts != null) {
                    line.append(", \"partitions\": ").append(json(parts));
                }
                line.append(extra).append('}');
                System.out.println(line);
                System.out.flush();
            }
        }
        Log log = new Log();
        printer = log;
        consumer.subscribe(Arrays.asList(topics.split(",")), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                log.event("revoke", partitions, "");
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                log.event("assign", partitions, "");
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                log.event("revoke", partitions, ", \"lost\": true");
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (!stop.get() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(50));
        }
        // close() revokes what the member owns (the listener reports it) and
        // sends LeaveGroup, except for a static member, which the broker
        // keeps until its session times out.
        consumer.close();
        System.out.println("{\"ts\": " + quote(nowNs()) + ", \"member\": " + quote(name) + ", \"event\": \"left\"}");
        System.out.flush();
    }
}
