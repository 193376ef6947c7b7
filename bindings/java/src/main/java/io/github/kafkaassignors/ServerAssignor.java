package io.github.kafkaassignors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.ConsumerGroupPartitionAssignor;
import org.apache.kafka.coordinator.group.api.assignor.GroupAssignment;
import org.apache.kafka.coordinator.group.api.assignor.GroupSpec;
import org.apache.kafka.coordinator.group.api.assignor.MemberAssignment;
import org.apache.kafka.coordinator.group.api.assignor.MemberSubscription;
import org.apache.kafka.coordinator.group.api.assignor.PartitionAssignorException;
import org.apache.kafka.coordinator.group.api.assignor.SubscribedTopicDescriber;

/**
 * A broker-side (KIP-848) assignor over the library's target assignment
 * ({@code kafka_assignors::server}): the group spec and the topic describer
 * written once into flat arrays, one JNI call, the answer read back into
 * {@link MemberAssignment}s.
 *
 * <p>What crosses: member ids, instance ids and racks (each member's
 * {@code rackId}); each member's subscribed topic ids and current target;
 * every topic's partition count; and, for {@code uniform} when some member
 * has a rack, every subscribed partition's replica racks
 * ({@code racksForPartition}). The subscription type the coordinator passes
 * is not read: the library derives it.
 *
 * <p>A member whose target does not change gets its current assignment
 * object back ({@code groupSpec.memberAssignment(memberId)}), as Kafka's own
 * builders reuse unchanged maps; a changed member gets an immutable map of
 * immutable partition sets. Entries of a current target naming a topic the
 * describer does not know (a deleted topic) are dropped before the call, as
 * Kafka's assignors drop what is no longer subscribed; a member that had
 * such entries always gets a new assignment. Every error of the library (a
 * subscription to a topic the describer does not know, two members with one
 * instance id, a target partition out of range) is a
 * {@link PartitionAssignorException} with the library's message.
 */
abstract class ServerAssignor implements ConsumerGroupPartitionAssignor {
    private final int code;

    ServerAssignor(int code) {
        this.code = code;
    }

    /** One member's target, as the answer gives it. */
    record Target(Map<Uuid, Set<Integer>> partitions) implements MemberAssignment {
    }

    @Override
    public GroupAssignment assign(GroupSpec groupSpec, SubscribedTopicDescriber describer)
            throws PartitionAssignorException {
        Collection<String> ids = groupSpec.memberIds();
        if (ids.isEmpty()) {
            return new GroupAssignment(Map.of());
        }
        Writer w = new Writer(describer, code == ServerNative.UNIFORM);
        String[] members = new String[ids.size()];
        Map<?, ?>[] filtered = null;
        int m = 0;
        for (String id : ids) {
            members[m] = id;
            Map<Uuid, Set<Integer>> dropped = w.member(id, groupSpec.memberSubscription(id), groupSpec.memberAssignment(id));
            if (dropped != null) {
                if (filtered == null) {
                    filtered = new Map<?, ?>[members.length];
                }
                filtered[m] = dropped;
            }
            m++;
        }
        // The group array first: writing the topics' racks adds rack names.
        int[] group = w.group(code);
        int[] answer;
        try {
            answer = ServerNative.call(w.names(), w.topicBits(), group);
        } catch (AssignorException e) {
            throw new PartitionAssignorException(e.getMessage(), e);
        }
        return read(answer, members, filtered, groupSpec, w.topics);
    }

