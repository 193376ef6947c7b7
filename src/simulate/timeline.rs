//! The timeline: topics, the initial members, then events.
//!
//! [`Timeline::new`] checks everything the replay relies on (names exist,
//! members are in a state where the event makes sense, partition counts only
//! grow, rates are from 0 to [`MAX_RATE`]) so that replaying never meets bad
//! input.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use crate::Topic;
use crate::simulate::error::{TimelineError, TimelineErrorKind};

/// The Java client's default `session.timeout.ms` (Kafka 3.0 and later).
pub const DEFAULT_SESSION_TIMEOUT_MS: u64 = 45_000;

/// The most partitions a timeline may ever hold, over all its topics at
/// their largest: every strategy replays every round over all of them.
pub const MAX_TIMELINE_PARTITIONS: u64 = 1 << 22;

/// The most events a timeline may hold.
pub const MAX_EVENTS: usize = 10_000;

/// The highest rate a partition may read, in messages per second. Rates are
/// summed over partitions and multiplied by the commit interval and the
/// number of moves; with this bound, [`MAX_TIMELINE_PARTITIONS`],
/// [`MAX_EVENTS`] and the largest interval every such figure stays far below
/// `f64::MAX` (below 1e32 at worst, against 1.8e308), so no report shows
/// `inf`. A finite rate such as 1e308 would not.
pub const MAX_RATE: f64 = 1e12;

/// The timeline file as written (docs/timeline-format.md), before
/// [`Timeline::new`] checks it. Read it with any serde format; unknown keys
/// are errors.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineFile {
    /// `session.timeout.ms`; [`DEFAULT_SESSION_TIMEOUT_MS`] when left out.
    #[serde(default)]
    pub session_timeout_ms: Option<u64>,
    /// The scenario format's topics, read by the model's own reader.
    #[serde(deserialize_with = "crate::serde_impls::deserialize_topics")]
    pub topics: Vec<Topic>,
    /// Messages per second, by topic name; 1 per partition when left out.
    #[serde(default)]
    pub rates: HashMap<String, RateSpec>,
    /// The group at the start.
    pub members: Vec<MemberSpec>,
    /// What happens, in order.
    #[serde(default)]
    pub events: Vec<EventSpec>,
}

/// Messages per second: one figure for every partition of a topic, or one
/// per partition.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum RateSpec {
    /// The same rate for every partition.
    Each(f64),
    /// One rate per partition.
    PerPartition(Vec<f64>),
}

/// A consumer process, as the timeline names it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberSpec {
    /// The process's name: its lane in the output. The coordinator's member
    /// id is derived from it and changes at every fresh join.
    pub name: String,
    /// `group.instance.id`: a static member.
    #[serde(default)]
    pub instance_id: Option<String>,
    /// `client.rack`.
    #[serde(default)]
    pub rack: Option<String>,
    /// Subscribed topics.
    pub topics: Vec<Arc<str>>,
}

/// One event as written: members and topics by name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[allow(missing_docs)] // The fields are the file's keys, described in docs/timeline-format.md.
pub enum EventSpec {
    /// A process joins.
    Join { member: MemberSpec },
    /// A member leaves cleanly.
    Leave { member: String },
    /// A member stops without a word.
    Crash { member: String },
    /// A crashed member comes back with its stale state.
    Recover { member: String },
    /// A process restarts, down for `down_ms`.
    Restart { member: String, down_ms: u64 },
    /// A member's subscription changes.
    Subscribe {
        member: String,
        topics: Vec<Arc<str>>,
    },
    /// A topic grows.
    AddPartitions {
        topic: String,
        partitions: i32,
        #[serde(default)]
        rate: Option<f64>,
        #[serde(default)]
        racks: Option<Vec<Vec<Arc<str>>>>,
    },
    /// A topic is deleted.
    DeleteTopic { topic: String },
    /// A member's rack changes.
    Rack {
        member: String,
        rack: Option<String>,
    },
}

