package io.github.kafkaassignors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * One assignment through the native library: the group written once into
 * two flat arrays (every name once as UTF-8 bytes, everything else as ints
 * naming them), one JNI call, the answer read back into Java lists.
 *
 * <p>Who owned what before, and so what each member keeps and which
 * partitions change owner, is worked out on the native side: an owned
 * {@link TopicPartition} that the answer keeps comes back as its position
 * in the member's list and is handed back as the same object.
 */
final class Bridge {
    static final int RANGE = 0;
    static final int ROUNDROBIN = 1;
    static final int STICKY = 2;
    static final int COOPERATIVE_STICKY = 3;

    static final int NO_GENERATION = Integer.MIN_VALUE;

    /** The group array's layout, as the native library reads it. */
    static final int LAYOUT_VERSION = 3;
    /** A member's topic count meaning "the previous member's topics". */
    static final int SAME_TOPICS = -1;
    /** An answer entry: one partition each of consecutive topics. */
    static final int SERIES = Integer.MIN_VALUE;

    private final int strategy;
    private final int options;

    // The name table.
    private final HashMap<String, Integer> ids = new HashMap<>();
    private final ArrayList<String> names = new ArrayList<>();
    private final NameBytes nameBytes = new NameBytes();

    // Everything after the name table.
    private int[] body = new int[1024];
    private int size;

    // The metadata's topic count, and where it goes.
    private int topicCount;
    private int topicCountAt = -1;

    // The union of the subscribed topics, name ids in first-seen order.
    private boolean[] subscribed = new boolean[256];
    private int[] subscribedOrder = new int[64];
    private int subscribedCount;
    private List<String> lastTopics;
    private int[] lastTopicIds;

    // The last member's topics as written.
    private int[] lastMemberTopics;

    // The members, in the order written.
    private final ArrayList<String> memberIds = new ArrayList<>();
    private int memberCountAt = -1;

    // Per member, the owned list it sent (null when its history is the
    // sticky user data's): the answer's kept partitions are its objects.
    private final ArrayList<List<TopicPartition>> ownedLists = new ArrayList<>();
    // Owned lists name their topics in much the same order member after
    // member: per name id, the name that followed it last time, and the
    // first name of the last list (-1: none yet).
    private int[] nextOwned = filled(256);
    private TopicPartition[] ownedScratch = new TopicPartition[0];
    // What the touch loops read, kept so that they are not optimised away.
    int touched;
    private int firstOwned = -1;

    private static int[] filled(int length) {
        int[] out = new int[length];
        Arrays.fill(out, -1);
        return out;
    }

    Bridge(int strategy, int options) {
        this.strategy = strategy;
        this.options = options;
    }

    private int id(String name) {
        Integer id = ids.get(name);
        if (id != null) {
            return id;
        }
        int next = nameBytes.add(name);
        names.add(name);
        ids.put(name, next);
        return next;
    }