    @SuppressWarnings("unchecked")
    private static GroupAssignment read(int[] answer, String[] members, Map<?, ?>[] filtered, GroupSpec spec,
            ArrayList<Uuid> topics) {
        HashMap<String, MemberAssignment> out = new HashMap<>((int) (members.length / 0.75f) + 1);
        int at = 0;
        for (int m = 0; m < members.length; m++) {
            if (at >= answer.length) {
                throw new PartitionAssignorException("kafka-assignors: the answer ends at member " + m);
            }
            int runs = answer[at++];
            if (runs == ServerNative.UNCHANGED) {
                if (filtered != null && filtered[m] != null) {
                    out.put(members[m], new Target((Map<Uuid, Set<Integer>>) filtered[m]));
                } else {
                    out.put(members[m], spec.memberAssignment(members[m]));
                }
                continue;
            }
            HashMap<Uuid, Set<Integer>> target = new HashMap<>((int) (runs / 0.75f) + 1);
            for (int r = 0; r < runs; r++) {
                Uuid topic = topics.get(answer[at]);
                int n = answer[at + 1];
                target.put(topic, new PartitionSet(Arrays.copyOfRange(answer, at + 2, at + 2 + n)));
                at += 2 + n;
            }
            out.put(members[m], new Target(Collections.unmodifiableMap(target)));
        }
        return new GroupAssignment(out);
    }

    /** Builds the three arrays of the native layout. */
    private static final class Writer {
        private final SubscribedTopicDescriber describer;
        private final boolean racks;

        // The name table: member ids, instance ids, racks.
        private final NameBytes nameBytes = new NameBytes();
        private final HashMap<String, Integer> rackIds = new HashMap<>();
        private boolean anyRack;

        // Topics by index: id, partition count (-1 unknown), subscribed.
        final ArrayList<Uuid> topics = new ArrayList<>();
        private final HashMap<Uuid, Integer> topicIndex = new HashMap<>();
        private int[] counts = new int[64];
        private boolean[] subscribed = new boolean[64];

        // The members' section.
        private int[] body = new int[1024];
        private int size;
        private int memberCount;

        // Subscription sets written so far, by identity, and their indices
        // (a coordinator or a benchmark may share one set among members).
        private final IdentityHashMap<Set<Uuid>, int[]> lists = new IdentityHashMap<>();

        Writer(SubscribedTopicDescriber describer, boolean racks) {
            this.describer = describer;
            this.racks = racks;
        }

        private int name(String s) {
            return nameBytes.add(s);
        }

        private int rack(String rack) {
            Integer id = rackIds.get(rack);
            if (id == null) {
                id = name(rack);
                rackIds.put(rack, id);
            }
            return id;
        }

        private int topic(Uuid id) {
            Integer at = topicIndex.get(id);
            if (at != null) {
                return at;
            }
            int t = topics.size();
            topics.add(id);
            topicIndex.put(id, t);
            if (t == counts.length) {
                counts = Arrays.copyOf(counts, t * 2);
                subscribed = Arrays.copyOf(subscribed, t * 2);
            }
            int n = describer.numPartitions(id);
            counts[t] = n < 0 ? -1 : n;
            return t;
        }

        private void push(int v) {
            if (size == body.length) {
                body = Arrays.copyOf(body, size * 2);
            }
            body[size++] = v;
        }

        private void reserve(int n) {
            if (size + n > body.length) {
                body = Arrays.copyOf(body, Math.max(body.length * 2, size + n));
            }
        }

