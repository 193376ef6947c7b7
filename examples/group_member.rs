//! A minimal Kafka consumer-group member whose assignments come from this
//! library: it joins a real group on a real broker over TCP (FindCoordinator,
//! Metadata, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, through the
//! `kafka-protocol` crate's request types) and runs the classic protocol.
//!
//! The library does the three things a client needs:
//! - [`join_protocols`] builds the JoinGroup metadata from what the member
//!   owns;
//! - [`lead`] assigns the group when the broker makes this member leader;
//! - [`follow`] reads the SyncGroup answer into partitions added, revoked and
//!   kept.
//!
//! It fetches no records. Every assign and revoke is printed as one JSON line
//! (`{"event": "assign", "partitions": [["topic", 0], ...], ...}`): the whole
//! assignment under the eager protocol, the increment under the cooperative
//! one, as librdkafka's rebalance callbacks report them. As leader it also
//! prints the group it assigned (`"event": "lead"`), in the format of
//! `kassign assign --from-metadata`, so the answer can be recomputed offline.
//!
//! ```sh
//! cargo run --example group_member --features kafka-protocol -- \
//!     --bootstrap 127.0.0.1:9092 --group g1 --topics orders,payments \
//!     --strategy cooperative-sticky --name rust-1
//! ```
//!
//! It leaves the group (LeaveGroup) when its standard input says `leave` or
//! closes, or after `--max-seconds`. `--help` lists the flags.

use std::error::Error;
use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use kafka_assignors::protocol::{
    ClientState, JoinedMember, Subscription, follow, join_protocols, lead, rebalance_protocol,
};
use kafka_assignors::{Assignor, RebalanceProtocol, Strategy, Topic, TopicPartition};
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    ApiKey, FindCoordinatorRequest, FindCoordinatorResponse, GroupId, HeartbeatRequest,
    HeartbeatResponse, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest, LeaveGroupResponse,
    MetadataRequest, MetadataResponse, RequestHeader, ResponseHeader, SyncGroupRequest,
    SyncGroupResponse, TopicName,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, StrBytes};
use serde_json::{Value, json};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

// Kafka error codes this member acts on.
const NONE: i16 = 0;
const COORDINATOR_LOAD_IN_PROGRESS: i16 = 14;
const COORDINATOR_NOT_AVAILABLE: i16 = 15;
const NOT_COORDINATOR: i16 = 16;
const ILLEGAL_GENERATION: i16 = 22;
const UNKNOWN_MEMBER_ID: i16 = 25;
const REBALANCE_IN_PROGRESS: i16 = 27;
const MEMBER_ID_REQUIRED: i16 = 79;

// Versions every Kafka-compatible broker of the last years answers; none is
// flexible, which keeps the framing simple.
const FIND_COORDINATOR_VERSION: i16 = 2;
const METADATA_VERSION: i16 = 4;
const JOIN_GROUP_VERSION: i16 = 5;
const SYNC_GROUP_VERSION: i16 = 3;
const HEARTBEAT_VERSION: i16 = 3;
const LEAVE_GROUP_VERSION: i16 = 1;

const MAX_FRAME: usize = 64 << 20;

struct Options {
    bootstrap: String,
    group: String,
    topics: Vec<String>,
    strategy: Strategy,
    name: String,
    session_timeout_ms: i32,
    heartbeat: Duration,
    max_run: Duration,
}

/// What `--help` prints: every flag, with its default.
const USAGE: &str = "\
group_member: one consumer-group member whose assignments come from kafka-assignors

Usage: group_member --topics T1,T2 [OPTIONS]

Options:
  --bootstrap HOST:PORT      a broker to ask for the group's coordinator [127.0.0.1:9092]
  --group ID                 group.id [group]
  --topics T1,T2             the topics to subscribe to, comma-separated (required)
  --strategy NAME            range, roundrobin, sticky or cooperative-sticky [range]
  --name NAME                client.id, and the member's name in the output [rust-member]
  --session-timeout-ms MS    session.timeout.ms [6000]
  --heartbeat-ms MS          heartbeat.interval.ms [300]
  --max-seconds S            leave the group after S seconds [120]
  -h, --help                 print this help

