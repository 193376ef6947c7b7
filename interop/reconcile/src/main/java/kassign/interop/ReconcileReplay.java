package kassign.interop;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedMemberEpochException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.coordinator.common.runtime.CoordinatorMetadataDelta;
import org.apache.kafka.coordinator.common.runtime.CoordinatorMetadataImage;
import org.apache.kafka.coordinator.group.modern.Assignment;
import org.apache.kafka.coordinator.group.modern.MemberState;
import org.apache.kafka.coordinator.group.modern.consumer.ConsumerGroupMember;
import org.apache.kafka.coordinator.group.modern.consumer.CurrentAssignmentBuilder;

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
 * Replays reconciliation sequences (the line format documented in
 * testkit/src/kip848.rs) through Kafka's CurrentAssignmentBuilder, carrying
 * the member it builds from step to step, and prints every step's outcome:
 * "NAME I STATE EPOCH PREVIOUS ASSIGNED PENDING", or "NAME I FENCED" when
 * the builder throws FencedMemberEpochException (the member stays as it
 * was). Topic number t is Uuid(t + 1, 0xabc) named "t" + t; every topic of
 * the sequences exists in the metadata image.
 */
public final class ReconcileReplay {
    private static final int TOPICS = 64;

    private ReconcileReplay() {}

    static Uuid topicId(int t) {
        return new Uuid(t + 1, 0xabc);
    }

    static int topicNumber(Uuid id) {
        return (int) (id.getMostSignificantBits() - 1);
    }

    /** A metadata image that knows topics t0..t63 by name and id. */
    static final class Image implements CoordinatorMetadataImage {
        private final Map<Uuid, TopicMetadata> byId = new HashMap<>();
        private final Map<String, TopicMetadata> byName = new HashMap<>();

        Image() {
            for (int t = 0; t < TOPICS; t++) {
                final Uuid id = topicId(t);
                final String name = "t" + t;
                TopicMetadata meta = new TopicMetadata() {
                    public String name() { return name; }
                    public Uuid id() { return id; }
                    public int partitionCount() { return 1 << 16; }
                    public List<String> partitionRacks(int partition) { return List.of(); }
                };
                byId.put(id, meta);
                byName.put(name, meta);
            }
        }

        public Set<Uuid> topicIds() { return byId.keySet(); }
        public Set<String> topicNames() { return byName.keySet(); }
        public Optional<TopicMetadata> topicMetadata(String name) { return Optional.ofNullable(byName.get(name)); }
        public Optional<TopicMetadata> topicMetadata(Uuid id) { return Optional.ofNullable(byId.get(id)); }
        public CoordinatorMetadataDelta emptyDelta() { return null; }
        public long version() { return 1; }
        public boolean isEmpty() { return false; }
    }

    static MemberState state(String name) {
        return MemberState.valueOf(name);
    }

    /** "t:p@e,..." or "." as topic id -> partition -> epoch. */
    static Map<Uuid, Map<Integer, Integer>> epochs(String text) {
        if (text.equals(".")) return Map.of();
        Map<Uuid, Map<Integer, Integer>> out = new HashMap<>();
        for (String item : text.split(",")) {
            String[] te = item.split("@");
            String[] tp = te[0].split(":");
            out.computeIfAbsent(topicId(Integer.parseInt(tp[0])), k -> new HashMap<>())
                .put(Integer.parseInt(tp[1]), Integer.parseInt(te[1]));
        }
        return out;
    }

