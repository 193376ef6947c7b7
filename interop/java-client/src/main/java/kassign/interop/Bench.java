package kassign.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupSubscription;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.RebalanceProtocol;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Times the Java client's assignors on a group in the kassign scenario format:
 *
 * <pre>Bench --strategy S --mode assign|leader [--runs N] [--warmup W] [--budget SECONDS] FILE</pre>
 *
 * <p>Untimed: the cluster metadata (one node, every partition on it) and each member's JoinGroup
 * metadata, written as a Java member writes it (ConsumerCoordinator.metadata): the assignor is
 * told the member's previous assignment and generation with onAssignment, its
 * subscriptionUserData goes in the Subscription, owned partitions go in it for a cooperative
 * assignor (an eager member revoked everything before it rejoined), and
 * ConsumerProtocol.serializeSubscription writes the bytes.
 *
 * <p>{@code assign} times assignor.assign(cluster, subscriptions) alone, on the subscriptions
 * decoded from those bytes. {@code leader} times the leader's path as
 * ConsumerCoordinator.onLeaderElected runs it: ConsumerProtocol.deserializeSubscription of every
 * member's bytes (with its group.instance.id), assign, and ConsumerProtocol.serializeAssignment
 * for every member.
 *
 * <p>Up to W warm-up runs (stopping once they took a third of the budget), then up to N timed
 * runs, stopping once they took the budget together (at least one always runs). Prints one JSON
 * line shaped like {@code kassign bench}, plus the warm-up count; every run's time goes to standard
 * error as it ends ({@code warmup_ms X} or {@code run_ms X}), so a run stopped by an outside time
 * cap still says what it measured.
 */
