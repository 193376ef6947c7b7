package io.github.kafkaassignors.bench;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupAssignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupSubscription;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.RebalanceProtocol;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Speed inside the JVM: one group (a scenario file of interop/bench/groups.py),
 * one implementation, warmed, then timed. The timed call is the whole
 * {@code assign(Cluster, GroupSubscription)}: Java objects in (subscriptions
 * decoded from their JoinGroup bytes, as a leader has them), Java objects out.
 *
 * <pre>JvmBench --impl ours|java|floor --strategy S [--runs N] [--warmup W] [--budget SECONDS] FILE</pre>
 *
 * {@code floor} times what any assignor must do at least: build the answer's
 * Java objects (a TopicPartition per assigned partition, a list per member,
 * an Assignment per member, the map), for the answer ours gives. One JSON
 * line on standard output (wall-clock medians, and the median CPU time of
 * the calling thread, which a loaded machine inflates less); progress on
 * standard error.
 */
public final class JvmBench {
    private JvmBench() {}

    public static ConsumerPartitionAssignor assignor(String impl, String strategy) {
        boolean ours = impl.equals("ours") || impl.equals("floor");
        switch (strategy) {
            case "range":
                return ours ? new io.github.kafkaassignors.RangeAssignor() : new org.apache.kafka.clients.consumer.RangeAssignor();
            case "roundrobin":
                return ours ? new io.github.kafkaassignors.RoundRobinAssignor() : new org.apache.kafka.clients.consumer.RoundRobinAssignor();
            case "sticky":
                return ours ? new io.github.kafkaassignors.StickyAssignor() : new org.apache.kafka.clients.consumer.StickyAssignor();
            case "cooperative-sticky":
                return ours ? new io.github.kafkaassignors.CooperativeStickyAssignor()
                        : new org.apache.kafka.clients.consumer.CooperativeStickyAssignor();
            default:
                throw new IllegalArgumentException("unknown strategy " + strategy);
        }
    }

