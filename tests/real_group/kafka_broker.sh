# Sourced, not run: starts the Apache Kafka broker (kafka_2.13, KRaft, one
# combined broker and controller node on 127.0.0.1) for a real-group test.
# Used by tests/real_group/run.sh and bindings/java/real_group/run.sh.
#
#   kafka_broker_start CLASSPATH DIR
#
# CLASSPATH holds kafka_2.13 and its dependencies (tests/real_group/java's
# target/lib); DIR gets the configuration, the data and kafka.log. Sets
# KAFKA_PORT, appends the broker's pid to the caller's `pids` array and
# returns once the port accepts connections (at most a minute). Lines in
# KAFKA_EXTRA_PROPERTIES, when set, are appended to the broker's settings.
kafka_broker_start() {
    local classpath=$1 dir=$2 cport
    { read -r KAFKA_PORT; read -r cport; } < <(python3 -c '
import socket
held = [socket.socket() for _ in range(2)]
for s in held:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in held))')
    mkdir -p "$dir"
    cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
PROPS
    # More broker settings, one per line, from the caller (bindings/java's
    # real group adds its server-side assignors and short KIP-848 timeouts).
    if [ -n "${KAFKA_EXTRA_PROPERTIES:-}" ]; then
        printf '%s\n' "$KAFKA_EXTRA_PROPERTIES" >>"$dir/server.properties"
    fi
    # kafka-storage.sh format, through its main class (kafka.tools.StorageTool
    # in kafka_2.13 4.x).
    local cluster_id
    cluster_id=$(java -cp "$classpath" kafka.tools.StorageTool random-uuid 2>/dev/null)
    java -cp "$classpath" kafka.tools.StorageTool format -t "$cluster_id" \
        -c "$dir/server.properties" >"$dir/kafka-format.log" 2>&1
    java -Xmx512m -XX:+UseSerialGC -cp "$classpath" kafka.Kafka "$dir/server.properties" \
        >"$dir/kafka.log" 2>&1 &
    pids+=($!)
    # The broker takes a few seconds to listen: wait for its port (bounded)
    # before any client, which would log every refused connection.
    for _ in $(seq 120); do
        (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null && return 0
        sleep 0.5
    done
    echo "kafka broker did not listen on $KAFKA_PORT within a minute; see $dir/kafka.log" >&2
    return 1
}
