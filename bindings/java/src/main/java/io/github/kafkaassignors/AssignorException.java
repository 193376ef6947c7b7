package io.github.kafkaassignors;

import org.apache.kafka.common.KafkaException;

/**
 * A failure of the native assignor: a group the library refuses (with the
 * library's own message, naming the member, topic or value), or no native
 * library for this platform. Never a crash: the native side catches its own
 * panics and reports them as this exception.
 */
public class AssignorException extends KafkaException {
    private static final long serialVersionUID = 1L;

    /** An exception with the native library's message. */
    public AssignorException(String message) {
        super(message);
    }

    /** An exception with a message and its cause. */
    public AssignorException(String message, Throwable cause) {
        super(message, cause);
    }
}
