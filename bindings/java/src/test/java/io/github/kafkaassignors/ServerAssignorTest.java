package io.github.kafkaassignors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.ConsumerGroupPartitionAssignor;
import org.apache.kafka.coordinator.group.api.assignor.GroupAssignment;
import org.apache.kafka.coordinator.group.api.assignor.GroupSpec;
import org.apache.kafka.coordinator.group.api.assignor.MemberAssignment;
import org.apache.kafka.coordinator.group.api.assignor.PartitionAssignorException;
import org.apache.kafka.coordinator.group.api.assignor.SubscribedTopicDescriber;
import org.apache.kafka.coordinator.group.api.assignor.SubscriptionType;
import org.apache.kafka.coordinator.group.assignor.RangeAssignor;
import org.apache.kafka.coordinator.group.modern.Assignment;
import org.apache.kafka.coordinator.group.modern.GroupSpecImpl;
import org.apache.kafka.coordinator.group.modern.MemberSubscriptionAndAssignmentImpl;
import org.junit.jupiter.api.Test;

/**
 * The broker-side assignors through Kafka's own types (GroupSpecImpl and
 * MemberSubscriptionAndAssignmentImpl of kafka-group-coordinator 4.3.1):
 * the library's answers exactly ({@code kassign target} on the same group),
 * {@code range} identical to Kafka's own server-side RangeAssignor,
 * {@code uniform} balanced and stable, unchanged members handed their own
 * assignment object back, errors as PartitionAssignorException. Random
 * groups are seeded; the seed is printed ({@code -Dserver.seed=S} replays).
 */
class ServerAssignorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] RACKS = {"a", "b", "c"};

    /** Topic metadata for the assignors: partition counts and replica racks. */
    static final class Topics implements SubscribedTopicDescriber {
        final Map<Uuid, Integer> partitions = new LinkedHashMap<>();
        final Map<Uuid, String> names = new HashMap<>();
        final Map<Uuid, List<Set<String>>> racks = new HashMap<>();

        @Override
        public int numPartitions(Uuid topicId) {
            return partitions.getOrDefault(topicId, -1);
        }

        @Override
        public Set<String> racksForPartition(Uuid topicId, int partition) {
            List<Set<String>> list = racks.get(topicId);
            return list == null || partition >= list.size() ? Set.of() : list.get(partition);
        }
    }

    /** A member as the tests build it. */
    record Member(String id, String instance, String rack, Set<Uuid> topics, Map<Uuid, Set<Integer>> target) {
    }

    /** The coordinator's group spec for these members (the type from the subscriptions). */
    static GroupSpecImpl spec(List<Member> members) {
        Map<String, MemberSubscriptionAndAssignmentImpl> specs = new HashMap<>();
        Map<Uuid, Map<Integer, String>> inverted = new HashMap<>();
        SubscriptionType type = SubscriptionType.HOMOGENEOUS;
        for (Member m : members) {
            if (!m.topics.equals(members.get(0).topics)) {
                type = SubscriptionType.HETEROGENEOUS;
            }
            specs.put(m.id, new MemberSubscriptionAndAssignmentImpl(Optional.ofNullable(m.rack),
                    Optional.ofNullable(m.instance), m.topics, new Assignment(m.target)));
            m.target.forEach((t, ps) -> ps.forEach(p -> inverted.computeIfAbsent(t, k -> new HashMap<>()).put(p, m.id)));
        }
        return new GroupSpecImpl(specs, type, inverted);
    }

    /** The topic id kassign derives from a name (TopicId::from_name: two FNV-1a-64 hashes). */
    static Uuid idOf(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return new Uuid(fnv(0xcbf29ce484222325L, bytes), fnv(0x84222325cbf29ce4L, bytes));
    }

    private static long fnv(long hash, byte[] bytes) {
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** A member's partitions without empty topics, as sorted maps. */
    static Map<Uuid, Set<Integer>> normal(MemberAssignment a) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        if (a != null) {
            a.partitions().forEach((t, ps) -> {
                if (!ps.isEmpty()) {
                    out.put(t, new TreeSet<>(ps));
                }
            });
        }
        return out;
    }

    static Map<String, Map<Uuid, Set<Integer>>> normal(GroupAssignment a, List<Member> members) {
        Map<String, Map<Uuid, Set<Integer>>> out = new TreeMap<>();
        for (Member m : members) {
            out.put(m.id, normal(a.members().get(m.id)));
        }
        return out;
    }

    static long seed() {
        String given = System.getProperty("server.seed");
        long seed = given != null ? Long.parseLong(given) : new Random().nextLong();
        System.out.println("ServerAssignorTest seed " + seed + " (-Dserver.seed=" + seed + " replays)");
        return seed;
    }

    /**
     * A random group: 1-5 topics of 0-12 partitions (ids from their names,
     * as kassign derives them), sometimes with replica racks; 1-8 members,
     * sometimes static or racked, subscribed to one shared set or each to a
     * random subset; current targets random partitions of what they
     * subscribe to (sometimes of what they no longer do).
     */
    static List<Member> randomGroup(Random rng, Topics topics, boolean racks) {
        int topicCount = 1 + rng.nextInt(5);
        List<Uuid> ids = new ArrayList<>();
        for (int t = 0; t < topicCount; t++) {
            String name = "topic-" + t + "-" + rng.nextInt(1000);
            Uuid id = idOf(name);
            if (topics.partitions.containsKey(id)) {
                continue;
            }
            int n = rng.nextInt(13);
            topics.partitions.put(id, n);
            topics.names.put(id, name);
            ids.add(id);
            if (racks && rng.nextBoolean()) {
                List<Set<String>> per = new ArrayList<>();
                for (int p = 0; p < n; p++) {
                    Set<String> r = new TreeSet<>();
                    for (int k = rng.nextInt(3); k >= 0; k--) {
                        r.add(RACKS[rng.nextInt(RACKS.length)]);
                    }
                    per.add(r);
                }
                topics.racks.put(id, per);
            }
        }
        boolean homogeneous = rng.nextBoolean();
        Set<Uuid> shared = new HashSet<>(ids);
        int memberCount = 1 + rng.nextInt(8);
        List<Member> members = new ArrayList<>();
        for (int m = 0; m < memberCount; m++) {
            Set<Uuid> subs = shared;
            if (!homogeneous) {
                subs = new HashSet<>();
                for (Uuid id : ids) {
                    if (rng.nextInt(3) > 0) {
                        subs.add(id);
                    }
                }
            }
            Map<Uuid, Set<Integer>> target = new HashMap<>();
            for (Uuid id : ids) {
                if (!subs.contains(id) && rng.nextInt(4) > 0) {
                    continue;
                }
                for (int p = 0; p < topics.partitions.get(id); p++) {
                    if (rng.nextInt(memberCount + 1) == 0) {
                        target.computeIfAbsent(id, k -> new HashSet<>()).add(p);
                    }
                }
            }
            String instance = rng.nextInt(3) == 0 ? "instance-" + rng.nextInt(100) + "-" + m : null;
            String rack = racks && rng.nextBoolean() ? RACKS[rng.nextInt(RACKS.length)] : null;
            members.add(new Member("member-" + rng.nextInt(1000) + "-" + m, instance, rack, subs, target));
        }
        return members;
    }

    /** `kassign target --assignor NAME` on the group: member -> topic id -> partitions. */
    static Map<String, Map<Uuid, Set<Integer>>> kassign(String assignor, Topics topics, List<Member> members) throws Exception {
        ObjectNode scenario = JSON.createObjectNode();
        ObjectNode topicsNode = scenario.putObject("topics");
        Map<String, Uuid> byName = new HashMap<>();
        topics.partitions.forEach((id, n) -> {
            String name = topics.names.get(id);
            byName.put(name, id);
            List<Set<String>> racks = topics.racks.get(id);
            if (racks == null) {
                topicsNode.put(name, n);
            } else {
                ObjectNode t = topicsNode.putObject(name);
                t.put("partitions", n);
                ArrayNode per = t.putArray("racks");
                racks.forEach(r -> {
                    ArrayNode row = per.addArray();
                    r.forEach(row::add);
                });
            }
        });
        ArrayNode membersNode = scenario.putArray("members");
        for (Member m : members) {
            ObjectNode node = membersNode.addObject();
            node.put("id", m.id);
            if (m.instance != null) {
                node.put("instance_id", m.instance);
            }
            if (m.rack != null) {
                node.put("rack", m.rack);
            }
            ArrayNode subs = node.putArray("topics");
            new TreeSet<>(m.topics.stream().map(topics.names::get).toList()).forEach(subs::add);
            ObjectNode owned = node.putObject("owned");
            m.target.forEach((t, ps) -> {
                ArrayNode list = owned.putArray(topics.names.get(t));
                new TreeSet<>(ps).forEach(list::add);
            });
        }
        Path file = Files.createTempFile("server-assignor-", ".json");
        try {
            JSON.writeValue(file.toFile(), scenario);
            String bin = System.getProperty("kassign.bin", "target/kassign");
            Process p = new ProcessBuilder(bin, "target", "--assignor", assignor, file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "kassign did not finish");
            assertEquals(0, p.exitValue(), "kassign target failed on " + JSON.writeValueAsString(scenario));
            JsonNode answer = JSON.readTree(out).get("assignment");
            Map<String, Map<Uuid, Set<Integer>>> result = new TreeMap<>();
            answer.fields().forEachRemaining(member -> {
                Map<Uuid, Set<Integer>> mine = new TreeMap<>();
                member.getValue().fields().forEachRemaining(t -> {
                    Set<Integer> ps = new TreeSet<>();
                    t.getValue().forEach(v -> ps.add(v.asInt()));
                    if (!ps.isEmpty()) {
                        mine.put(byName.get(t.getKey()), ps);
                    }
                });
                result.put(member.getKey(), mine);
            });
            return result;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void bothAssignorsGiveTheLibrarysAnswersThroughKafkasTypes() throws Exception {
        assertTrue(new File(System.getProperty("kassign.bin", "target/kassign")).canExecute(),
                "kassign.bin names no executable (mvn builds it in generate-test-resources)");
        Random rng = new Random(seed());
        int groups = 0;
        for (int g = 0; g < 60; g++) {
            Topics topics = new Topics();
            List<Member> members = randomGroup(rng, topics, true);
            if (members.stream().map(Member::instance).filter(i -> i != null).distinct().count()
                    != members.stream().map(Member::instance).filter(i -> i != null).count()) {
                continue;
            }
            GroupSpecImpl spec = spec(members);
            for (ConsumerGroupPartitionAssignor ours : new ConsumerGroupPartitionAssignor[] {
                    new UniformServerAssignor(), new RangeServerAssignor()}) {
                String name = ours.name().substring("kassign-".length());
                assertEquals(kassign(name, topics, members), normal(ours.assign(spec, topics), members),
                        name + " on group " + g);
            }
            groups++;
        }
        assertTrue(groups > 40, groups + " groups checked");
    }

    @Test
    void rangeIsKafkasOwnRangeAssignor() {
        Random rng = new Random(seed());
        ConsumerGroupPartitionAssignor ours = new RangeServerAssignor();
        ConsumerGroupPartitionAssignor kafka = new RangeAssignor();
        int checked = 0;
        for (int g = 0; g < 400; g++) {
            Topics topics = new Topics();
            List<Member> members = randomGroup(rng, topics, false);
            if (members.stream().map(Member::instance).filter(i -> i != null).distinct().count()
                    != members.stream().map(Member::instance).filter(i -> i != null).count()) {
                continue;
            }
            GroupSpecImpl spec = spec(members);
            GroupAssignment theirs = kafka.assign(spec, topics);
            GroupAssignment mine = ours.assign(spec, topics);
            assertEquals(normal(theirs, members), normal(mine, members), "group " + g + ": " + members);
            checked++;
        }
        assertTrue(checked > 300, checked + " groups checked");
    }

    @Test
    void uniformIsBalancedAndStableOnItsOwnOutput() {
        Random rng = new Random(seed());
        ConsumerGroupPartitionAssignor ours = new UniformServerAssignor();
        for (int g = 0; g < 300; g++) {
            Topics topics = new Topics();
            List<Member> members = randomGroup(rng, topics, rng.nextBoolean());
            if (members.stream().map(Member::instance).filter(i -> i != null).distinct().count()
                    != members.stream().map(Member::instance).filter(i -> i != null).count()) {
                continue;
            }
            GroupSpecImpl spec = spec(members);
            GroupAssignment first = ours.assign(spec, topics);
            // Valid: each subscribed partition exactly once, to a subscriber.
            Map<Uuid, Set<Integer>> seen = new HashMap<>();
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (Member m : members) {
                int load = 0;
                for (Map.Entry<Uuid, Set<Integer>> e : normal(first.members().get(m.id)).entrySet()) {
                    assertTrue(m.topics.contains(e.getKey()), "group " + g + ": " + m.id + " is not subscribed");
                    for (int p : e.getValue()) {
                        assertTrue(seen.computeIfAbsent(e.getKey(), k -> new HashSet<>()).add(p),
                                "group " + g + ": partition given twice");
                    }
                    load += e.getValue().size();
                }
                min = Math.min(min, load);
                max = Math.max(max, load);
            }
            Set<Uuid> subscribed = new HashSet<>();
            members.forEach(m -> subscribed.addAll(m.topics));
            for (Uuid t : subscribed) {
                assertEquals(topics.partitions.get(t), seen.getOrDefault(t, Set.of()).size(),
                        "group " + g + ": every partition of a subscribed topic assigned");
            }
            if (spec.subscriptionType() == SubscriptionType.HOMOGENEOUS) {
                assertTrue(max - min <= 1, "group " + g + ": homogeneous loads " + min + ".." + max);
            }
            // Stable: its own answer as the current targets changes nothing,
            // and every member gets its current assignment object back.
            List<Member> settled = new ArrayList<>();
            for (Member m : members) {
                settled.add(new Member(m.id, m.instance, m.rack, m.topics, normal(first.members().get(m.id))));
            }
            GroupSpecImpl again = spec(settled);
            GroupAssignment second = ours.assign(again, topics);
            assertEquals(normal(first, members), normal(second, settled), "group " + g + ": not stable");
            for (Member m : settled) {
                assertSame(again.memberAssignment(m.id), second.members().get(m.id),
                        "group " + g + ": unchanged " + m.id + " got a new object");
            }
        }
    }

    @Test
    void onlyChangedMembersGetNewObjects() {
        Uuid t = idOf("orders");
        Topics topics = new Topics();
        topics.partitions.put(t, 6);
        topics.names.put(t, "orders");
        Set<Uuid> subs = Set.of(t);
        List<Member> members = new ArrayList<>(List.of(
                new Member("a", null, null, subs, Map.of(t, Set.of(0, 1))),
                new Member("b", null, null, subs, Map.of(t, Set.of(2, 3))),
                new Member("c", null, null, subs, Map.of(t, Set.of(4, 5)))));
        for (ConsumerGroupPartitionAssignor ours : new ConsumerGroupPartitionAssignor[] {
                new UniformServerAssignor(), new RangeServerAssignor()}) {
            GroupSpec spec = spec(members);
            GroupAssignment answer = ours.assign(spec, topics);
            for (Member m : members) {
                assertSame(spec.memberAssignment(m.id), answer.members().get(m.id), ours.name() + " " + m.id);
            }
        }
        // c leaves: a and b change (uniform keeps theirs and adds), nobody is unchanged.
        members.remove(2);
        GroupSpec spec = spec(members);
        GroupAssignment answer = new UniformServerAssignor().assign(spec, topics);
        for (Member m : members) {
            assertNotSame(spec.memberAssignment(m.id), answer.members().get(m.id), m.id);
            assertEquals(3, answer.members().get(m.id).partitions().get(t).size(), m.id);
            assertTrue(answer.members().get(m.id).partitions().get(t).containsAll(m.target.get(t)), m.id + " kept its own");
        }
        // A new member d: uniform takes one partition from each of a and b.
        members.add(new Member("c", null, null, subs, Map.of(t, Set.of(4, 5))));
        members.set(0, new Member("a", null, null, subs, Map.of(t, Set.of(0, 1))));
        members.add(new Member("d", null, null, subs, Map.of()));
        spec = spec(members);
        answer = new UniformServerAssignor().assign(spec, topics);
        int unchanged = 0;
        for (Member m : members) {
            if (answer.members().get(m.id) == spec.memberAssignment(m.id)) {
                unchanged++;
            }
        }
        // 6 partitions over 4 members, loads 2, 2, 1, 1: d takes one from
        // two of the others, and the other two keep their objects.
        assertEquals(2, unchanged, unchanged + " unchanged");
    }

    @Test
    void aDeletedTopicInATargetIsDroppedAndTheMemberChanges() {
        Uuid t = idOf("orders");
        Uuid gone = idOf("deleted");
        Topics topics = new Topics();
        topics.partitions.put(t, 2);
        Set<Uuid> subs = Set.of(t);
        List<Member> members = List.of(
                new Member("a", null, null, subs, Map.of(t, Set.of(0), gone, Set.of(0))),
                new Member("b", null, null, subs, Map.of(t, Set.of(1))));
        for (ConsumerGroupPartitionAssignor ours : new ConsumerGroupPartitionAssignor[] {
                new UniformServerAssignor(), new RangeServerAssignor()}) {
            GroupSpec spec = spec(members);
            GroupAssignment answer = ours.assign(spec, topics);
            assertNotSame(spec.memberAssignment("a"), answer.members().get("a"), ours.name());
            assertEquals(Map.of(t, Set.of(0)), normal(answer.members().get("a")), ours.name());
            assertSame(spec.memberAssignment("b"), answer.members().get("b"), ours.name());
        }
    }

    @Test
    void errorsArePartitionAssignorExceptionsWithTheLibrarysMessage() {
        Uuid t = idOf("orders");
        Topics topics = new Topics();
        topics.partitions.put(t, 2);
        Uuid unknown = new Uuid(0x0011223344556677L, 0x8899aabbccddeeffL);
        for (ConsumerGroupPartitionAssignor ours : new ConsumerGroupPartitionAssignor[] {
                new UniformServerAssignor(), new RangeServerAssignor()}) {
            PartitionAssignorException e = assertThrows(PartitionAssignorException.class, () -> ours.assign(spec(List.of(
                    new Member("a", null, null, Set.of(t, unknown), Map.of()))), topics));
            assertEquals("member \"a\" subscribes to topic id 00112233-4455-6677-8899-aabbccddeeff, "
                    + "which the metadata does not describe", e.getMessage(), ours.name());
            e = assertThrows(PartitionAssignorException.class, () -> ours.assign(spec(List.of(
                    new Member("a", "host", null, Set.of(t), Map.of()),
                    new Member("b", "host", null, Set.of(t), Map.of()))), topics));
            assertEquals("members \"a\" and \"b\" share group.instance.id \"host\"", e.getMessage(), ours.name());
            e = assertThrows(PartitionAssignorException.class, () -> ours.assign(spec(List.of(
                    new Member("a", null, null, Set.of(t), Map.of(t, Set.of(7))))), topics));
            assertTrue(e.getMessage().contains("names partition 7 of topic id"), e.getMessage());
        }
    }

    @Test
    void uniformPutsPartitionsOnTheirReplicasRacks() {
        // Each partition's only replica on one rack, listed against the
        // members' racks: with racks passed, every member gets exactly the
        // partitions of its own rack; without them the deal is by order.
        Uuid t = idOf("orders");
        Topics topics = new Topics();
        topics.partitions.put(t, 6);
        topics.racks.put(t, List.of(Set.of("c"), Set.of("b"), Set.of("a"), Set.of("c"), Set.of("b"), Set.of("a")));
        Set<Uuid> subs = Set.of(t);
        List<Member> members = List.of(
                new Member("m1", null, "a", subs, Map.of()),
                new Member("m2", null, "b", subs, Map.of()),
                new Member("m3", null, "c", subs, Map.of()));
        GroupAssignment answer = new UniformServerAssignor().assign(spec(members), topics);
        assertEquals(Map.of(t, Set.of(2, 5)), normal(answer.members().get("m1")));
        assertEquals(Map.of(t, Set.of(1, 4)), normal(answer.members().get("m2")));
        assertEquals(Map.of(t, Set.of(0, 3)), normal(answer.members().get("m3")));
    }

    @Test
    void theCoordinatorsSubscriptionTypeIsNotTrusted() {
        Random rng = new Random(seed());
        for (int g = 0; g < 100; g++) {
            Topics topics = new Topics();
            List<Member> members = randomGroup(rng, topics, false);
            if (members.stream().map(Member::instance).filter(i -> i != null).distinct().count()
                    != members.stream().map(Member::instance).filter(i -> i != null).count()) {
                continue;
            }
            GroupSpecImpl right = spec(members);
            SubscriptionType wrong = right.subscriptionType() == SubscriptionType.HOMOGENEOUS
                    ? SubscriptionType.HETEROGENEOUS : SubscriptionType.HOMOGENEOUS;
            Map<String, MemberSubscriptionAndAssignmentImpl> specs = new HashMap<>();
            right.memberIds().forEach(id -> specs.put(id, (MemberSubscriptionAndAssignmentImpl) right.memberSubscription(id)));
            GroupSpecImpl lying = new GroupSpecImpl(specs, wrong, new HashMap<>());
            for (ConsumerGroupPartitionAssignor ours : new ConsumerGroupPartitionAssignor[] {
                    new UniformServerAssignor(), new RangeServerAssignor()}) {
                assertEquals(normal(ours.assign(right, topics), members), normal(ours.assign(lying, topics), members),
                        ours.name() + " on group " + g);
            }
        }
    }

    @Test
    void corruptedArraysAreExceptionsNeverCrashes() {
        AssignorException e = assertThrows(AssignorException.class, () -> ServerNative.call(null, new long[0], new int[0]));
        assertEquals("names, topics and group arrays must not be null", e.getMessage());
        // A valid group (one member of one topic of 2 partitions), then
        // every truncation and many random corruptions of its arrays: an
        // answer or an AssignorException, never a crash of the JVM.
        byte[] names = "c".getBytes(StandardCharsets.UTF_8);
        long[] topics = {1, 2};
        int[] good = {1, 0, 1, 1, 1, 2, 0, 1, 0, -1, -1, 1, 0, 1, 0, 1, 1};
        // c's target was partition 1; uniform gives it both.
        assertArrayEquals(new int[] {1, 0, 2, 0, 1}, ServerNative.call(names, topics, good));
        Random rng = new Random(seed());
        int errors = 0;
        for (int i = 0; i < 5000; i++) {
            int[] bad = java.util.Arrays.copyOf(good, i < good.length ? i : good.length);
            if (i >= good.length) {
                bad[rng.nextInt(bad.length)] = rng.nextInt(7) - 3 + (rng.nextInt(10) == 0 ? Integer.MAX_VALUE / 2 : 0);
            }
            try {
                ServerNative.call(names, topics, bad);
            } catch (AssignorException expected) {
                errors++;
            }
        }
        assertTrue(errors > good.length, errors + " errors");
    }

    @Test
    void anEmptyGroupHasAnEmptyAssignment() {
        GroupAssignment answer = new UniformServerAssignor().assign(spec(List.of()), new Topics());
        assertTrue(answer.members().isEmpty());
    }

    @Test
    void partitionSetsAreSetsByTheSetContract() {
        PartitionSet set = new PartitionSet(new int[] {5, 1, 3, 3});
        assertEquals(Set.of(1, 3, 5), set);
        assertEquals(set, Set.of(1, 3, 5));
        assertEquals(Set.of(1, 3, 5).hashCode(), set.hashCode());
        assertTrue(set.contains(3));
        assertTrue(!set.contains(2) && !set.contains("3"));
        assertThrows(UnsupportedOperationException.class, () -> set.add(7));
        assertThrows(UnsupportedOperationException.class, set::clear);
    }
}
