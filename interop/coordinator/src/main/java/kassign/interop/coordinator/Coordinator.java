package kassign.interop.coordinator;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.ConsumerGroupPartitionAssignor;
import org.apache.kafka.coordinator.group.api.assignor.GroupAssignment;
import org.apache.kafka.coordinator.group.api.assignor.MemberAssignment;
import org.apache.kafka.coordinator.group.api.assignor.SubscribedTopicDescriber;
import org.apache.kafka.coordinator.group.api.assignor.SubscriptionType;
import org.apache.kafka.coordinator.group.assignor.RangeAssignor;
import org.apache.kafka.coordinator.group.assignor.UniformAssignor;
import org.apache.kafka.coordinator.group.modern.Assignment;
import org.apache.kafka.coordinator.group.modern.GroupSpecImpl;
import org.apache.kafka.coordinator.group.modern.MemberSubscriptionAndAssignmentImpl;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads groups from stdin, one block per group, and answers with Kafka's
 * server-side assignors (kafka-group-coordinator).
 *
 * <pre>
 * group NAME
 * topic ID32HEX PARTITIONS [RACKS]      RACKS: per partition "r1,r2" joined by ";" ("-" for none)
 * member ID INSTANCE|- RACK|- SUBS|- TARGET|-
 *                                       SUBS: "id,id"; TARGET: "id:p,p;id:p"
 * end
 * </pre>
 *
 * Answer mode (default) prints, per group, "group NAME", then for each
 * assignor ("range", "uniform") and member "ASSIGNOR MEMBER TARGET|-" (or
 * "ASSIGNOR ! MESSAGE" when the assignor throws), then "end".
 *
 * Timing mode ({@code time WARMUP_MS RUNS}) prints per group
 * "time NAME range NANOS uniform NANOS": the median of RUNS calls after
 * warming each assignor for WARMUP_MS on that group.
 */
public final class Coordinator {
    private Coordinator() {}

    static final class Topic implements SubscribedTopicDescriber {
        final Map<Uuid, Integer> partitions = new HashMap<>();
        final Map<Uuid, List<Set<String>>> racks = new HashMap<>();

        @Override
        public int numPartitions(Uuid topicId) {
            return partitions.getOrDefault(topicId, -1);
        }

        @Override
        public Set<String> racksForPartition(Uuid topicId, int partition) {
            List<Set<String>> list = racks.get(topicId);
            if (list == null || partition < 0 || partition >= list.size()) {
                return Set.of();
            }
            return list.get(partition);
        }
    }

    static final class Group {
        String name;
        final Topic topics = new Topic();
        final Map<String, MemberSubscriptionAndAssignmentImpl> members = new HashMap<>();
        final List<String> order = new ArrayList<>();
        final Map<Uuid, Map<Integer, String>> inverted = new HashMap<>();
        final List<Set<Uuid>> subscriptions = new ArrayList<>();
        /** For "incremental": the new member's id, rack and subscription. */
        String[] incremental;

        /**
         * Kafka's benchmark's incremental rebalance: every member's target
         * set to the assignor's own answer, then the new member added.
         */
        Group settledOn(ConsumerGroupPartitionAssignor assignor) {
            GroupAssignment first = assignor.assign(spec(), topics);
            Group next = new Group();
            next.name = name;
            next.topics.partitions.putAll(topics.partitions);
            next.topics.racks.putAll(topics.racks);
            for (String m : order) {
                MemberSubscriptionAndAssignmentImpl old = members.get(m);
                MemberAssignment a = first.members().get(m);
                Map<Uuid, Set<Integer>> target = a == null ? Map.of() : a.partitions();
                next.members.put(m, new MemberSubscriptionAndAssignmentImpl(
                    old.rackId(), old.instanceId(), old.subscribedTopicIds(), new Assignment(target)));
                next.order.add(m);
                next.subscriptions.add(old.subscribedTopicIds());
                for (Map.Entry<Uuid, Set<Integer>> e : target.entrySet()) {
                    for (int p : e.getValue()) {
                        next.inverted.computeIfAbsent(e.getKey(), k -> new HashMap<>()).put(p, m);
                    }
                }
            }
            member(next, new String[] {"member", incremental[1], "-", incremental[2], incremental[3], "-"});
            return next;
        }

        GroupSpecImpl spec() {
            SubscriptionType type = SubscriptionType.HOMOGENEOUS;
            for (Set<Uuid> s : subscriptions) {
                if (!s.equals(subscriptions.get(0))) {
                    type = SubscriptionType.HETEROGENEOUS;
                    break;
                }
            }
            return new GroupSpecImpl(members, type, inverted);
        }
    }

    static Uuid uuid(String hex) {
        return new Uuid(Long.parseUnsignedLong(hex.substring(0, 16), 16),
            Long.parseUnsignedLong(hex.substring(16, 32), 16));
    }