public final class Bench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Bench() {}

  public static void main(String[] args) throws Exception {
    String strategy = null;
    String mode = "assign";
    int runs = 10;
    int warmup = 3;
    double budget = 0;
    String file = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--strategy":
          strategy = args[++i];
          break;
        case "--mode":
          mode = args[++i];
          break;
        case "--runs":
          runs = Integer.parseInt(args[++i]);
          break;
        case "--warmup":
          warmup = Integer.parseInt(args[++i]);
          break;
        case "--budget":
          budget = Double.parseDouble(args[++i]);
          break;
        default:
          if (file != null) {
            throw new IllegalArgumentException("one file only, not " + file + " and " + args[i]);
          }
          file = args[i];
      }
    }
    if (strategy == null || file == null || runs < 1) {
      System.err.println(
          "usage: Bench --strategy S --mode assign|leader [--runs N>=1] [--warmup W]"
              + " [--budget SECONDS] FILE");
      System.exit(2);
    }
    if (!mode.equals("assign") && !mode.equals("leader")) {
      throw new IllegalArgumentException("unknown mode " + mode + " (assign, leader)");
    }
    JsonNode group = JSON.readTree(new File(file));
    Setup setup = new Setup(strategy, group);
    boolean leader = mode.equals("leader");

    long budgetNanos = (long) (budget * 1e9);
    long warmed = 0;
    int warmups = 0;
    while (warmups < warmup && (budgetNanos == 0 || warmed < budgetNanos / 3)) {
      long t = leader ? setup.leader() : setup.assign();
      warmed += t;
      warmups++;
      // Progress on standard error: what a run cut short by a time cap
      // still tells.
      System.err.println("warmup_ms " + millis(t));
    }
    List<Long> times = new ArrayList<>();
    long total = 0;
    while (times.size() < runs) {
      long t = leader ? setup.leader() : setup.assign();
      times.add(t);
      total += t;
      System.err.println("run_ms " + millis(t));
      if (budgetNanos > 0 && total >= budgetNanos) {
        break;
      }
    }
    Collections.sort(times);
    int mid = times.size() / 2;
    long median =
        times.size() % 2 == 1 ? times.get(mid) : (times.get(mid - 1) + times.get(mid)) / 2;
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("strategy", strategy);
    line.put("runs", times.size());
    line.put("warmups", warmups);
    line.put("min_ms", millis(times.get(0)));
    line.put("median_ms", millis(median));
    line.put("max_ms", millis(times.get(times.size() - 1)));
    line.put("peak_rss_mb", peakRssMb());
    System.out.println(JSON.writeValueAsString(line));
  }

  /** The group, ready to assign: the cluster and every member's JoinGroup bytes. */
  private static final class Setup {
    private final ConsumerPartitionAssignor assignor;
    private final Cluster cluster;
    private final List<String> ids = new ArrayList<>();
    private final List<Optional<String>> instances = new ArrayList<>();
    private final List<byte[]> metadata = new ArrayList<>();
    private final Map<String, Subscription> decoded = new HashMap<>();

    Setup(String strategy, JsonNode group) {
      Node node = new Node(0, "localhost", 9092, null);
      Node[] replicas = {node};
      List<PartitionInfo> partitions = new ArrayList<>();
      Iterator<Map.Entry<String, JsonNode>> topics = group.get("topics").fields();
      while (topics.hasNext()) {
        Map.Entry<String, JsonNode> topic = topics.next();
        JsonNode value = topic.getValue();
        int count = value.isNumber() ? value.asInt() : value.get("partitions").asInt();
        for (int p = 0; p < count; p++) {
          partitions.add(new PartitionInfo(topic.getKey(), p, node, replicas, replicas));
        }
      }
      cluster =
          new Cluster("bench", List.of(node), partitions, Collections.emptySet(), new HashSet<>());
      assignor = Oracle.assignor(strategy);
      boolean cooperative =
          assignor.supportedProtocols().contains(RebalanceProtocol.COOPERATIVE);
      for (JsonNode member : group.get("members")) {
        String id = member.get("id").asText();
        JsonNode instance = member.get("instance_id");
        Optional<String> instanceId =
            instance == null || instance.isNull()
                ? Optional.empty()
                : Optional.of(instance.asText());
        JsonNode rack = member.get("rack");
        Optional<String> rackId =
            rack == null || rack.isNull() ? Optional.empty() : Optional.of(rack.asText());
        Set<String> subscribed = new TreeSet<>();
        member.get("topics").forEach(t -> subscribed.add(t.asText()));
        List<TopicPartition> owned = new ArrayList<>();
        JsonNode ownedNode = member.get("owned");
        if (ownedNode != null && !ownedNode.isNull()) {
          Iterator<Map.Entry<String, JsonNode>> entries = ownedNode.fields();
          while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            entry.getValue().forEach(p -> owned.add(new TopicPartition(entry.getKey(), p.asInt())));
          }
        }
        JsonNode generationNode = member.get("generation");
        int generation =
            generationNode == null || generationNode.isNull() ? -1 : generationNode.asInt();
        // What the member's own assignor remembers from the last SyncGroup.
        assignor.onAssignment(
            new Assignment(owned), new ConsumerGroupMetadata("bench", generation, id, instanceId));
        Subscription subscription =
            new Subscription(
                new ArrayList<>(subscribed),
                assignor.subscriptionUserData(subscribed),
                cooperative ? owned : Collections.emptyList(),
                generation,
                rackId);
        ByteBuffer bytes = ConsumerProtocol.serializeSubscription(subscription);
        byte[] array = new byte[bytes.remaining()];
        bytes.get(array);
        ids.add(id);
        instances.add(instanceId);
        metadata.add(array);
      }
      for (int i = 0; i < ids.size(); i++) {
        decoded.put(ids.get(i), decode(i));
      }
    }

    private Subscription decode(int member) {
      Subscription subscription =
          ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata.get(member)));
      subscription.setGroupInstanceId(instances.get(member));
      return subscription;
    }

    /** One timed assign on the decoded subscriptions; nanoseconds. */
    long assign() {
      Map<String, Subscription> input = new HashMap<>(decoded);
      long started = System.nanoTime();
      Map<String, Assignment> answer =
          assignor.assign(cluster, new GroupSubscription(input)).groupAssignment();
      long elapsed = System.nanoTime() - started;
      check(answer);
      return elapsed;
    }

    /** One timed leader's path, bytes to bytes; nanoseconds. */
    long leader() {
      long started = System.nanoTime();
      Map<String, Subscription> input = new HashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        input.put(ids.get(i), decode(i));
      }
      Map<String, Assignment> answer =
          assignor.assign(cluster, new GroupSubscription(input)).groupAssignment();
      Map<String, ByteBuffer> sync = new HashMap<>();
      for (Map.Entry<String, Assignment> entry : answer.entrySet()) {
        sync.put(entry.getKey(), ConsumerProtocol.serializeAssignment(entry.getValue()));
      }
      long elapsed = System.nanoTime() - started;
      check(answer);
      if (sync.size() != answer.size()) {
        throw new IllegalStateException("lost an assignment's bytes");
      }
      return elapsed;
    }

    private void check(Map<String, Assignment> answer) {
      if (answer.size() != ids.size()) {
        throw new IllegalStateException(
            answer.size() + " assignments for " + ids.size() + " members");
      }
    }
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 1e3) / 1e3;
  }

  private static Double peakRssMb() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String[] fields = line.trim().split("\\s+");
          return Math.round(Double.parseDouble(fields[1]) / 1024 * 10) / 10.0;
        }
      }
    } catch (Exception e) {
      return null;
    }
    return null;
  }
}
