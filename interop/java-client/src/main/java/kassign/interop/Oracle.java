package kassign.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupSubscription;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * One group per input line, one answer per output line, in one JVM.
 *
 * <p>Input: {"strategy": NAME, "topics": [{"name", "partitions", "racks": [[rack...]...] or
 * null}], "members": [{"id", "instance_id" or null, "metadata": HEX}]}. Each member's metadata
 * is decoded with ConsumerProtocol.deserializeSubscription and given its group.instance.id, the
 * cluster is built with one node per rack (a replica without a rack on a node without one), and
 * the Java client's own assignor runs as ConsumerCoordinator runs it on the leader.
 *
 * <p>Output: {"assignment": {member: HEX}} with each member's ConsumerProtocol assignment bytes,
 * or {"error": MESSAGE}. A line with a "wire" key is a wire round trip instead (see wire).
 */
public final class Oracle {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      ObjectNode answer = JSON.createObjectNode();
      try {
        JsonNode request = JSON.readTree(line);
        if (request.has("wire")) {
          answer = wire(request);
        } else {
          answer.set("assignment", bounded(request));
        }
      } catch (RuntimeException e) {
        answer.put("error", String.valueOf(e));
      }
      out.println(JSON.writeValueAsString(answer));
      out.flush();
    }
  }

  /** How long the Java client may take on one group. */
  private static final long LIMIT_MS = 20_000;

  /**
   * {@link #answer} on its own thread, given up after {@link #LIMIT_MS}: the Java client's general
   * sticky builder takes minutes on some random heterogeneous groups (seen once in CI: over 12
   * minutes on one group of 2000), which would stall the whole run. A group it does not finish is
   * reported as an error, which the driver counts and prints like Java's exceptions.
   */
  @SuppressWarnings({"deprecation", "removal"})
  private static JsonNode bounded(JsonNode request) {
    JsonNode[] result = new JsonNode[1];
    RuntimeException[] failure = new RuntimeException[1];
    Thread worker =
        new Thread(
            () -> {
              try {
                result[0] = answer(request);
              } catch (RuntimeException e) {
                failure[0] = e;
              }
            });
    worker.setDaemon(true);
    worker.start();
    try {
      worker.join(LIMIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (worker.isAlive()) {
      // The assignor never checks for interruption; stopping the thread (still possible on Java
      // 17) is the only way to get the core back. Its state is its own: each group gets a new
      // assignor instance.
      worker.stop();
      throw new IllegalStateException("did not finish within " + LIMIT_MS / 1000 + " s");
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    return result[0];
  }

  static ConsumerPartitionAssignor assignor(String name) {
    switch (name) {
      case "range":
        return new RangeAssignor();
      case "roundrobin":
        return new RoundRobinAssignor();
      case "sticky":
        return new StickyAssignor();
      case "cooperative-sticky":
        return new CooperativeStickyAssignor();
      default:
        throw new IllegalArgumentException("unknown strategy " + name);
    }
  }

  private static JsonNode answer(JsonNode group) {
    ConsumerPartitionAssignor assignor = assignor(group.get("strategy").asText());
    Map<String, Node> rackNodes = new HashMap<>();
    Node noRack = new Node(0, "localhost", 9092, null);
    List<Node> nodes = new ArrayList<>();
    nodes.add(noRack);
    List<PartitionInfo> partitions = new ArrayList<>();
    for (JsonNode topic : group.get("topics")) {
      String name = topic.get("name").asText();
      int count = topic.get("partitions").asInt();
      JsonNode racks = topic.get("racks");
      for (int p = 0; p < count; p++) {
        List<Node> replicas = new ArrayList<>();
        if (racks != null && !racks.isNull()) {
          for (JsonNode rack : racks.get(p)) {
            String r = rack.asText();
            if (r.isEmpty()) {
              replicas.add(noRack);
            } else {
              replicas.add(
                  rackNodes.computeIfAbsent(
                      r,
                      k -> {
                        Node node = new Node(rackNodes.size() + 1, "localhost", 9092, k);
                        nodes.add(node);
                        return node;
                      }));
            }
          }
        }
        if (replicas.isEmpty()) {
          replicas.add(noRack);
        }
        Node[] array = replicas.toArray(new Node[0]);
        partitions.add(new PartitionInfo(name, p, array[0], array, array));
      }
    }
    Cluster cluster =
        new Cluster("oracle", nodes, partitions, Collections.emptySet(), new HashSet<>());
    Map<String, Subscription> subscriptions = new HashMap<>();
    for (JsonNode member : group.get("members")) {
      byte[] metadata = hex(member.get("metadata").asText());
      Subscription subscription = ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata));
      JsonNode instance = member.get("instance_id");
      if (instance != null && !instance.isNull()) {
        subscription.setGroupInstanceId(Optional.of(instance.asText()));
      }
      subscriptions.put(member.get("id").asText(), subscription);
    }
    Map<String, Assignment> assignments =
        assignor.assign(cluster, new GroupSubscription(subscriptions)).groupAssignment();
    ObjectNode result = JSON.createObjectNode();
    for (Map.Entry<String, Assignment> entry : assignments.entrySet()) {
      ByteBuffer bytes = ConsumerProtocol.serializeAssignment(entry.getValue());
      byte[] array = new byte[bytes.remaining()];
      bytes.get(array);
      result.put(entry.getKey(), hex(array));
    }
    return result;
  }

  /**
   * {"wire": "subscription" or "assignment", "hex": BYTES, "version": V}: the bytes decoded by
   * ConsumerProtocol, their content, and the content encoded again at version V.
   */
  private static ObjectNode wire(JsonNode request) {
    ByteBuffer bytes = ByteBuffer.wrap(hex(request.get("hex").asText()));
    short version = (short) request.get("version").asInt();
    ObjectNode out = JSON.createObjectNode();
    ByteBuffer encoded;
    if (request.get("wire").asText().equals("subscription")) {
      Subscription s = ConsumerProtocol.deserializeSubscription(bytes);
      ArrayNode topics = out.putArray("topics");
      s.topics().forEach(topics::add);
      putPartitions(out.putArray("owned"), s.ownedPartitions());
      out.put("generation", s.generationId().orElse(-1));
      out.put("rack", s.rackId().orElse(null));
      putUserData(out, s.userData());
      encoded = ConsumerProtocol.serializeSubscription(s, version);
    } else {
      Assignment a = ConsumerProtocol.deserializeAssignment(bytes);
      putPartitions(out.putArray("assigned"), a.partitions());
      putUserData(out, a.userData());
      encoded = ConsumerProtocol.serializeAssignment(a, version);
    }
    byte[] array = new byte[encoded.remaining()];
    encoded.get(array);
    out.put("hex", hex(array));
    return out;
  }

  private static void putPartitions(ArrayNode out, List<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      ArrayNode pair = out.addArray();
      pair.add(tp.topic());
      pair.add(tp.partition());
    }
  }

  private static void putUserData(ObjectNode out, ByteBuffer userData) {
    if (userData == null) {
      out.putNull("user_data");
    } else {
      ByteBuffer copy = userData.duplicate();
      byte[] array = new byte[copy.remaining()];
      copy.get(array);
      out.put("user_data", hex(array));
    }
  }

  private static byte[] hex(String text) {
    byte[] out = new byte[text.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      out.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
    }
    return out.toString();
  }
}