/// One thing that happens to the group, with names resolved to lanes and
/// topics to their number in [`Timeline::topics`].
#[derive(Debug, Clone, PartialEq)]
// `lane` is an index into [`Timeline::lanes`], `topic` into
// [`Timeline::topics`]; the other fields are the file's keys.
#[allow(missing_docs)]
pub enum Event {
    /// A new process joins (a name never seen, one that left, or one that
    /// crashed and comes back as a fresh process).
    Join { lane: u32, spec: MemberSpec },
    /// The member leaves cleanly: it revokes, commits and sends LeaveGroup.
    Leave { lane: u32 },
    /// The member stops; the coordinator notices after the session timeout.
    Crash { lane: u32 },
    /// A crashed member comes back with what it last had: its stale owned
    /// partitions and generation.
    Recover { lane: u32 },
    /// The process restarts and is down for `down_ms`.
    Restart { lane: u32, down_ms: u64 },
    /// The member changes its subscription and rejoins.
    Subscribe { lane: u32, topics: Vec<Arc<str>> },
    /// A topic grows to `partitions`; the new ones carry `rates` and `racks`.
    AddPartitions {
        topic: u32,
        partitions: i32,
        rates: Vec<f64>,
        racks: Option<Vec<Vec<Arc<str>>>>,
    },
    /// A topic is deleted.
    DeleteTopic { topic: u32 },
    /// The member's rack changes and it rejoins.
    Rack { lane: u32, rack: Option<String> },
}

impl Event {
    /// A short label, for tables and the SVG.
    pub fn label(&self, timeline: &Timeline) -> String {
        let name = |lane: &u32| timeline.lanes[*lane as usize].as_str();
        let topic = |t: &u32| &*timeline.topics[*t as usize].name;
        match self {
            Event::Join { lane, .. } => format!("join {}", name(lane)),
            Event::Leave { lane } => format!("leave {}", name(lane)),
            Event::Crash { lane } => format!("crash {}", name(lane)),
            Event::Recover { lane } => format!("recover {}", name(lane)),
            Event::Restart { lane, .. } => format!("restart {}", name(lane)),
            Event::Subscribe { lane, .. } => format!("subscribe {}", name(lane)),
            Event::AddPartitions {
                topic: t,
                partitions,
                ..
            } => format!("grow {} to {partitions}", topic(t)),
            Event::DeleteTopic { topic: t } => format!("delete {}", topic(t)),
            Event::Rack { lane, .. } => format!("rack {}", name(lane)),
        }
    }

    /// The event's kind, as the file names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Join { .. } => "join",
            Event::Leave { .. } => "leave",
            Event::Crash { .. } => "crash",
            Event::Recover { .. } => "recover",
            Event::Restart { .. } => "restart",
            Event::Subscribe { .. } => "subscribe",
            Event::AddPartitions { .. } => "add_partitions",
            Event::DeleteTopic { .. } => "delete_topic",
            Event::Rack { .. } => "rack",
        }
    }
}

/// A checked timeline: names resolved to lanes and topic numbers, every
/// event possible in the state the events before it leave.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    session_timeout_ms: u64,
    topics: Vec<Topic>,
    rates: Vec<Vec<f64>>,
    lanes: Vec<String>,
    initial: Vec<MemberSpec>,
    events: Vec<Event>,
}

impl Timeline {
    /// `session.timeout.ms`.
    pub fn session_timeout_ms(&self) -> u64 {
        self.session_timeout_ms
    }

    /// The initial topic metadata, in file order.
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// Per topic, messages per second of each partition it will ever have.
    pub fn rates(&self) -> &[Vec<f64>] {
        &self.rates
    }

    /// Lane names: the initial members, then every new name in event order.
    pub fn lanes(&self) -> &[String] {
        &self.lanes
    }

    /// The initial members, as lanes `0..initial().len()`.
    pub fn initial(&self) -> &[MemberSpec] {
        &self.initial
    }

