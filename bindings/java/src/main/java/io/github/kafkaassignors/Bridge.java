package io.github.kafkaassignors;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * One assignment through the native library: the group written once into
 * two flat arrays (every name once as UTF-8 bytes, everything else as ints
 * naming them), one JNI call, the answer read back into Java lists.
 *
 * <p>The metadata's topics are the first names (name id = topic index), so
 * per-partition tables index by topic without a map. An owned
 * {@link TopicPartition} that the answer keeps is handed back as the same
 * object instead of a new one.
 */
final class Bridge {
    static final int RANGE = 0;
    static final int ROUNDROBIN = 1;
    static final int STICKY = 2;
    static final int COOPERATIVE_STICKY = 3;

    static final int NO_GENERATION = Integer.MIN_VALUE;

    private final int strategy;
    private final int options;

    // The name table.
    private final HashMap<String, Integer> ids = new HashMap<>();
    private final ArrayList<String> names = new ArrayList<>();
    private byte[] nameBytes = new byte[4096];
    private int nameLength;
    private int[] nameEnds = new int[256];

    // Everything after the name table.
    private int[] body = new int[1024];
    private int size;

    // The metadata.
    private int topicCount;
    private int[] partitionCounts = new int[0];
    private int[] base = new int[0];
    private int totalPartitions;

    // The members, in the order written.
    private final ArrayList<String> memberIds = new ArrayList<>();
    private int memberCountAt = -1;

    // Owned partitions, by global partition index (base[topic] + partition):
    // the object a member sent, its owner (member index, -1 none, -2 two
    // claims at one generation) and that owner's generation. Made on the
    // first owned partition.
    private TopicPartition[] known;
    private int[] owner;
    private int[] ownerGeneration;

    Bridge(int strategy, int options) {
        this.strategy = strategy;
        this.options = options;
    }

    private int id(String name) {
        Integer id = ids.get(name);
        if (id != null) {
            return id;
        }
        int next = names.size();
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (nameLength + utf8.length > nameBytes.length) {
            nameBytes = Arrays.copyOf(nameBytes, Math.max(nameBytes.length * 2, nameLength + utf8.length));
        }
        System.arraycopy(utf8, 0, nameBytes, nameLength, utf8.length);
        nameLength += utf8.length;
        if (next == nameEnds.length) {
            nameEnds = Arrays.copyOf(nameEnds, next * 2);
        }
        nameEnds[next] = nameLength;
        names.add(name);
        ids.put(name, next);
        return next;
    }

    private void reserve(int more) {
        if (size + more > body.length) {
            body = Arrays.copyOf(body, Math.max(body.length * 2, size + more));
        }
    }

    private void put(int value) {
        body[size++] = value;
    }

    /**
     * The metadata: each topic's partitions, with their replicas' racks when
     * {@code racks} (worth sending only when some member has a rack).
     */
    void topics(Map<String, List<PartitionInfo>> partitionsPerTopic, boolean racks) {
        topicCount = partitionsPerTopic.size();
        partitionCounts = new int[topicCount];
        base = new int[topicCount + 1];
        reserve(1 + 3 * topicCount);
        put(topicCount);
        int t = 0;
        for (Map.Entry<String, List<PartitionInfo>> e : partitionsPerTopic.entrySet()) {
            int id = id(e.getKey());
            List<PartitionInfo> partitions = e.getValue();
            int count = partitions == null ? 0 : partitions.size();
            partitionCounts[t] = count;
            base[t + 1] = base[t] + count;
            reserve(3);
            put(id);
            put(count);
            if (!racks || count == 0) {
                put(0);
            } else {
                put(1);
                PartitionInfo[] byNumber = new PartitionInfo[count];
                for (PartitionInfo info : partitions) {
                    if (info.partition() >= 0 && info.partition() < count) {
                        byNumber[info.partition()] = info;
                    }
                }
                for (PartitionInfo info : byNumber) {
                    Node[] replicas = info == null ? null : info.replicas();
                    int n = 0;
                    reserve(1 + (replicas == null ? 0 : replicas.length));
                    int countAt = size;
                    put(0);
                    if (replicas != null) {
                        for (Node node : replicas) {
                            if (node != null && node.hasRack()) {
                                put(id(node.rack()));
                                n++;
                            }
                        }
                    }
                    body[countAt] = n;
                }
            }
            t++;
        }
        totalPartitions = base[topicCount];
    }

