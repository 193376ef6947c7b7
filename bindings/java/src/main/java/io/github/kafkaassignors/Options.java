package io.github.kafkaassignors;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;

/** The consumer settings the assignors read in {@code configure()}. */
public final class Options {
    /**
     * {@code kafka.assignors.rack.match}: when a member counts as local to a
     * partition for the sticky strategies' rack goal: {@code any-replica}
     * (the default, the Java client's rule) or {@code leader} (its leader
     * replica only).
     */
    public static final String RACK_MATCH = "kafka.assignors.rack.match";

    /** The option bit for leader-only rack matching. */
    static final int LEADER_RACK = 1;

    private Options() {}

    /** The native option bits for these settings. */
    static int parse(Map<String, ?> configs) {
        Object value = configs == null ? null : configs.get(RACK_MATCH);
        if (value == null) {
            return 0;
        }
        switch (value.toString().trim()) {
            case "any-replica":
            case "":
                return 0;
            case "leader":
                return LEADER_RACK;
            default:
                throw new ConfigException(RACK_MATCH, value, "expected any-replica or leader");
        }
    }
}