    /// The events, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The partitions at the start, over all topics.
    pub fn initial_partitions(&self) -> u64 {
        self.topics.iter().map(|t| t.partitions.max(0) as u64).sum()
    }

    /// How many partitions the timeline ever holds (each topic at its largest).
    pub fn slots(&self) -> usize {
        self.rates.iter().map(Vec::len).sum()
    }
}

/// What the parser knows of a lane while checking events in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    Active,
    Crashed,
    Gone,
}

impl Timeline {
    /// Checks a timeline file.
    ///
    /// # Errors
    ///
    /// A [`TimelineError`] naming the first problem by its place in the file
    /// (`events[3]: member "c9" is not in the timeline`).
    pub fn new(file: TimelineFile) -> Result<Timeline, TimelineError> {
        check(file)
    }
}

fn check(parsed: TimelineFile) -> Result<Timeline, TimelineError> {
    use TimelineErrorKind as K;
    let fail = TimelineError::new;
    let topics = parsed.topics;
    let session_timeout_ms = parsed
        .session_timeout_ms
        .unwrap_or(DEFAULT_SESSION_TIMEOUT_MS);
    if parsed.events.len() > MAX_EVENTS {
        return Err(fail(
            K::TooLarge,
            format!(
                "{} events, more than the {MAX_EVENTS} a timeline may hold",
                parsed.events.len()
            ),
        ));
    }

    let topic_number: HashMap<&str, u32> = topics
        .iter()
        .enumerate()
        .map(|(i, t)| (&*t.name, i as u32))
        .collect();
    for topic in &topics {
        if let Some(racks) = &topic.replica_racks
            && racks.len() != topic.partitions as usize
        {
            return Err(fail(
                K::Racks,
                format!(
                    "topics.{}: {} partitions but racks for {}",
                    topic.name,
                    topic.partitions,
                    racks.len()
                ),
            ));
        }
    }

    // Rates as given for the initial partitions; grown partitions are
    // appended while the events are checked.
    let mut rates: Vec<Vec<f64>> = Vec::with_capacity(topics.len());
    let mut total: u64 = 0;
    for topic in &topics {
        if topic.partitions < 0 {
            return Err(fail(
                K::Topic,
                format!(
                    "topics.{}: negative partition count {}",
                    topic.name, topic.partitions
                ),
            ));
        }
        total += topic.partitions as u64;
        if total > MAX_TIMELINE_PARTITIONS {
            return Err(fail(K::TooLarge, too_many(total)));
        }
        let count = topic.partitions as usize;
        let list = match parsed.rates.get(&*topic.name) {
            None => vec![1.0; count],
            Some(RateSpec::Each(rate)) => {
                check_rate(*rate)
                    .map_err(|m| fail(K::Rate, format!("rates.{}: {m}", topic.name)))?;
                vec![*rate; count]
            }
            Some(RateSpec::PerPartition(list)) => {
                if list.len() != count {
                    return Err(fail(
                        K::Rate,
                        format!(
                            "rates.{}: {} rates for {count} partitions",
                            topic.name,
                            list.len()
                        ),
                    ));
                }
                for (p, rate) in list.iter().enumerate() {
                    check_rate(*rate)
                        .map_err(|m| fail(K::Rate, format!("rates.{}[{p}]: {m}", topic.name)))?;
                }
                list.clone()
            }
        };
        rates.push(list);
    }
    let mut rate_names: Vec<&String> = parsed.rates.keys().collect();
    rate_names.sort();
    if let Some(unknown) = rate_names
        .into_iter()
        .find(|name| !topic_number.contains_key(name.as_str()))
    {
        return Err(fail(
            K::Topic,
            format!("rates.{unknown}: topic {unknown:?} is not in topics"),
        ));
    }

    let mut lanes: Vec<String> = Vec::new();
    let mut lane_of: HashMap<String, u32> = HashMap::new();
    let mut presence: Vec<Presence> = Vec::new();
    let mut instance_ids: HashMap<String, u32> = HashMap::new();
    for (at, member) in parsed.members.iter().enumerate() {
        check_member(member, &lane_of, &instance_ids, None)
            .map_err(|m| fail(K::Name, format!("members[{at}]: {m}")))?;
        let lane = lanes.len() as u32;
        if let Some(instance) = &member.instance_id {
            instance_ids.insert(instance.clone(), lane);
        }
        lane_of.insert(member.name.clone(), lane);
        lanes.push(member.name.clone());
        presence.push(Presence::Active);
    }

    let mut deleted = vec![false; topics.len()];
    let mut counts: Vec<i32> = topics.iter().map(|t| t.partitions).collect();
    let mut events = Vec::with_capacity(parsed.events.len());
    for (at, spec) in parsed.events.into_iter().enumerate() {
        let here = |kind, m: String| fail(kind, format!("events[{at}]: {m}"));
        let find = |name: &str| {
            lane_of
                .get(name)
                .copied()
                .ok_or_else(|| here(K::Name, format!("member {name:?} is not in the timeline")))
        };
        let need = |lane: u32, wanted: Presence, doing: &str| {
            let now = presence[lane as usize];
            if now == wanted {
                Ok(())
            } else {
                let state = match now {
                    Presence::Active => "in the group",
                    Presence::Crashed => "crashed",
                    Presence::Gone => "not in the group",
                };
                Err(here(
                    K::State,
                    format!(
                        "member {:?} cannot {doing}: it is {state}",
                        lanes[lane as usize]
                    ),
                ))
            }
        };
        let find_topic = |name: &str, deleted: &[bool]| {
            topic_number
                .get(name)
                .copied()
                .filter(|&t| !deleted[t as usize])
                .ok_or_else(|| here(K::Topic, format!("topic {name:?} is not in the metadata")))
        };
        let event = match spec {
            EventSpec::Join { member } => {
                let existing = lane_of.get(&member.name).copied();
                if let Some(lane) = existing
                    && presence[lane as usize] == Presence::Active
                {
                    return Err(here(
                        K::State,
                        format!("member {:?} is already in the group", member.name),
                    ));
                }
                check_member(&member, &lane_of, &instance_ids, existing)
                    .map_err(|m| here(K::Name, m))?;
                let lane = match existing {
                    Some(lane) => lane,
                    None => {
                        let lane = lanes.len() as u32;
                        lane_of.insert(member.name.clone(), lane);
                        lanes.push(member.name.clone());
                        presence.push(Presence::Gone);
                        lane
                    }
                };
                if let Some(instance) = &member.instance_id {
                    instance_ids.insert(instance.clone(), lane);
                }
                presence[lane as usize] = Presence::Active;
                Event::Join { lane, spec: member }
            }
            EventSpec::Leave { member } => {
                let lane = find(&member)?;
                need(lane, Presence::Active, "leave")?;
                presence[lane as usize] = Presence::Gone;
                Event::Leave { lane }
            }
            EventSpec::Crash { member } => {
                let lane = find(&member)?;
                need(lane, Presence::Active, "crash")?;
                presence[lane as usize] = Presence::Crashed;
                Event::Crash { lane }
            }
            EventSpec::Recover { member } => {
                let lane = find(&member)?;
                need(lane, Presence::Crashed, "recover")?;
                presence[lane as usize] = Presence::Active;
                Event::Recover { lane }
            }
            EventSpec::Restart { member, down_ms } => {
                let lane = find(&member)?;
                need(lane, Presence::Active, "restart")?;
                Event::Restart { lane, down_ms }
            }
            EventSpec::Subscribe { member, topics } => {
                let lane = find(&member)?;
                need(lane, Presence::Active, "change its subscription")?;
                Event::Subscribe { lane, topics }
            }
            EventSpec::Rack { member, rack } => {
                let lane = find(&member)?;
                need(lane, Presence::Active, "change its rack")?;
                Event::Rack { lane, rack }
            }
            EventSpec::DeleteTopic { topic } => {
                let t = find_topic(&topic, &deleted)?;
                deleted[t as usize] = true;
                Event::DeleteTopic { topic: t }
            }
            EventSpec::AddPartitions {
                topic,
                partitions,
                rate,
                racks,
            } => {
                let t = find_topic(&topic, &deleted)?;
                let before = counts[t as usize];
                if partitions <= before {
                    return Err(here(
                        K::Topic,
                        format!(
                            "topic {topic:?} has {before} partitions; add_partitions must raise \
                         the count, not set it to {partitions}"
                        ),
                    ));
                }
                let added = (partitions - before) as usize;
                total += added as u64;
                if total > MAX_TIMELINE_PARTITIONS {
                    return Err(here(K::TooLarge, too_many(total)));
                }
                let has_racks = topics[t as usize].replica_racks.is_some();
                match &racks {
                    Some(list) if !has_racks => {
                        return Err(here(
                            K::Racks,
                            format!(
                                "topic {topic:?} has no racks, but racks are given for {} \
                             new partitions",
                                list.len()
                            ),
                        ));
                    }
                    Some(list) if list.len() != added => {
                        return Err(here(
                            K::Racks,
                            format!(
                                "topic {topic:?} gains {added} partitions but racks are given \
                             for {}",
                                list.len()
                            ),
                        ));
                    }
                    None if has_racks => {
                        return Err(here(
                            K::Racks,
                            format!(
                                "topic {topic:?} has racks: give racks for its {added} new \
                             partitions"
                            ),
                        ));
                    }
                    _ => {}
                }
                let list = &mut rates[t as usize];
                let rate = match rate {
                    Some(rate) => {
                        check_rate(rate)
                            .map_err(|m| here(K::Rate, format!("rate of topic {topic:?}: {m}")))?;
                        rate
                    }
                    // The topic's mean so far: new partitions get their
                    // share of the producers.
                    None if list.is_empty() => 1.0,
                    None => list.iter().sum::<f64>() / list.len() as f64,
                };
                let rates_of_new = vec![rate; added];
                list.extend_from_slice(&rates_of_new);
                counts[t as usize] = partitions;
                Event::AddPartitions {
                    topic: t,
                    partitions,
                    rates: rates_of_new,
                    racks,
                }
            }
        };
        events.push(event);
    }

    Ok(Timeline {
        session_timeout_ms,
        topics,
        rates,
        lanes,
        initial: parsed.members,
        events,
    })
}