Every assign, revoke and lead prints as one JSON line on standard output. The
member leaves the group when standard input says `leave` or closes.
";

/// Why parsing the flags stopped short of running: `--help` (status 0) or
/// bad flags (status 2; a failure while talking to the brokers is status 1).
enum Stop {
    Help,
    Usage(String),
}

fn parse_options() -> std::result::Result<Options, Stop> {
    let mut options = Options {
        bootstrap: "127.0.0.1:9092".into(),
        group: "group".into(),
        topics: Vec::new(),
        strategy: Strategy::Range,
        name: "rust-member".into(),
        session_timeout_ms: 6000,
        heartbeat: Duration::from_millis(300),
        max_run: Duration::from_secs(120),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| Stop::Usage(format!("{flag} needs a value")))
        };
        // A number flag's value, or an error naming the flag and the value.
        fn number<T: std::str::FromStr>(flag: &str, value: String) -> std::result::Result<T, Stop>
        where
            T::Err: std::fmt::Display,
        {
            value
                .parse()
                .map_err(|e| Stop::Usage(format!("{flag} {value:?}: {e}")))
        }
        match flag.as_str() {
            "-h" | "--help" => return Err(Stop::Help),
            "--bootstrap" => options.bootstrap = value()?,
            "--group" => options.group = value()?,
            "--topics" => {
                options.topics = value()?.split(',').map(str::to_string).collect();
            }
            "--strategy" => {
                options.strategy = value()?
                    .parse()
                    .map_err(|e: kafka_assignors::UnknownStrategy| Stop::Usage(e.to_string()))?
            }
            "--name" => options.name = value()?,
            "--session-timeout-ms" => options.session_timeout_ms = number(&flag, value()?)?,
            "--heartbeat-ms" => {
                options.heartbeat = Duration::from_millis(number(&flag, value()?)?);
            }
            "--max-seconds" => options.max_run = Duration::from_secs(number(&flag, value()?)?),
            other => {
                return Err(Stop::Usage(format!(
                    "unknown option {other:?} (--help lists them)"
                )));
            }
        }
    }
    if options.topics.is_empty() {
        return Err(Stop::Usage(
            "--topics is required (--help lists the flags)".into(),
        ));
    }
    Ok(options)
}

/// One connection to a broker, one request at a time.
struct Connection {
    /// The broker's `host:port`, for messages: an error that does not say
    /// which broker failed leaves the user guessing between the bootstrap
    /// address and the coordinator the cluster named.
    address: String,
    stream: TcpStream,
    client_id: StrBytes,
    correlation_id: i32,
    requests: u64,
}