    /** "t:p,..." or "." as topic id -> partitions. */
    static Map<Uuid, Set<Integer>> partitions(String text) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        if (text.equals(".")) return out;
        for (String item : text.split(",")) {
            String[] tp = item.split(":");
            out.computeIfAbsent(topicId(Integer.parseInt(tp[0])), k -> new HashSet<>())
                .add(Integer.parseInt(tp[1]));
        }
        return out;
    }

    static List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned(String text) {
        if (text.equals("~")) return null;
        List<ConsumerGroupHeartbeatRequestData.TopicPartitions> out = new ArrayList<>();
        for (Map.Entry<Uuid, Set<Integer>> e : partitions(text).entrySet()) {
            out.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                .setTopicId(e.getKey())
                .setPartitions(new ArrayList<>(e.getValue())));
        }
        return out;
    }

    static List<String> subscription(String text) {
        List<String> out = new ArrayList<>();
        if (text.equals(".")) return out;
        for (String t : text.split(",")) out.add("t" + t);
        return out;
    }

    static String format(Map<Uuid, Map<Integer, Integer>> map) {
        TreeMap<Integer, TreeMap<Integer, Integer>> sorted = new TreeMap<>();
        map.forEach((id, ps) -> sorted.computeIfAbsent(topicNumber(id), k -> new TreeMap<>()).putAll(ps));
        StringBuilder sb = new StringBuilder();
        sorted.forEach((t, ps) -> ps.forEach((p, e) -> {
            if (sb.length() > 0) sb.append(',');
            sb.append(t).append(':').append(p).append('@').append(e);
        }));
        return sb.length() == 0 ? "." : sb.toString();
    }

    public static void main(String[] args) throws Exception {
        Image image = new Image();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        String name = null;
        ConsumerGroupMember member = null;
        Set<String> subs = new TreeSet<>();
        int step = 0;
        String line;
        while ((line = in.readLine()) != null) {
            line = line.trim();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split(" ");
            switch (f[0]) {
                case "seq":
                    name = f[1];
                    step = 0;
                    break;
                case "member": {
                    subs = new TreeSet<>(subscription(f[6]));
                    Map<Uuid, Map<Integer, Integer>> assigned = epochs(f[4]);
                    Map<Uuid, Map<Integer, Integer>> pending = epochs(f[5]);
                    member = new ConsumerGroupMember.Builder("member-" + name)
                        .setState(state(f[1]))
                        .setMemberEpoch(Integer.parseInt(f[2]))
                        .setPreviousMemberEpoch(Integer.parseInt(f[3]))
                        .setAssignedPartitions(assigned)
                        .setPartitionsPendingRevocation(pending)
                        .setSubscribedTopicNames(new ArrayList<>(subs))
                        .build();
                    break;
                }
                case "step": {
                    int targetEpoch = Integer.parseInt(f[1]);
                    Assignment target = new Assignment(partitions(f[2]));
                    List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned = owned(f[3]);
                    boolean changed = f[4].equals("1");
                    Map<Uuid, Map<Integer, Integer>> owners = epochs(f[5]);
                    Set<String> newSubs = new TreeSet<>(subscription(f[6]));
                    if (!newSubs.equals(subs)) {
                        subs = newSubs;
                        member = new ConsumerGroupMember.Builder(member)
                            .setSubscribedTopicNames(new ArrayList<>(subs))
                            .build();
                    }
                    try {
                        member = new CurrentAssignmentBuilder(member)
                            .withMetadataImage(image)
                            .withTargetAssignment(targetEpoch, target)
                            .withHasSubscriptionChanged(changed)
                            .withCurrentPartitionEpoch((topicId, partition) ->
                                owners.getOrDefault(topicId, Map.of()).getOrDefault(partition, -1))
                            .withOwnedTopicPartitions(owned)
                            .build();
                        out.write(name + " " + step + " " + member.state() + " " + member.memberEpoch() + " "
                            + member.previousMemberEpoch() + " " + format(member.assignedPartitions()) + " "
                            + format(member.partitionsPendingRevocation()));
                    } catch (FencedMemberEpochException e) {
                        out.write(name + " " + step + " FENCED");
                    }
                    out.newLine();
                    step++;
                    break;
                }
                case "end":
                    break;
                default:
                    throw new IllegalArgumentException("unknown line: " + line);
            }
        }
        out.flush();
    }
}