fn too_many(total: u64) -> String {
    format!(
        "the timeline reaches {total} partitions, more than the {MAX_TIMELINE_PARTITIONS} \
         a simulation may hold"
    )
}

fn check_rate(rate: f64) -> Result<(), String> {
    // Written as a range so that NaN, which compares false, is refused too.
    if (0.0..=MAX_RATE).contains(&rate) {
        Ok(())
    } else {
        Err(format!(
            "rate {} is not a number of messages per second from 0 to {MAX_RATE:e}",
            show_rate(rate)
        ))
    }
}

/// A rate as the user would have written it: `{}` prints 1e308 with 309
/// digits, so large magnitudes are shown in exponent form.
fn show_rate(rate: f64) -> String {
    if rate.abs() >= 1e15 {
        format!("{rate:e}")
    } else {
        format!("{rate}")
    }
}

/// A member about to join: its name and instance id are free (or its own).
fn check_member(
    member: &MemberSpec,
    lane_of: &HashMap<String, u32>,
    instance_ids: &HashMap<String, u32>,
    own_lane: Option<u32>,
) -> Result<(), String> {
    if member.name.is_empty() {
        return Err("member name is empty".to_string());
    }
    if own_lane.is_none() && lane_of.contains_key(&member.name) {
        return Err(format!(
            "member name {:?} appears more than once",
            member.name
        ));
    }
    if let Some(instance) = &member.instance_id
        && let Some(&holder) = instance_ids.get(instance)
        && Some(holder) != own_lane
    {
        return Err(format!(
            "member {:?} uses instance id {instance:?}, which another member has",
            member.name
        ));
    }
    Ok(())
}
