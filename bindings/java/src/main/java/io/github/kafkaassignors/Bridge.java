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

    // The metadata: per topic (in the order given) its name id, partition
    // count and first global partition index; per name id its topic index
    // (-1: not a metadata topic), fixed when the first member is written.
    private int topicCount;
    private int topicCountAt = -1;
    private int[] metaName = new int[16];
    private int[] partitionCounts = new int[16];
    private int[] base = new int[17];
    private int totalPartitions;
    private int[] metaOfName;

    // The union of the subscribed topics, name ids in first-seen order.
    private boolean[] subscribed = new boolean[256];
    private int[] subscribedOrder = new int[64];
    private int subscribedCount;
    private List<String> lastTopics;
    private int[] lastTopicIds;

    // The members, in the order written.
    private final ArrayList<String> memberIds = new ArrayList<>();
    private int memberCountAt = -1;

    // Owned partitions, by global partition index (base[topic] + partition):
    // the object a member sent, its owner (member index + 1, 0 none, -1 two
    // claims at one generation) and that owner's generation. Made on the
    // first owned partition.
    private TopicPartition[] known;
    private int[] owner;
    private int[] ownerGeneration;
    // Per member, its claims on metadata partitions (global indexes) in the
    // order it listed them: claimed[claimStart[m]..claimStart[m + 1]].
    private int[] claimed = new int[0];
    private int[] claimedTopic = new int[0];
    private int claimedSize;
    private int[] claimStart = new int[16];

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

    /** Room for {@code more} ints of members and topics and {@code claims} owned partitions, so nothing grows. */
    void expect(int more, int claims) {
        reserve(more);
        if (claims > claimed.length) {
            claimed = Arrays.copyOf(claimed, claims);
            claimedTopic = Arrays.copyOf(claimedTopic, claims);
        }
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
     * A member's subscribed topics as name ids, each name interned once for
     * the group (a list equal to the previous member's costs no lookup);
     * call for every member before the first {@link #topic}.
     */
    int[] topicIds(List<String> topics) {
        if (lastTopics != null && lastTopics.size() == topics.size() && sameNames(lastTopics, topics)) {
            return lastTopicIds;
        }
        int[] out = new int[topics.size()];
        int i = 0;
        for (String topic : topics) {
            int id = id(topic);
            out[i++] = id;
            if (id >= subscribed.length) {
                subscribed = Arrays.copyOf(subscribed, Math.max(subscribed.length * 2, id + 1));
            }
            if (!subscribed[id]) {
                subscribed[id] = true;
                if (subscribedCount == subscribedOrder.length) {
                    subscribedOrder = Arrays.copyOf(subscribedOrder, subscribedCount * 2);
                }
                subscribedOrder[subscribedCount++] = id;
            }
        }
        lastTopics = topics;
        lastTopicIds = out;
        return out;
    }

    /** Whether two lists name the same topics in the same order. */
    private static boolean sameNames(List<String> a, List<String> b) {
        if (a == b) {
            return true;
        }
        java.util.Iterator<String> i = a.iterator();
        for (String name : b) {
            String other = i.next();
            if (!name.equals(other)) {
                return false;
            }
        }
        return true;
    }

    /** The union of the subscribed topics, in first-seen order. */
    List<String> subscribedTopics() {
        List<String> out = new ArrayList<>(subscribedCount);
        for (int i = 0; i < subscribedCount; i++) {
            out.add(names.get(subscribedOrder[i]));
        }
        return out;
    }

    /**
     * One metadata topic and its partitions, with their replicas' racks when
     * {@code racks} (worth sending only when some member has a rack).
     */
    void topic(String name, List<PartitionInfo> partitions, boolean racks) {
        if (topicCountAt < 0) {
            reserve(1);
            topicCountAt = size;
            put(0);
        }
        int id = id(name);
        int t = topicCount++;
        if (t + 2 > base.length) {
            metaName = Arrays.copyOf(metaName, base.length * 2);
            partitionCounts = Arrays.copyOf(partitionCounts, base.length * 2);
            base = Arrays.copyOf(base, base.length * 2);
        }
        int count = partitions == null ? 0 : partitions.size();
        metaName[t] = id;
        partitionCounts[t] = count;
        base[t + 1] = base[t] + count;
        reserve(3);
        put(id);
        put(count);
        if (!racks || count == 0) {
            put(0);
            return;
        }
        put(1);
        PartitionInfo[] byNumber = new PartitionInfo[count];
        for (PartitionInfo info : partitions) {
            if (info.partition() >= 0 && info.partition() < count) {
                byNumber[info.partition()] = info;
            }
        }
        for (PartitionInfo info : byNumber) {
            Node[] replicas = info == null ? null : info.replicas();
            reserve(1 + (replicas == null ? 0 : replicas.length));
            int countAt = size;
            put(0);
            int n = 0;
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

    /** Ends the metadata: the topic count, and each name's topic index. */
    private void endTopics() {
        if (topicCountAt < 0) {
            reserve(1);
            topicCountAt = size;
            put(0);
        }
        body[topicCountAt] = topicCount;
        totalPartitions = base[topicCount];
        metaOfName = new int[names.size()];
        Arrays.fill(metaOfName, -1);
        for (int t = 0; t < topicCount; t++) {
            metaOfName[metaName[t]] = t;
        }
    }

    private int metaOf(int nameId) {
        return nameId >= 0 && nameId < metaOfName.length ? metaOfName[nameId] : -1;
    }

    /** Whether every member's topic list holds the first member's topic set, as the Java client decides it. */
    boolean allSubscriptionsEqual(List<int[]> topicIds) {
        if (topicIds.isEmpty()) {
            return true;
        }
        boolean[] first = new boolean[names.size()];
        int distinct = 0;
        for (int id : topicIds.get(0)) {
            if (!first[id]) {
                first[id] = true;
                distinct++;
            }
        }
        for (int[] ids : topicIds) {
            if (ids.length != distinct) {
                return false;
            }
            for (int id : ids) {
                if (!first[id]) {
                    return false;
                }
            }
        }
        return true;
    }

    private void ensureOwnerTables() {
        if (owner == null) {
            known = new TopicPartition[totalPartitions];
            owner = new int[totalPartitions];
            ownerGeneration = new int[totalPartitions];
        }
    }

    /** Records a claim on a metadata partition for the owner tables. */
    private void claim(int nameId, int partition, int member, int generation, TopicPartition object) {
        int topic = metaOf(nameId);
        if (topic < 0 || partition < 0 || partition >= partitionCounts[topic]) {
            return;
        }
        int g = base[topic] + partition;
        if (object != null) {
            known[g] = object;
        }
        if (claimedSize == claimed.length) {
            claimed = Arrays.copyOf(claimed, Math.max(1024, claimed.length * 2));
            claimedTopic = Arrays.copyOf(claimedTopic, claimed.length);
        }
        claimedTopic[claimedSize] = topic;
        claimed[claimedSize++] = g;
        int previous = owner[g];
        int me = member + 1;
        if (previous == 0) {
            owner[g] = me;
            ownerGeneration[g] = generation;
        } else if (previous != me) {
            if (generation > ownerGeneration[g]) {
                owner[g] = me;
                ownerGeneration[g] = generation;
            } else if (generation == ownerGeneration[g]) {
                owner[g] = -1;
            }
        }
    }

    /**
     * One member: its subscription and what it owned before, as the strategy
     * reads it ({@code owned} a list of partitions, or {@code sticky} the
     * sticky user data's; one of them null).
     */
    void member(String memberId, Subscription subscription, int[] topics, Optional<Integer> generation,
                List<TopicPartition> owned, StickyUserData sticky) {
        if (memberCountAt < 0) {
            endTopics();
            reserve(1);
            memberCountAt = size;
            put(0);
        }
        int index = memberIds.size();
        memberIds.add(memberId);
        if (index + 2 > claimStart.length) {
            claimStart = Arrays.copyOf(claimStart, claimStart.length * 2);
        }
        claimStart[index] = claimedSize;
        int ownedCount = owned != null ? owned.size() : sticky != null ? sticky.partitionCount() : 0;
        reserve(6 + topics.length + 2 * ownedCount);
        put(id(memberId));
        put(subscription.groupInstanceId().map(this::id).orElse(-1));
        put(subscription.rackId().filter(r -> !r.isEmpty()).map(this::id).orElse(-1));
        int gen = generation.orElse(NO_GENERATION);
        put(gen);
        put(topics.length);
        System.arraycopy(topics, 0, body, size, topics.length);
        size += topics.length;
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
        claimStart[memberIds.size()] = claimedSize;
        if (memberCountAt < 0) {
            endTopics();
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
        return read(Native.call(Arrays.copyOf(nameBytes, nameLength), group));
    }

    /**
     * Reads the answer. A member's list starts with the partitions it keeps,
     * in the order it listed them when it joined, then the ones it gains in
     * the answer's order (topic, then partition), as the Java client's
     * sticky assignors order them.
     */
    private Answer read(int[] answer) {
        Map<String, List<TopicPartition>> out = new HashMap<>(memberIds.size() * 2);
        Map<TopicPartition, String> transfers = new HashMap<>();
        Map<String, Set<Long>> moves = new HashMap<>();
        // Who gets each metadata partition (member index + 1, 0 nobody), when
        // anybody owned anything; a kept partition is marked -(m + 1) once listed.
        int[] assignedTo = null;
        long[] keys = new long[64];
        int[] topicRank = new int[topicCount];
        int[] topicByRank = new int[topicCount];
        if (owner != null) {
            Integer[] order = new Integer[topicCount];
            for (int t = 0; t < topicCount; t++) {
                order[t] = t;
            }
            Arrays.sort(order, (x, y) -> names.get(metaName[x]).compareTo(names.get(metaName[y])));
            for (int r = 0; r < topicCount; r++) {
                topicByRank[r] = order[r];
                topicRank[order[r]] = r;
            }
            assignedTo = new int[totalPartitions];
            int at = 0;
            for (int m = 0; m < memberIds.size(); m++) {
                int runs = answer[at++];
                for (int r = 0; r < runs; r++) {
                    int topic = metaOf(answer[at]);
                    int count = answer[at + 1];
                    at += 2;
                    if (topic >= 0) {
                        for (int i = 0; i < count; i++) {
                            int p = answer[at + i];
                            if (p >= 0 && p < partitionCounts[topic]) {
                                assignedTo[base[topic] + p] = m + 1;
                            }
                        }
                    }
                    at += count;
                }
            }
        }
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
            if (assignedTo != null) {
                // Kept partitions by (partition, topic), as Java lists them.
                int kept = 0;
                for (int c = claimStart[m]; c < claimStart[m + 1]; c++) {
                    int g = claimed[c];
                    if (assignedTo[g] == m + 1 && owner[g] == m + 1) {
                        assignedTo[g] = -(m + 1);
                        if (kept == keys.length) {
                            keys = Arrays.copyOf(keys, keys.length * 2);
                        }
                        int t = claimedTopic[c];
                        keys[kept++] = ((long) (g - base[t]) << 32) | topicRank[t];
                    }
                }
                Arrays.sort(keys, 0, kept);
                for (int k = 0; k < kept; k++) {
                    int p = (int) (keys[k] >>> 32);
                    int t = topicByRank[(int) keys[k]];
                    int g = base[t] + p;
                    partitions.add(known[g] != null ? known[g] : new TopicPartition(names.get(metaName[t]), p));
                }
            }
            for (int r = 0; r < runs; r++) {
                String name = names.get(answer[at]);
                int topic = metaOf(answer[at]);
                int count = answer[at + 1];
                at += 2;
                boolean metadata = topic >= 0;
                for (int i = 0; i < count; i++) {
                    int p = answer[at + i];
                    TopicPartition tp = null;
                    if (metadata && assignedTo != null && p >= 0 && p < partitionCounts[topic]) {
                        int g = base[topic] + p;
                        if (assignedTo[g] == -(m + 1)) {
                            continue; // kept, listed above
                        }
                        tp = known[g];
                        int previous = owner[g];
                        if (previous != m + 1 && previous != 0) {
                            if (tp == null) {
                                tp = new TopicPartition(name, p);
                            }
                            transfers.put(tp, memberId);
                            if (previous > 0) {
                                moves.computeIfAbsent(name, k -> new HashSet<>())
                                        .add(((long) (previous - 1) << 32) | m);
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
        if (assignedTo != null) {
            for (int g = 0; g < totalPartitions; g++) {
                if (owner[g] != 0 && assignedTo[g] == 0) {
                    unassignedOwned.add(known[g] != null ? known[g] : partitionAt(g));
                }
            }
        }
        return new Answer(out, transfers, moves, unassignedOwned);
    }

    /** The metadata partition at global index g, as a new object. */
    private TopicPartition partitionAt(int g) {
        int t = Arrays.binarySearch(base, 0, topicCount + 1, g);
        if (t < 0) {
            t = -t - 2;
        } else {
            // Empty topics share a base: the last topic starting at g.
            while (t + 1 < topicCount && base[t + 1] == g) {
                t++;
            }
        }
        return new TopicPartition(names.get(metaName[t]), g - base[t]);
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