impl Connection {
    fn open(address: &str, client_id: &str) -> Result<Self> {
        let stream =
            TcpStream::connect(address).map_err(|e| format!("cannot connect to {address}: {e}"))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(15)))?;
        Ok(Connection {
            address: address.to_string(),
            stream,
            client_id: StrBytes::from_string(client_id.to_string()),
            correlation_id: 0,
            requests: 0,
        })
    }

    fn call<Q, S>(&mut self, key: ApiKey, request: &Q, version: i16) -> Result<S>
    where
        Q: Encodable + HeaderVersion,
        S: Decodable + HeaderVersion,
    {
        self.correlation_id += 1;
        self.requests += 1;
        let header = RequestHeader::default()
            .with_request_api_key(key as i16)
            .with_request_api_version(version)
            .with_correlation_id(self.correlation_id)
            .with_client_id(Some(self.client_id.clone()));
        let mut frame = vec![0u8; 4];
        header
            .encode(&mut frame, Q::header_version(version))
            .map_err(|e| format!("encoding the request header: {e}"))?;
        request
            .encode(&mut frame, version)
            .map_err(|e| format!("encoding {key:?}: {e}"))?;
        let size = i32::try_from(frame.len() - 4)?;
        frame[..4].copy_from_slice(&size.to_be_bytes());
        let address = &self.address;
        let broken = |e: std::io::Error| format!("{key:?} to {address}: {e}");
        self.stream.write_all(&frame).map_err(broken)?;

        let mut size = [0u8; 4];
        self.stream.read_exact(&mut size).map_err(broken)?;
        let size = usize::try_from(i32::from_be_bytes(size))
            .ok()
            .filter(|&s| s <= MAX_FRAME)
            .ok_or("response frame size out of range")?;
        let mut body = vec![0u8; size];
        self.stream.read_exact(&mut body).map_err(broken)?;
        let mut buf = Bytes::from(body);
        let header = ResponseHeader::decode(&mut buf, S::header_version(version))
            .map_err(|e| format!("decoding the response header: {e}"))?;
        if header.correlation_id != self.correlation_id {
            return Err(format!(
                "correlation id {} answered {}",
                self.correlation_id, header.correlation_id
            )
            .into());
        }
        S::decode(&mut buf, version).map_err(|e| format!("decoding {key:?}: {e}").into())
    }
}