    static String hex(Uuid id) {
        return String.format("%016x%016x", id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    static Optional<String> opt(String s) {
        return s.equals("-") ? Optional.empty() : Optional.of(s);
    }

    static void member(Group g, String[] f) {
        String id = f[1];
        Set<Uuid> subs = new HashSet<>();
        if (!f[4].equals("-")) {
            for (String t : f[4].split(",")) subs.add(uuid(t));
        }
        Map<Uuid, Set<Integer>> target = new HashMap<>();
        if (!f[5].equals("-")) {
            for (String entry : f[5].split(";")) {
                String[] kv = entry.split(":");
                Uuid t = uuid(kv[0]);
                Set<Integer> ps = target.computeIfAbsent(t, k -> new HashSet<>());
                for (String p : kv[1].split(",")) {
                    int n = Integer.parseInt(p);
                    ps.add(n);
                    g.inverted.computeIfAbsent(t, k -> new HashMap<>()).put(n, id);
                }
            }
        }
        g.members.put(id, new MemberSubscriptionAndAssignmentImpl(opt(f[3]), opt(f[2]), subs, new Assignment(target)));
        g.order.add(id);
        g.subscriptions.add(subs);
    }

    static void topic(Group g, String[] f) {
        Uuid id = uuid(f[1]);
        int n = Integer.parseInt(f[2]);
        g.topics.partitions.put(id, n);
        if (f.length > 3 && !f[3].equals("-")) {
            List<Set<String>> racks = new ArrayList<>();
            for (String p : f[3].split(";", -1)) {
                racks.add(p.isEmpty() ? Set.of() : new HashSet<>(Arrays.asList(p.split(","))));
            }
            g.topics.racks.put(id, racks);
        }
    }

    static String render(MemberAssignment a) {
        if (a == null) return "-";
        TreeMap<String, TreeSet<Integer>> sorted = new TreeMap<>();
        for (Map.Entry<Uuid, Set<Integer>> e : a.partitions().entrySet()) {
            if (!e.getValue().isEmpty()) sorted.put(hex(e.getKey()), new TreeSet<>(e.getValue()));
        }
        if (sorted.isEmpty()) return "-";
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, TreeSet<Integer>> e : sorted.entrySet()) {
            if (out.length() > 0) out.append(';');
            out.append(e.getKey()).append(':');
            boolean first = true;
            for (int p : e.getValue()) {
                if (!first) out.append(',');
                out.append(p);
                first = false;
            }
        }
        return out.toString();
    }

    static void answer(Group g, BufferedWriter out) throws Exception {
        out.write("group " + g.name + "\n");
        ConsumerGroupPartitionAssignor[] assignors = {new RangeAssignor(), new UniformAssignor()};
        for (ConsumerGroupPartitionAssignor assignor : assignors) {
            try {
                GroupAssignment result = assignor.assign(g.spec(), g.topics);
                for (String m : g.order) {
                    out.write(assignor.name() + " " + m + " " + render(result.members().get(m)) + "\n");
                }
            } catch (RuntimeException e) {
                out.write(assignor.name() + " ! " + String.valueOf(e.getMessage()).replace('\n', ' ') + "\n");
            }
        }
        out.write("end\n");
    }

    static long median(ConsumerGroupPartitionAssignor assignor, Group g, long warmupMs, int runs) {
        GroupSpecImpl spec = g.spec();
        long until = System.nanoTime() + warmupMs * 1_000_000L;
        long sink = 0;
        while (System.nanoTime() < until) {
            sink += assignor.assign(spec, g.topics).members().size();
        }
        long[] times = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            sink += assignor.assign(spec, g.topics).members().size();
            times[i] = System.nanoTime() - start;
        }
        if (sink == 42) System.err.print("");
        Arrays.sort(times);
        return times[runs / 2];
    }

    public static void main(String[] args) throws Exception {
        boolean timing = args.length >= 3 && args[0].equals("time");
        long warmupMs = timing ? Long.parseLong(args[1]) : 0;
        int runs = timing ? Integer.parseInt(args[2]) : 0;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 20);
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 20);
        Group g = null;
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "group":
                    g = new Group();
                    g.name = f[1];
                    break;
                case "topic":
                    topic(g, f);
                    break;
                case "member":
                    member(g, f);
                    break;
                case "incremental":
                    g.incremental = f;
                    break;
                case "end":
                    if (timing) {
                        ConsumerGroupPartitionAssignor r = new RangeAssignor();
                        ConsumerGroupPartitionAssignor u = new UniformAssignor();
                        long range = median(r, g.incremental == null ? g : g.settledOn(r), warmupMs, runs);
                        long uniform = median(u, g.incremental == null ? g : g.settledOn(u), warmupMs, runs);
                        out.write("time " + g.name + " range " + range + " uniform " + uniform + "\n");
                    } else {
                        answer(g, out);
                    }
                    out.flush();
                    g = null;
                    break;
                default:
                    throw new IllegalArgumentException("unknown line: " + line);
            }
        }
        out.flush();
    }
}
