package io.github.kafkaassignors.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.ConsumerGroupPartitionAssignor;
import org.apache.kafka.coordinator.group.api.assignor.GroupAssignment;
import org.apache.kafka.coordinator.group.api.assignor.SubscribedTopicDescriber;
import org.apache.kafka.coordinator.group.api.assignor.SubscriptionType;
import org.apache.kafka.coordinator.group.assignor.UniformAssignor;
import org.apache.kafka.coordinator.group.modern.Assignment;
import org.apache.kafka.coordinator.group.modern.GroupSpecImpl;
import org.apache.kafka.coordinator.group.modern.MemberSubscriptionAndAssignmentImpl;

import io.github.kafkaassignors.UniformServerAssignor;

/**
 * Speed of the broker-side assignors inside the JVM: the whole
 * {@code assign(GroupSpec, SubscribedTopicDescriber)} call of this jar's
 * {@code kassign-uniform} (conversion and the JNI call included) against
 * Kafka's own {@code UniformAssignor} (kafka-group-coordinator), on a group
 * of Kafka's ServerSideAssignorBenchmark: {@code members * ratio}
 * partitions spread evenly over the topics; homogeneous (everyone every
 * topic) or heterogeneous (five buckets of members, each its own slice of
 * the topics, one shared set per bucket, as Kafka's benchmark shares them);
 * full (no current targets), no racks.
 *
 * <pre>ServerBench --impl ours|kafka --members M --topics T --ratio R [--heterogeneous] [--runs N] [--warmup W]</pre>
 *
 * One JSON line on standard output (wall-clock median, min, max; the median
 * CPU time of the calling thread); progress on standard error.
 */
public final class ServerBench {
    private ServerBench() {}

    static final class Topics implements SubscribedTopicDescriber {
        final Map<Uuid, Integer> partitions = new HashMap<>();

        @Override
        public int numPartitions(Uuid topicId) {
            return partitions.getOrDefault(topicId, -1);
        }

        @Override
        public Set<String> racksForPartition(Uuid topicId, int partition) {
            return Set.of();
        }
    }

    public static void main(String[] args) {
        String impl = null;
        int members = 0;
        int topicCount = 0;
        int ratio = 0;
        boolean homogeneous = true;
        int runs = 10;
        int warmup = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--impl": impl = args[++i]; break;
                case "--members": members = Integer.parseInt(args[++i]); break;
                case "--topics": topicCount = Integer.parseInt(args[++i]); break;
                case "--ratio": ratio = Integer.parseInt(args[++i]); break;
                case "--heterogeneous": homogeneous = false; break;
                case "--runs": runs = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (impl == null || members <= 0 || topicCount <= 0 || ratio <= 0) {
            System.err.println("usage: ServerBench --impl ours|kafka --members M --topics T --ratio R [--heterogeneous] [--runs N] [--warmup W]");
            System.exit(2);
        }
        ConsumerGroupPartitionAssignor assignor = switch (impl) {
            case "ours" -> new UniformServerAssignor();
            case "kafka" -> new UniformAssignor();
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };

        Random rng = new Random(0x5e55_1011L);
        Topics topics = new Topics();
        List<Uuid> ids = new ArrayList<>();
        int perTopic = members * ratio / topicCount;
        for (int t = 0; t < topicCount; t++) {
            Uuid id = new Uuid(rng.nextLong(), rng.nextLong());
            topics.partitions.put(id, perTopic);
            ids.add(id);
        }
        int buckets = homogeneous ? 1 : Math.max(1, Math.min(5, members));
        int bucketTopics = (topicCount + buckets - 1) / buckets;
        int bucketMembers = (members + buckets - 1) / buckets;
        List<Set<Uuid>> lists = new ArrayList<>();
        for (int b = 0; b < buckets; b++) {
            int start = Math.min(b * bucketTopics, ids.size());
            int end = Math.min((b + 1) * bucketTopics, ids.size());
            lists.add(new HashSet<>(ids.subList(start, end)));
        }
        Map<String, MemberSubscriptionAndAssignmentImpl> specs = new HashMap<>();
        for (int m = 0; m < members; m++) {
            Set<Uuid> subs = lists.get(Math.min(m / bucketMembers, buckets - 1));
            specs.put("member" + m, new MemberSubscriptionAndAssignmentImpl(Optional.empty(), Optional.empty(),
                    subs, new Assignment(Map.of())));
        }
        GroupSpecImpl spec = new GroupSpecImpl(specs,
                homogeneous ? SubscriptionType.HOMOGENEOUS : SubscriptionType.HETEROGENEOUS, new HashMap<>());

        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int w = 0; w < warmup; w++) {
            long started = System.nanoTime();
            check(assignor.assign(spec, topics), members);
            System.err.println("warmup_ms " + (System.nanoTime() - started) / 1e6);
        }
        List<Long> times = new ArrayList<>();
        List<Long> cpu = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long c = mx.getCurrentThreadCpuTime();
            long started = System.nanoTime();
            GroupAssignment answer = assignor.assign(spec, topics);
            long elapsed = System.nanoTime() - started;
            cpu.add(mx.getCurrentThreadCpuTime() - c);
            times.add(elapsed);
            check(answer, members);
            System.err.println("run_ms " + elapsed / 1e6);
        }
        Collections.sort(times);
        Collections.sort(cpu);
        System.out.printf("{\"impl\": \"%s\", \"members\": %d, \"topics\": %d, \"partitions\": %d, \"homogeneous\": %b, "
                + "\"runs\": %d, \"min_ms\": %.3f, \"median_ms\": %.3f, \"max_ms\": %.3f, \"cpu_median_ms\": %.3f}%n",
                impl, members, topicCount, perTopic * topicCount, homogeneous, runs, times.get(0) / 1e6,
                median(times) / 1e6, times.get(times.size() - 1) / 1e6, median(cpu) / 1e6);
    }

    private static void check(GroupAssignment answer, int members) {
        if (answer.members().size() != members) {
            throw new IllegalStateException(answer.members().size() + " assignments for " + members + " members");
        }
    }

    private static long median(List<Long> sorted) {
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }
}