fn str_bytes(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn partitions_json(list: &[TopicPartition]) -> Value {
    let mut sorted: Vec<(&str, i32)> = list.iter().map(|tp| (&*tp.topic, tp.partition)).collect();
    sorted.sort();
    Value::from(
        sorted
            .into_iter()
            .map(|(t, p)| json!([t, p]))
            .collect::<Vec<_>>(),
    )
}

/// The member's state across rebalances.
struct Member {
    options: Options,
    protocol: RebalanceProtocol,
    conn: Connection,
    member_id: String,
    generation: i32,
    /// What the member consumes now.
    owned: Vec<TopicPartition>,
    /// Its last assignment and that assignment's generation: what the sticky
    /// strategies report when it rejoins, even under the eager protocol,
    /// where `owned` was revoked first.
    last_assignment: Vec<TopicPartition>,
    last_generation: Option<i32>,
    stop: Arc<AtomicBool>,
    started: Instant,
}

/// What the heartbeat loop ended with.
enum Next {
    Rejoin,
    Leave,
}

impl Member {
    fn log(&self, event: &str, extra: Value) {
        let mut line = json!({
            "ts": now_ns().to_string(),
            "member": self.options.name,
            "member_id": self.member_id,
            "event": event,
            "generation": self.generation,
        });
        if let (Value::Object(line), Value::Object(extra)) = (&mut line, extra) {
            line.extend(extra);
        }
        let mut out = std::io::stdout().lock();
        // A closed stdout only loses the log, never the group.
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    fn revoke(&mut self, partitions: &[TopicPartition]) {
        if partitions.is_empty() {
            return;
        }
        self.log(
            "revoke",
            json!({ "partitions": partitions_json(partitions) }),
        );
        self.owned.retain(|tp| !partitions.contains(tp));
    }

    fn should_stop(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.started.elapsed() > self.options.max_run
    }

    /// JoinGroup until the broker accepts the member; returns the leader's
    /// member list when this member leads.
    fn join(&mut self) -> Result<Option<(String, Vec<JoinedMember>)>> {
        if self.protocol == RebalanceProtocol::Eager {
            // Eager members give up everything before they rejoin.
            let all = self.owned.clone();
            self.revoke(&all);
        }
        let state = ClientState::new(self.options.topics.iter().map(String::as_str));
        let state = match self.last_generation {
            Some(generation) => state.with_assignment(
                match self.protocol {
                    RebalanceProtocol::Eager => self.last_assignment.clone(),
                    RebalanceProtocol::Cooperative => self.owned.clone(),
                },
                generation,
            ),
            None => state,
        };
        let protocols = join_protocols(&[self.options.strategy], &state)?
            .into_iter()
            .map(|p| {
                JoinGroupRequestProtocol::default()
                    .with_name(str_bytes(p.strategy.name()))
                    .with_metadata(Bytes::from(p.metadata))
            })
            .collect::<Vec<_>>();
        for _ in 0..200 {
            let request = JoinGroupRequest::default()
                .with_group_id(GroupId(str_bytes(&self.options.group)))
                .with_session_timeout_ms(self.options.session_timeout_ms)
                .with_rebalance_timeout_ms(self.options.session_timeout_ms)
                .with_member_id(str_bytes(&self.member_id))
                .with_protocol_type(str_bytes("consumer"))
                .with_protocols(protocols.clone());
            let response = self.conn.call::<_, JoinGroupResponse>(
                ApiKey::JoinGroup,
                &request,
                JOIN_GROUP_VERSION,
            )?;
            match response.error_code {
                NONE => {
                    self.member_id = response.member_id.to_string();
                    self.generation = response.generation_id;
                    let leader = response.leader.to_string();
                    self.log("join", json!({ "leader": leader }));
                    if leader != self.member_id {
                        return Ok(None);
                    }
                    let protocol = response
                        .protocol_name
                        .map(|n| n.to_string())
                        .unwrap_or_default();
                    let members = response
                        .members
                        .iter()
                        .map(|m| {
                            JoinedMember::new(
                                m.member_id.to_string(),
                                m.group_instance_id.as_ref().map(|i| i.to_string()),
                                m.metadata.to_vec(),
                            )
                        })
                        .collect();
                    return Ok(Some((protocol, members)));
                }
                MEMBER_ID_REQUIRED => self.member_id = response.member_id.to_string(),
                UNKNOWN_MEMBER_ID => self.forget_membership(),
                REBALANCE_IN_PROGRESS
                | COORDINATOR_LOAD_IN_PROGRESS
                | COORDINATOR_NOT_AVAILABLE
                | NOT_COORDINATOR => std::thread::sleep(Duration::from_millis(100)),
                code => return Err(format!("JoinGroup failed with error code {code}").into()),
            }
        }
        Err("JoinGroup did not succeed in 200 attempts".into())
    }

    /// The broker no longer knows this member: what it owned is lost.
    fn forget_membership(&mut self) {
        let all = self.owned.clone();
        self.revoke(&all);
        self.member_id.clear();
        self.generation = -1;
        self.last_generation = None;
        self.last_assignment.clear();
    }

    /// The leader's work: topic metadata, then the library's assignment.
    fn assign_group(
        &mut self,
        protocol: &str,
        members: &[JoinedMember],
    ) -> Result<Vec<SyncGroupRequestAssignment>> {
        let strategy: Strategy = protocol.parse()?;
        let mut names: Vec<String> = Vec::new();
        for m in members {
            // A member whose metadata is unreadable fails `lead` below,
            // naming it; here it only adds no topic.
            if let Ok(decoded) = Subscription::decode(&m.metadata) {
                names.extend(decoded.subscription.topics.iter().map(|t| t.to_string()));
            }
        }
        names.sort();
        names.dedup();
        let topics = self.topic_metadata(&names)?;
        let outcome = lead(strategy, members, topics.clone())?;
        self.log(
            "lead",
            json!({
                "strategy": strategy.name(),
                "input": {
                    "topics": topics.iter().map(|t| (t.name.to_string(), json!(t.partitions))).collect::<serde_json::Map<_, _>>(),
                    "members": members.iter().map(|m| json!({
                        "id": m.member_id,
                        "instance_id": m.group_instance_id,
                        "metadata": m.metadata.iter().map(|b| format!("{b:02x}")).collect::<String>(),
                    })).collect::<Vec<_>>(),
                },
                "assignment": outcome.assignment.members().map(|m| {
                    let list: Vec<TopicPartition> = m.iter().map(|(t, p)| TopicPartition::new(t, p)).collect();
                    (m.id().to_string(), partitions_json(&list))
                }).collect::<serde_json::Map<_, _>>(),
            }),
        );
        Ok(outcome
            .sync
            .into_iter()
            .map(|(member, bytes)| {
                SyncGroupRequestAssignment::default()
                    .with_member_id(str_bytes(&member))
                    .with_assignment(Bytes::from(bytes))
            })
            .collect())
    }

    fn topic_metadata(&mut self, names: &[String]) -> Result<Vec<Topic>> {
        let request = MetadataRequest::default()
            .with_topics(Some(
                names
                    .iter()
                    .map(|n| {
                        MetadataRequestTopic::default().with_name(Some(TopicName(str_bytes(n))))
                    })
                    .collect(),
            ))
            .with_allow_auto_topic_creation(false);
        let response =
            self.conn
                .call::<_, MetadataResponse>(ApiKey::Metadata, &request, METADATA_VERSION)?;
        let mut topics = Vec::new();
        for topic in response.topics {
            let Some(name) = topic.name else { continue };
            // A topic the broker does not know is left out of the metadata,
            // as the Java leader leaves it out: nobody can read it yet.
            if topic.error_code != NONE {
                continue;
            }
            topics.push(Topic::new(
                name.0.to_string(),
                i32::try_from(topic.partitions.len())?,
            ));
        }
        topics.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(topics)
    }

    /// SyncGroup; `Ok(false)` when the group moved on and the member must
    /// rejoin.
    fn sync(&mut self, assignments: Vec<SyncGroupRequestAssignment>) -> Result<bool> {
        let request = SyncGroupRequest::default()
            .with_group_id(GroupId(str_bytes(&self.options.group)))
            .with_generation_id(self.generation)
            .with_member_id(str_bytes(&self.member_id))
            .with_assignments(assignments);
        let response = self.conn.call::<_, SyncGroupResponse>(
            ApiKey::SyncGroup,
            &request,
            SYNC_GROUP_VERSION,
        )?;
        match response.error_code {
            NONE => {}
            REBALANCE_IN_PROGRESS | ILLEGAL_GENERATION => {
                // The leader has not assigned this generation yet, or a newer
                // one began: rejoin, shortly.
                std::thread::sleep(Duration::from_millis(100));
                return Ok(false);
            }
            UNKNOWN_MEMBER_ID => {
                self.forget_membership();
                return Ok(false);
            }
            code => return Err(format!("SyncGroup failed with error code {code}").into()),
        }
        let owned_at_join = match self.protocol {
            RebalanceProtocol::Eager => Vec::new(),
            RebalanceProtocol::Cooperative => self.owned.clone(),
        };
        let (assignment, change) = follow(&owned_at_join, &response.assignment)?;
        self.revoke(&change.revoked);
        self.owned.extend(change.added.iter().cloned());
        let reported = match self.protocol {
            RebalanceProtocol::Eager => &assignment.partitions,
            RebalanceProtocol::Cooperative => &change.added,
        };
        self.log("assign", json!({ "partitions": partitions_json(reported) }));
        self.last_assignment = assignment.partitions;
        self.last_generation = Some(self.generation);
        // Cooperative: partitions revoked now go to their new owner in the
        // next round, which this member starts at once.
        Ok(change.revoked.is_empty() || self.protocol == RebalanceProtocol::Eager)
    }

    fn heartbeat_until_rebalance(&mut self) -> Result<Next> {
        loop {
            let wait_until = Instant::now() + self.options.heartbeat;
            while Instant::now() < wait_until {
                if self.should_stop() {
                    return Ok(Next::Leave);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let request = HeartbeatRequest::default()
                .with_group_id(GroupId(str_bytes(&self.options.group)))
                .with_generation_id(self.generation)
                .with_member_id(str_bytes(&self.member_id));
            match self
                .conn
                .call::<_, HeartbeatResponse>(ApiKey::Heartbeat, &request, HEARTBEAT_VERSION)?
                .error_code
            {
                NONE => {}
                REBALANCE_IN_PROGRESS | ILLEGAL_GENERATION => return Ok(Next::Rejoin),
                UNKNOWN_MEMBER_ID => {
                    self.forget_membership();
                    return Ok(Next::Rejoin);
                }
                code => return Err(format!("Heartbeat failed with error code {code}").into()),
            }
        }
    }

    fn leave(&mut self) -> Result<()> {
        let all = self.owned.clone();
        self.revoke(&all);
        if !self.member_id.is_empty() {
            let request = LeaveGroupRequest::default()
                .with_group_id(GroupId(str_bytes(&self.options.group)))
                .with_member_id(str_bytes(&self.member_id));
            let code = self
                .conn
                .call::<_, LeaveGroupResponse>(ApiKey::LeaveGroup, &request, LEAVE_GROUP_VERSION)?
                .error_code;
            if code != NONE && code != UNKNOWN_MEMBER_ID {
                return Err(format!("LeaveGroup failed with error code {code}").into());
            }
        }
        self.log("left", json!({ "requests": self.conn.requests }));
        Ok(())
    }

    fn run(&mut self) -> Result<()> {
        loop {
            if self.should_stop() {
                return self.leave();
            }
            let assignments = match self.join()? {
                Some((protocol, members)) => self.assign_group(&protocol, &members)?,
                None => Vec::new(),
            };
            if !self.sync(assignments)? {
                continue;
            }
            match self.heartbeat_until_rebalance()? {
                Next::Rejoin => continue,
                Next::Leave => return self.leave(),
            }
        }
    }
}

fn find_coordinator(bootstrap: &str, group: &str, client_id: &str) -> Result<String> {
    let mut conn = Connection::open(bootstrap, client_id)?;
    for _ in 0..50 {
        let request = FindCoordinatorRequest::default()
            .with_key(str_bytes(group))
            .with_key_type(0);
        let response = conn.call::<_, FindCoordinatorResponse>(
            ApiKey::FindCoordinator,
            &request,
            FIND_COORDINATOR_VERSION,
        )?;
        match response.error_code {
            NONE => return Ok(format!("{}:{}", response.host, response.port)),
            COORDINATOR_LOAD_IN_PROGRESS | COORDINATOR_NOT_AVAILABLE => {
                std::thread::sleep(Duration::from_millis(100));
            }
            code => return Err(format!("FindCoordinator failed with error code {code}").into()),
        }
    }
    Err("no coordinator after 50 attempts".into())
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(Stop::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(Stop::Usage(message)) => {
            eprintln!("group_member: {message}");
            return ExitCode::from(2);
        }
    };
    match run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("group_member: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(options: Options) -> Result<()> {
    let protocol = rebalance_protocol(&[options.strategy])?;
    let coordinator = find_coordinator(&options.bootstrap, &options.group, &options.name)?;
    let conn = Connection::open(&coordinator, &options.name)?;

    // Standard input steers the member: `leave`, or its end, makes it leave.
    let stop = Arc::new(AtomicBool::new(false));
    let stop_on_input = Arc::clone(&stop);
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            match line {
                Ok(line) if line.trim() != "leave" => continue,
                _ => break,
            }
        }
        stop_on_input.store(true, Ordering::SeqCst);
    });

    let mut member = Member {
        options,
        protocol,
        conn,
        member_id: String::new(),
        generation: -1,
        owned: Vec::new(),
        last_assignment: Vec::new(),
        last_generation: None,
        stop,
        started: Instant::now(),
    };
    let outcome = member.run();
    if let Err(e) = &outcome {
        member.log("error", json!({ "message": e.to_string() }));
    }
    outcome
}