    /** The metadata as partition counts alone. */
    void topicCounts(Map<String, Integer> partitionsPerTopic) {
        topicCount = partitionsPerTopic.size();
        partitionCounts = new int[topicCount];
        base = new int[topicCount + 1];
        reserve(1 + 3 * topicCount);
        put(topicCount);
        int t = 0;
        for (Map.Entry<String, Integer> e : partitionsPerTopic.entrySet()) {
            int count = e.getValue() == null ? 0 : e.getValue();
            put(id(e.getKey()));
            put(count);
            put(0);
            partitionCounts[t] = count;
            base[t + 1] = base[t] + count;
            t++;
        }
        totalPartitions = base[topicCount];
    }

    private void ensureOwnerTables() {
        if (owner == null) {
            known = new TopicPartition[totalPartitions];
            owner = new int[totalPartitions];
            ownerGeneration = new int[totalPartitions];
            Arrays.fill(owner, -1);
        }
    }

    /** Records a claim on a metadata partition for the owner tables. */
    private void claim(int topic, int partition, int member, int generation, TopicPartition object) {
        if (topic >= topicCount || partition < 0 || partition >= partitionCounts[topic]) {
            return;
        }
        int g = base[topic] + partition;
        if (object != null) {
            known[g] = object;
        }
        int previous = owner[g];
        if (previous == -1) {
            owner[g] = member;
            ownerGeneration[g] = generation;
        } else if (previous != member) {
            if (generation > ownerGeneration[g]) {
                owner[g] = member;
                ownerGeneration[g] = generation;
            } else if (generation == ownerGeneration[g]) {
                owner[g] = -2;
            }
        }
    }

    /**
     * One member: its subscription and what it owned before, as the strategy
     * reads it ({@code owned} a list of partitions, or {@code sticky} the
     * sticky user data's; one of them null).
     */
    void member(String memberId, Subscription subscription, Optional<Integer> generation,
                List<TopicPartition> owned, StickyUserData sticky) {
        if (memberCountAt < 0) {
            reserve(1);
            memberCountAt = size;
            put(0);
        }
        int index = memberIds.size();
        memberIds.add(memberId);
        List<String> topics = subscription.topics();
        int ownedCount = owned != null ? owned.size() : sticky != null ? sticky.partitionCount() : 0;
        reserve(6 + topics.size() + 2 * ownedCount);
        put(id(memberId));
        put(subscription.groupInstanceId().map(this::id).orElse(-1));
        put(subscription.rackId().filter(r -> !r.isEmpty()).map(this::id).orElse(-1));
        int gen = generation.orElse(NO_GENERATION);
        put(gen);
        put(topics.size());
        for (String topic : topics) {
            put(id(topic));
        }
        put(ownedCount);
        int claimGeneration = gen == NO_GENERATION ? -1 : gen;
        if (ownedCount > 0) {
            ensureOwnerTables();
        }
        if (owned != null) {
            String lastTopic = null;
            int lastId = -1;
            for (TopicPartition tp : owned) {
                String topic = tp.topic();
                if (topic != lastTopic) {
                    lastId = id(topic);
                    lastTopic = topic;
                }
                put(lastId);
                put(tp.partition());
                claim(lastId, tp.partition(), index, claimGeneration, tp);
            }
        } else if (sticky != null) {
            for (int k = 0; k < sticky.topics.length; k++) {
                int topic = id(sticky.topics[k]);
                for (int p : sticky.partitions[k]) {
                    put(topic);
                    put(p);
                    claim(topic, p, index, claimGeneration, null);
                }
            }
        }
    }

    /** The answer: every member's partitions, in the order written. */
    static final class Answer {
        final Map<String, List<TopicPartition>> assignment;
        /** Partitions whose owner before this rebalance is now another member (or was contested). */
        final Map<TopicPartition, String> transfers;
        /** Per topic, the (from, to) member pairs of its moved partitions. */
        final Map<String, Set<Long>> moves;

        /** Partitions someone owned before that nobody is given now. */
        final List<TopicPartition> unassignedOwned;

        Answer(Map<String, List<TopicPartition>> assignment, Map<TopicPartition, String> transfers,
               Map<String, Set<Long>> moves, List<TopicPartition> unassignedOwned) {
            this.assignment = assignment;
            this.transfers = transfers;
            this.moves = moves;
            this.unassignedOwned = unassignedOwned;
        }

        /**
         * The cooperative round's partitions changing owner: those given to
         * another member than their owner, and those withheld (a null
         * destination: it is chosen in the follow-up round).
         */
        Map<TopicPartition, String> withheld() {
            Map<TopicPartition, String> out = new HashMap<>(transfers);
            for (TopicPartition tp : unassignedOwned) {
                out.put(tp, null);
            }
            return out;
        }
    }