        /**
         * Writes one member; returns its current target without the topics
         * the describer does not know when it had any, else null.
         */
        Map<Uuid, Set<Integer>> member(String id, MemberSubscription subscription, MemberAssignment current) {
            memberCount++;
            push(name(id));
            Optional<String> instance = subscription.instanceId();
            push(instance != null && instance.isPresent() ? name(instance.get()) : -1);
            Optional<String> rack = subscription.rackId();
            if (rack != null && rack.isPresent() && !rack.get().isEmpty()) {
                anyRack = true;
                push(rack(rack.get()));
            } else {
                push(-1);
            }
            Set<Uuid> topicIds = subscription.subscribedTopicIds();
            int[] indices = lists.get(topicIds);
            if (indices == null) {
                indices = new int[topicIds.size()];
                int i = 0;
                for (Uuid t : topicIds) {
                    int at = topic(t);
                    subscribed[at] = true;
                    indices[i++] = at;
                }
                lists.put(topicIds, indices);
            }
            reserve(1 + indices.length);
            body[size++] = indices.length;
            System.arraycopy(indices, 0, body, size, indices.length);
            size += indices.length;

            Map<Uuid, Set<Integer>> target = current == null ? Map.of() : current.partitions();
            int runsAt = size;
            push(0);
            int runs = 0;
            HashMap<Uuid, Set<Integer>> kept = null;
            for (Map.Entry<Uuid, Set<Integer>> e : target.entrySet()) {
                Set<Integer> partitions = e.getValue();
                int t = topic(e.getKey());
                if (counts[t] == -1) {
                    // A deleted topic: dropped, and the member's target changes.
                    if (kept == null) {
                        kept = new HashMap<>(target);
                    }
                    kept.remove(e.getKey());
                    continue;
                }
                if (partitions.isEmpty()) {
                    continue;
                }
                reserve(2 + partitions.size());
                body[size++] = t;
                body[size++] = partitions.size();
                if (partitions instanceof PartitionSet ps) {
                    int[] v = ps.values();
                    System.arraycopy(v, 0, body, size, v.length);
                    size += v.length;
                } else {
                    for (int p : partitions) {
                        body[size++] = p;
                    }
                }
                runs++;
            }
            body[runsAt] = runs;
            return kept == null ? null : Collections.unmodifiableMap(kept);
        }

        byte[] names() {
            return nameBytes.bytes();
        }

        long[] topicBits() {
            long[] out = new long[topics.size() * 2];
            for (int t = 0; t < topics.size(); t++) {
                out[2 * t] = topics.get(t).getMostSignificantBits();
                out[2 * t + 1] = topics.get(t).getLeastSignificantBits();
            }
            return out;
        }

        /**
         * The topics' section (racks read here, interning rack names, so
         * before the name table is written), then the whole group array.
         */
        int[] group(int code) {
            int topicCount = topics.size();
            int[] section = new int[topicCount * 2 + 16];
            int s = 0;
            for (int t = 0; t < topicCount; t++) {
                int n = counts[t];
                int[] racked = racks && anyRack && subscribed[t] && n > 0 ? racks(topics.get(t), n) : null;
                int need = s + 2 + (racked == null ? 0 : racked.length);
                if (need > section.length) {
                    section = Arrays.copyOf(section, Math.max(section.length * 2, need + (topicCount - t) * 2));
                }
                section[s++] = n;
                if (racked == null) {
                    section[s++] = 0;
                } else {
                    section[s++] = 1;
                    System.arraycopy(racked, 0, section, s, racked.length);
                    s += racked.length;
                }
            }
            int nameCount = nameBytes.count();
            int[] out = new int[3 + 1 + nameCount + 1 + s + 1 + size];
            int at = 0;
            out[at++] = ServerNative.LAYOUT_VERSION;
            out[at++] = code;
            out[at++] = nameCount;
            nameBytes.copyEnds(out, at);
            at += nameCount;
            out[at++] = topicCount;
            System.arraycopy(section, 0, out, at, s);
            at += s;
            out[at++] = memberCount;
            System.arraycopy(body, 0, out, at, size);
            at += size;
            return Arrays.copyOf(out, at);
        }

        /** Per partition: r, then its replicas' rack name ids; null when no partition has racks. */
        private int[] racks(Uuid topic, int partitions) {
            int[] out = new int[partitions * 2];
            int at = 0;
            boolean any = false;
            for (int p = 0; p < partitions; p++) {
                Set<String> racks = describer.racksForPartition(topic, p);
                int r = racks == null ? 0 : racks.size();
                if (at + 1 + r > out.length) {
                    out = Arrays.copyOf(out, Math.max(out.length * 2, at + 1 + r + (partitions - p)));
                }
                out[at++] = r;
                if (r > 0) {
                    any = true;
                    for (String rack : racks) {
                        out[at++] = rack(rack);
                    }
                }
            }
            return any ? Arrays.copyOf(out, at) : null;
        }
    }
}
