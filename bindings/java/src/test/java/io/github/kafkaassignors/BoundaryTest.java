package io.github.kafkaassignors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.AbstractStickyAssignor.MemberData;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The JNI boundary: errors as exceptions with the library's message, no input that crashes. */
class BoundaryTest {
    @Test
    void theTestScopeStandInsAreOurs() {
        // Kafka's RangeAssignorTest and RoundRobinAssignorTest run against these.
        assertTrue(new org.apache.kafka.clients.consumer.RangeAssignor() instanceof RangeAssignor);
        assertTrue(new org.apache.kafka.clients.consumer.RoundRobinAssignor() instanceof RoundRobinAssignor);
    }

    @Test
    void aGroupTheLibraryRefusesIsAnExceptionWithItsMessage() {
        Map<String, List<PartitionInfo>> metadata = Groups.metadata(Map.of("orders", 4), 1, java.util.Arrays.asList((String) null));
        Map<String, Subscription> subs = new HashMap<>();
        subs.put("c1", new Subscription(List.of("orders"), null, List.of(), -1, Optional.empty()));
        subs.put("c2", new Subscription(List.of("orders"), null, List.of(), -1, Optional.empty()));
        subs.get("c1").setGroupInstanceId(Optional.of("host-1"));
        subs.get("c2").setGroupInstanceId(Optional.of("host-1"));
        AssignorException e = assertThrows(AssignorException.class,
                () -> new CooperativeStickyAssignor().assignPartitions(metadata, subs));
        assertTrue(e.getMessage().contains("host-1"), e.getMessage());
    }

    @Test
    void malformedArraysAreExceptionsNeverCrashes() {
        long seed = Long.getLong("kafka.assignors.seed", System.nanoTime());
        System.out.println("BoundaryTest.malformedArraysAreExceptionsNeverCrashes seed " + seed);
        Random random = new Random(seed);
        byte[] names = "orderspaymentsc1c2".getBytes(StandardCharsets.UTF_8);
        // A valid group: orders (6) and payments (2); c1 and c2 on both (c2
        // as "the previous member's topics"), c1 owns orders-0.
        int[] good = {Bridge.LAYOUT_VERSION, 3, 0, 4, 6, 14, 16, 18,
            2, 0, 6, 0, 1, 2, 0,
            2, 2, -1, -1, 1, 2, 0, 1, 1, 0, 0,
            3, -1, -1, Integer.MIN_VALUE, Bridge.SAME_TOPICS, 0};
        int[] answer = Native.call(names, good);
        // The answer's topics, as name ids: orders and payments.
        assertEquals(2, answer[0]);
        assertEquals(java.util.Set.of(0, 1), java.util.Set.of(answer[1], answer[2]));
        int at = 3;
        int assigned = 0;
        int kept = 0;
        for (int m = 0; m < 2; m++) {
            int k = answer[at++];
            for (int i = 0; i < k; i++) {
                // c1 keeps orders-0, the first of its owned list.
                assertEquals(0, m, "c1 keeps what it owned");
                assertArrayEquals(new int[] {0, 0, 0}, java.util.Arrays.copyOfRange(answer, at, at + 3));
                at += 3;
                kept++;
            }
            int runs = answer[at++];
            for (int r = 0; r < runs; r++) {
                if (answer[at] == Bridge.SERIES) {
                    assigned += answer[at + 2];
                    at += 3 + answer[at + 2];
                } else if (answer[at] < 0) {
                    assigned++;
                    at += 2;
                } else {
                    assigned += answer[at + 1];
                    at += 2 + answer[at + 1];
                }
            }
        }
        assertEquals(1, kept, "c1 keeps orders-0");
        assertEquals(0, answer[at++], "no partition changes owner");
        assertEquals(0, answer[at++], "no owned partition is left out");
        assertEquals(answer.length, at, "the answer is read to its end");
        assertEquals(8, assigned + kept, "every partition of the valid group is assigned");
        int answered = 0;
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            int[] bad = good.clone();
            int changes = 1 + random.nextInt(3);
            for (int c = 0; c < changes; c++) {
                int where = random.nextInt(bad.length);
                int kind = random.nextInt(4);
                bad[where] = kind == 0 ? random.nextInt() : kind == 1 ? -1 - random.nextInt(3)
                        : kind == 2 ? Integer.MAX_VALUE - random.nextInt(2) : random.nextInt(40);
            }
            if (random.nextInt(10) == 0) {
                bad = java.util.Arrays.copyOf(bad, random.nextInt(bad.length));
            }
            try {
                Native.call(names, bad);
                answered++;
            } catch (AssignorException e) {
                assertTrue(!e.getMessage().isEmpty());
                refused++;
            }
        }
        assertTrue(answered > 0 && refused > 0, answered + " answered, " + refused + " refused");
        AssignorException nulls = assertThrows(AssignorException.class, () -> Native.call(null, good));
        assertTrue(nulls.getMessage().contains("null"), nulls.getMessage());
    }

    @Test
    void thePlatformIsNamedAsTheJarNamesIt() {
        String platform = Native.platform();
        assertTrue(platform.matches("[a-z]+-[a-z0-9_]+"), platform);
    }

    /** Exposes the Java client's own reading of sticky user data. */
    private static final class JavaSticky extends org.apache.kafka.clients.consumer.StickyAssignor {
        MemberData read(Subscription s) {
            return memberData(s);
        }
    }

    @Test
    void stickyUserDataIsReadAsTheJavaClientReadsIt() {
        long seed = Long.getLong("kafka.assignors.seed", System.nanoTime());
        System.out.println("BoundaryTest.stickyUserDataIsReadAsTheJavaClientReadsIt seed " + seed);
        Random random = new Random(seed);
        JavaSticky client = new JavaSticky();
        for (int i = 0; i < 5_000; i++) {
            List<TopicPartition> owned = new java.util.ArrayList<>();
            for (int k = random.nextInt(6); k > 0; k--) {
                owned.add(new TopicPartition("topic-" + random.nextInt(3), random.nextInt(50)));
            }
            ByteBuffer data = RackScenariosTest.userData(owned, random.nextInt(10) - 1);
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            switch (random.nextInt(4)) {
                case 0: break; // as written (V1)
                case 1: bytes = java.util.Arrays.copyOf(bytes, Math.max(0, bytes.length - 4)); break; // V0
                case 2: bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1)); break;
                default:
                    if (bytes.length > 0) {
                        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt();
                    }
            }
            Subscription sub = new Subscription(List.of("topic-0"), ByteBuffer.wrap(bytes));
            MemberData expected = client.read(new Subscription(List.of("topic-0"), ByteBuffer.wrap(bytes)));
            StickyUserData ours = StickyUserData.decode(sub.userData());
            assertEquals(expected.partitions, ours.partitionList(), "partitions of " + java.util.Arrays.toString(bytes));
            assertEquals(expected.generation, ours.generation, "generation of " + java.util.Arrays.toString(bytes));
        }
    }
}
