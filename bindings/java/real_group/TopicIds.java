import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * Prints the broker's topic ids as one JSON object, name -> [most, least]
 * significant 64 bits (signed, as Kafka's Uuid holds them). The real-group
 * driver needs them to ask the library for the target of a group the
 * broker assigned: uniform breaks ties by topic id.
 *
 * usage: java -cp CLASSPATH TopicIds.java BOOTSTRAP TOPIC...
 */
public final class TopicIds {
    private TopicIds() {}

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        try (Admin admin = Admin.create(props)) {
            Map<String, TopicDescription> topics = admin.describeTopics(List.of(args).subList(1, args.length))
                    .allTopicNames().get();
            StringBuilder out = new StringBuilder("{");
            for (int i = 1; i < args.length; i++) {
                TopicDescription d = topics.get(args[i]);
                out.append(i == 1 ? "" : ", ").append('"').append(args[i]).append("\": [")
                        .append(d.topicId().getMostSignificantBits()).append(", ")
                        .append(d.topicId().getLeastSignificantBits()).append(']');
            }
            System.out.println(out.append('}'));
        }
    }
}