    public static void main(String[] args) throws Exception {
        String impl = null;
        String strategy = null;
        int runs = 10;
        int warmup = 3;
        double budget = 0;
        String file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--impl": impl = args[++i]; break;
                case "--strategy": strategy = args[++i]; break;
                case "--runs": runs = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                case "--budget": budget = Double.parseDouble(args[++i]); break;
                default: file = args[i];
            }
        }
        if (impl == null || strategy == null || file == null) {
            System.err.println("usage: JvmBench --impl ours|java|floor --strategy S [--runs N] [--warmup W] [--budget SECONDS] FILE");
            System.exit(2);
        }
        Setup setup = new Setup(assignor(impl, strategy), new ObjectMapper().readTree(new File(file)));
        Timed timed = impl.equals("floor") ? setup.floor() : setup::assign;
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long budgetNanos = (long) (budget * 1e9);
        long spent = 0;
        for (int w = 0; w < warmup && (budgetNanos == 0 || spent < budgetNanos / 2); w++) {
            long t = timed.run();
            spent += t;
            System.err.println("warmup_ms " + t / 1e6);
        }
        List<Long> times = new ArrayList<>();
        List<Long> cpu = new ArrayList<>();
        long total = 0;
        while (times.size() < runs) {
            long c = mx.getCurrentThreadCpuTime();
            long t = timed.run();
            cpu.add(mx.getCurrentThreadCpuTime() - c);
            times.add(t);
            total += t;
            System.err.println("run_ms " + t / 1e6);
            if (budgetNanos > 0 && total >= budgetNanos) {
                break;
            }
        }
        Collections.sort(times);
        Collections.sort(cpu);
        System.out.printf("{\"impl\": \"%s\", \"strategy\": \"%s\", \"runs\": %d, \"min_ms\": %.2f, \"median_ms\": %.2f, \"max_ms\": %.2f, \"cpu_median_ms\": %.2f}%n",
                impl, strategy, times.size(), times.get(0) / 1e6, median(times) / 1e6, times.get(times.size() - 1) / 1e6,
                median(cpu) / 1e6);
    }

    private static long median(List<Long> sorted) {
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }

    interface Timed {
        long run();
    }

    /** The group, ready to assign: the cluster and every member's decoded subscription. */
    public static final class Setup {
        final ConsumerPartitionAssignor assignor;
        final Cluster cluster;
        final Map<String, Subscription> decoded = new HashMap<>();

        public Setup(ConsumerPartitionAssignor assignor, JsonNode group) {
            this.assignor = assignor;
            Node node = new Node(0, "localhost", 9092, null);
            Node[] replicas = {node};
            List<PartitionInfo> partitions = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> topics = group.get("topics").fields();
            while (topics.hasNext()) {
                Map.Entry<String, JsonNode> topic = topics.next();
                JsonNode value = topic.getValue();
                int count = value.isNumber() ? value.asInt() : value.get("partitions").asInt();
                for (int p = 0; p < count; p++) {
                    partitions.add(new PartitionInfo(topic.getKey(), p, node, replicas, replicas));
                }
            }
            cluster = new Cluster("bench", List.of(node), partitions, Collections.emptySet(), new HashSet<>());
            boolean cooperative = assignor.supportedProtocols().contains(RebalanceProtocol.COOPERATIVE);
            for (JsonNode member : group.get("members")) {
                String id = member.get("id").asText();
                Set<String> subscribed = new TreeSet<>();
                member.get("topics").forEach(t -> subscribed.add(t.asText()));
                List<TopicPartition> owned = new ArrayList<>();
                JsonNode ownedNode = member.get("owned");
                if (ownedNode != null && !ownedNode.isNull()) {
                    Iterator<Map.Entry<String, JsonNode>> entries = ownedNode.fields();
                    while (entries.hasNext()) {
                        Map.Entry<String, JsonNode> entry = entries.next();
                        entry.getValue().forEach(p -> owned.add(new TopicPartition(entry.getKey(), p.asInt())));
                    }
                }
                JsonNode generationNode = member.get("generation");
                int generation = generationNode == null || generationNode.isNull() ? -1 : generationNode.asInt();
                // What the member's own assignor remembers from its last SyncGroup.
                assignor.onAssignment(new Assignment(owned), new ConsumerGroupMetadata("bench", generation, id, Optional.empty()));
                Subscription subscription = new Subscription(new ArrayList<>(subscribed),
                        assignor.subscriptionUserData(subscribed), cooperative ? owned : Collections.emptyList(),
                        generation, Optional.empty());
                ByteBuffer bytes = ConsumerProtocol.serializeSubscription(subscription);
                decoded.put(id, ConsumerProtocol.deserializeSubscription(bytes));
            }
        }

        /** One timed assign; nanoseconds. */
        public long assign() {
            // A leader reads each member's user data from a buffer it has
            // just decoded; the assignors' first read (the generation, in
            // cooperative-sticky's) moves the buffer's position, so that
            // without a rewind every later call would parse an empty
            // buffer and take the error path.
            for (Subscription s : decoded.values()) {
                if (s.userData() != null) {
                    s.userData().rewind();
                }
            }
            Map<String, Subscription> input = new HashMap<>(decoded);
            long started = System.nanoTime();
            GroupAssignment answer = assignor.assign(cluster, new GroupSubscription(input));
            long elapsed = System.nanoTime() - started;
            if (answer.groupAssignment().size() != decoded.size()) {
                throw new IllegalStateException(answer.groupAssignment().size() + " assignments for " + decoded.size() + " members");
            }
            return elapsed;
        }

        /** The floor: building an answer's objects from plain ints (ours, computed once, outside the timing). */
        Timed floor() {
            Map<String, Assignment> shape = assignor.assign(cluster, new GroupSubscription(new HashMap<>(decoded))).groupAssignment();
            List<String> members = new ArrayList<>(shape.keySet());
            List<String[]> topics = new ArrayList<>();
            List<int[]> parts = new ArrayList<>();
            for (String m : members) {
                List<TopicPartition> ps = shape.get(m).partitions();
                String[] t = new String[ps.size()];
                int[] p = new int[ps.size()];
                for (int i = 0; i < ps.size(); i++) {
                    t[i] = ps.get(i).topic();
                    p[i] = ps.get(i).partition();
                }
                topics.add(t);
                parts.add(p);
            }
            return () -> {
                long started = System.nanoTime();
                Map<String, Assignment> out = new HashMap<>(members.size() * 2);
                for (int m = 0; m < members.size(); m++) {
                    String[] t = topics.get(m);
                    int[] p = parts.get(m);
                    List<TopicPartition> list = new ArrayList<>(p.length);
                    for (int i = 0; i < p.length; i++) {
                        list.add(new TopicPartition(t[i], p[i]));
                    }
                    out.put(members.get(m), new Assignment(list));
                }
                GroupAssignment answer = new GroupAssignment(out);
                long elapsed = System.nanoTime() - started;
                if (answer.groupAssignment().size() != members.size()) {
                    throw new IllegalStateException("lost a member");
                }
                return elapsed;
            };
        }
    }
}
