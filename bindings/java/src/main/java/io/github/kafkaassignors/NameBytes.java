package io.github.kafkaassignors;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The names of one native call, as the native layouts take them: every
 * name's UTF-8 bytes back to back, and where each one ends. Name ids are
 * the order of {@link #add}.
 */
final class NameBytes {
    private byte[] bytes = new byte[4096];
    private int length;
    private int[] ends = new int[256];
    private int count;

    /** Appends {@code name}; its id. */
    int add(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (length + utf8.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + utf8.length));
        }
        System.arraycopy(utf8, 0, bytes, length, utf8.length);
        length += utf8.length;
        if (count == ends.length) {
            ends = Arrays.copyOf(ends, count * 2);
        }
        ends[count] = length;
        return count++;
    }

    /** How many names there are. */
    int count() {
        return count;
    }

    /** Copies the names' end offsets into {@code out} from {@code at}. */
    void copyEnds(int[] out, int at) {
        System.arraycopy(ends, 0, out, at, count);
    }

    /** All the names' bytes, exactly. */
    byte[] bytes() {
        return Arrays.copyOf(bytes, length);
    }
}