    /** The one native call, and the answer read back. */
    Answer run() {
        if (memberCountAt < 0) {
            reserve(1);
            memberCountAt = size;
            put(0);
        }
        body[memberCountAt] = memberIds.size();
        int n = names.size();
        int[] group = new int[4 + n + size];
        group[0] = 1;
        group[1] = strategy;
        group[2] = options;
        group[3] = n;
        System.arraycopy(nameEnds, 0, group, 4, n);
        System.arraycopy(body, 0, group, 4 + n, size);
        body = null;
        int[] answer = Native.call(Arrays.copyOf(nameBytes, nameLength), group);
        return read(answer);
    }

    private Answer read(int[] answer) {
        Map<String, List<TopicPartition>> out = new HashMap<>(memberIds.size() * 2);
        Map<TopicPartition, String> transfers = new HashMap<>();
        Map<String, Set<Long>> moves = new HashMap<>();
        boolean[] assigned = owner == null ? null : new boolean[totalPartitions];
        int at = 0;
        for (int m = 0; m < memberIds.size(); m++) {
            String memberId = memberIds.get(m);
            int runs = answer[at++];
            int total = 0;
            for (int r = 0, scan = at; r < runs; r++) {
                int count = answer[scan + 1];
                total += count;
                scan += 2 + count;
            }
            List<TopicPartition> partitions = new ArrayList<>(total);
            for (int r = 0; r < runs; r++) {
                int topic = answer[at];
                int count = answer[at + 1];
                at += 2;
                String name = names.get(topic);
                boolean metadata = topic < topicCount;
                for (int i = 0; i < count; i++) {
                    int p = answer[at + i];
                    TopicPartition tp = null;
                    if (metadata && owner != null && p >= 0 && p < partitionCounts[topic]) {
                        int g = base[topic] + p;
                        assigned[g] = true;
                        tp = known[g];
                        int previous = owner[g];
                        if (previous != m && previous != -1) {
                            if (tp == null) {
                                tp = new TopicPartition(name, p);
                            }
                            transfers.put(tp, memberId);
                            if (previous >= 0) {
                                moves.computeIfAbsent(name, k -> new HashSet<>())
                                        .add(((long) previous << 32) | m);
                            }
                        }
                    }
                    partitions.add(tp != null ? tp : new TopicPartition(name, p));
                }
                at += count;
            }
            out.put(memberId, partitions);
        }
        List<TopicPartition> unassignedOwned = new ArrayList<>();
        if (owner != null) {
            for (int t = 0; t < topicCount; t++) {
                for (int p = 0; p < partitionCounts[t]; p++) {
                    int g = base[t] + p;
                    if (owner[g] != -1 && !assigned[g]) {
                        unassignedOwned.add(known[g] != null ? known[g] : new TopicPartition(names.get(t), p));
                    }
                }
            }
        }
        return new Answer(out, transfers, moves, unassignedOwned);
    }

    /** Whether any subscription has a non-empty rack. */
    static boolean anyRack(Collection<Subscription> subscriptions) {
        for (Subscription s : subscriptions) {
            if (s.rackId().filter(r -> !r.isEmpty()).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** Whether every member subscribes to the same set of topics. */
    static boolean allSubscriptionsEqual(Collection<Subscription> subscriptions) {
        Set<String> first = null;
        for (Subscription s : subscriptions) {
            if (first == null) {
                first = new HashSet<>(s.topics());
            } else if (s.topics().size() != first.size() || !first.containsAll(s.topics())) {
                return false;
            }
        }
        return true;
    }

    /** Whether the moves of one topic, as (from, to) pairs, contain a cycle. */
    static boolean hasCycle(Set<Long> pairs) {
        Map<Integer, List<Integer>> next = new HashMap<>();
        for (long pair : pairs) {
            next.computeIfAbsent((int) (pair >>> 32), k -> new ArrayList<>()).add((int) pair);
        }
        Map<Integer, Integer> state = new HashMap<>(); // 1 on the path, 2 done
        for (Integer start : next.keySet()) {
            if (cycleFrom(start, next, state)) {
                return true;
            }
        }
        return false;
    }

    private static boolean cycleFrom(Integer node, Map<Integer, List<Integer>> next, Map<Integer, Integer> state) {
        Integer s = state.get(node);
        if (s != null) {
            return s == 1;
        }
        state.put(node, 1);
        for (Integer to : next.getOrDefault(node, List.of())) {
            if (cycleFrom(to, next, state)) {
                return true;
            }
        }
        state.put(node, 2);
        return false;
    }
}