    /** Room for {@code more} ints of members and topics, so nothing grows. */
    void expect(int more) {
        reserve(more);
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
        // The names' characters read first in a loop of independent loads
        // (see touch): each member's strings are its own, wherever decoded.
        int sum = 0;
        for (String name : b) {
            sum += name.length();
        }
        if (sum < 0) {
            return false;
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
        topicCount++;
        int count = partitions == null ? 0 : partitions.size();
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

    /** Ends the metadata: the topic count. */
    private void endTopics() {
        if (topicCountAt < 0) {
            reserve(1);
            topicCountAt = size;
            put(0);
        }
        body[topicCountAt] = topicCount;
    }

    /** Whether every member's topic list holds the first member's topic set, as the Java client decides it. */
    boolean allSubscriptionsEqual(int[][] topicIds) {
        if (topicIds.length == 0) {
            return true;
        }
        boolean[] first = new boolean[names.size()];
        int distinct = 0;
        for (int id : topicIds[0]) {
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

    /**
     * One member: its instance id and rack (null for none), generation
     * ({@link #NO_GENERATION} for none), subscribed topics' name ids, and
     * what it owned before, as the strategy reads it ({@code owned} a list
     * of partitions, or {@code sticky} the sticky user data's; either or
     * both null).
     */
    void member(String memberId, String instanceId, String rack, int generation, int[] topics,
                List<TopicPartition> owned, StickyUserData sticky) {
        if (memberCountAt < 0) {
            endTopics();
            reserve(1);
            memberCountAt = size;
            put(0);
        }
        memberIds.add(memberId);
        ownedLists.add(owned);
        int ownedCount = owned != null ? owned.size() : sticky != null ? sticky.partitionCount() : 0;
        reserve(6 + topics.length + 2 * ownedCount);
        put(id(memberId));
        put(instanceId == null ? -1 : id(instanceId));
        put(rack == null ? -1 : id(rack));
        put(generation);
        if (topics == lastMemberTopics) {
            // The previous member's list (topicIds hands an equal list the
            // same array): one int instead of the list again.
            put(SAME_TOPICS);
        } else {
            put(topics.length);
            System.arraycopy(topics, 0, body, size, topics.length);
            size += topics.length;
            lastMemberTopics = topics;
        }
        put(ownedCount);
        if (owned != null) {
            // The list comes grouped by topic (one string per topic): a name
            // is looked up once per run of equal topics, and first guessed
            // from the lists before, checked by its text.
            int n = owned.size();
            if (ownedScratch.length < n) {
                ownedScratch = new TopicPartition[Math.max(n, ownedScratch.length * 2)];
            }
            TopicPartition[] tps = owned.toArray(ownedScratch);
            touched += touch(tps, n);
            String lastTopic = null;
            int lastId = -1;
            int at = size;
            int[] out = body;
            for (int i = 0; i < n; i++) {
                TopicPartition tp = tps[i];
                String topic = tp.topic();
                // The same string as the entry before is the same topic;
                // another string is read by its text.
                if (topic != lastTopic) {
                    lastId = ownedTopicId(topic, lastTopic, lastId);
                    lastTopic = topic;
                }
                out[at] = lastId;
                out[at + 1] = tp.partition();
                at += 2;
            }
            size = at;
        } else if (sticky != null) {
            for (int k = 0; k < sticky.topics.length; k++) {
                int topic = id(sticky.topics[k]);
                for (int p : sticky.partitions[k]) {
                    put(topic);
                    put(p);
                }
            }
        }
    }

    /**
     * Reads each partition object, its topic and the topic's characters
     * once, in a loop of independent loads: each is a cache miss (the
     * objects lie wherever the client decoded them), and so the processor
     * waits for many at once instead of one after the other in the loop
     * that uses them. Returns a sum, to keep the reads.
     */
    private static int touch(TopicPartition[] tps, int n) {
        int sum = 0;
        for (int i = 0; i < n; i++) {
            TopicPartition tp = tps[i];
            sum += tp.partition() + tp.topic().length();
        }
        return sum;
    }

    /**
     * The id of an owned partition's topic, after one named {@code
     * previousTopic} with id {@code previous} (null and -1: the list's
     * first) in another string: the name that followed that one last time
     * if the text is that name's, the previous one if the text is its, else
     * the table's.
     */
    private int ownedTopicId(String topic, String previousTopic, int previous) {
        if (names.size() > nextOwned.length) {
            int old = nextOwned.length;
            nextOwned = Arrays.copyOf(nextOwned, Math.max(old * 2, names.size()));
            Arrays.fill(nextOwned, old, nextOwned.length, -1);
        }
        int guess = previous < 0 ? firstOwned : nextOwned[previous];
        int id;
        if (guess >= 0 && names.get(guess).equals(topic)) {
            id = guess;
        } else if (previousTopic != null && topic.equals(previousTopic)) {
            return previous; // the run goes on, in another string
        } else {
            id = id(topic);
        }
        if (previous < 0) {
            firstOwned = id;
        } else {
            nextOwned[previous] = id;
        }
        return id;
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
            endTopics();
            reserve(1);
            memberCountAt = size;
            put(0);
        }
        body[memberCountAt] = memberIds.size();
        int n = names.size();
        int[] group = new int[4 + n + size];
        group[0] = LAYOUT_VERSION;
        group[1] = strategy;
        group[2] = options;
        group[3] = n;
        nameBytes.copyEnds(group, 4);
        System.arraycopy(body, 0, group, 4 + n, size);
        body = null;
        return read(Native.call(nameBytes.bytes(), group));
    }

    /**
     * Reads the answer. A member's list starts with the partitions it keeps
     * (the objects it sent, when it sent a list), in the order the Java
     * client's sticky assignors list them, then the ones it gains in the
     * answer's order (topic, then partition).
     */
    private Answer read(int[] answer) {
        int members = memberIds.size();
        Map<String, List<TopicPartition>> out = new HashMap<>(members * 2);
        // The answer's topics: runs name them by position.
        int answerTopics = answer[0];
        String[] topicNames = new String[answerTopics];
        for (int t = 0; t < answerTopics; t++) {
            topicNames[t] = answer[1 + t] < 0 ? null : names.get(answer[1 + t]);
        }
        int at = 1 + answerTopics;
        for (int m = 0; m < members; m++) {
            int kept = answer[at++];
            int keptAt = at;
            at += 3 * kept;
            int runs = answer[at++];
            int total = kept;
            for (int r = 0, scan = at; r < runs; r++) {
                if (answer[scan] == SERIES) { // one partition each of consecutive topics
                    total += answer[scan + 2];
                    scan += 3 + answer[scan + 2];
                    continue;
                }
                if (answer[scan] < 0) { // one partition: ~topic, partition
                    total++;
                    scan += 2;
                    continue;
                }
                int count = answer[scan + 1];
                total += count;
                scan += 2 + count;
            }
            List<TopicPartition> partitions = new ArrayList<>(total);
            List<TopicPartition> owned = ownedLists.get(m);
            for (int k = keptAt; k < keptAt + 3 * kept; k += 3) {
                partitions.add(owned != null ? owned.get(answer[k + 2])
                        : new TopicPartition(names.get(answer[k]), answer[k + 1]));
            }
            for (int r = 0; r < runs; r++) {
                if (answer[at] == SERIES) {
                    int first = answer[at + 1];
                    int count = answer[at + 2];
                    at += 3;
                    for (int i = 0; i < count; i++) {
                        partitions.add(new TopicPartition(topicNames[first + i], answer[at + i]));
                    }
                    at += count;
                    continue;
                }
                if (answer[at] < 0) {
                    partitions.add(new TopicPartition(topicNames[~answer[at]], answer[at + 1]));
                    at += 2;
                    continue;
                }
                String name = topicNames[answer[at]];
                int count = answer[at + 1];
                at += 2;
                for (int i = 0; i < count; i++) {
                    partitions.add(new TopicPartition(name, answer[at + i]));
                }
                at += count;
            }
            out.put(memberIds.get(m), partitions);
        }
        int transferCount = answer[at++];
        Map<TopicPartition, String> transfers = new HashMap<>(Math.max(16, transferCount * 2));
        Map<String, Set<Long>> moves = new HashMap<>();
        for (int x = 0; x < transferCount; x++, at += 4) {
            int m = answer[at];
            String name = names.get(answer[at + 1]);
            int previous = answer[at + 3];
            transfers.put(new TopicPartition(name, answer[at + 2]), memberIds.get(m));
            if (previous > 0) {
                moves.computeIfAbsent(name, k -> new HashSet<>()).add(((long) (previous - 1) << 32) | m);
            }
        }
        int unassigned = answer[at++];
        List<TopicPartition> unassignedOwned = new ArrayList<>(unassigned);
        for (int u = 0; u < unassigned; u++, at += 2) {
            unassignedOwned.add(new TopicPartition(names.get(answer[at]), answer[at + 1]));
        }
        return new Answer(out, transfers, moves, unassignedOwned);
    }

    /** Whether no topic's moves, as (from, to) pairs per topic, contain a cycle. */
    static boolean noCycle(Map<String, Set<Long>> moves) {
        for (Set<Long> pairs : moves.values()) {
            if (hasCycle(pairs)) {
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
