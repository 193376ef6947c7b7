//! Every strategy's replay of one timeline, as one serializable document.

use serde::{Serialize, Serializer};

use crate::Strategy;
use crate::simulate::ReplayStrategy;
use crate::simulate::error::ReplayError;
use crate::simulate::replay::{CommitMode, EventReport, Replay, Totals};
use crate::simulate::timeline::Timeline;

/// Every strategy's replay of one timeline. Serialized, it is the document
/// `kassign simulate --json` prints: `{"timeline": {source, sizes, lanes},
/// "commit": {...}, "strategies": [{strategy, protocol, total, events}]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation<'t> {
    /// How the timeline is named (its file, say).
    pub source: String,
    /// The timeline replayed.
    pub timeline: &'t Timeline,
    /// The commit mode of the duplicate and loss bounds.
    pub commit: CommitMode,
    /// One replay per strategy, in the order asked for.
    pub replays: Vec<Replay>,
}

impl<'t> Simulation<'t> {
    /// Replays `timeline` under each of `strategies` ([`replay`](super::replay)).
    ///
    /// # Errors
    ///
    /// The first strategy's [`ReplayError`].
    pub fn run(
        source: impl Into<String>,
        timeline: &'t Timeline,
        strategies: &[Strategy],
        commit: CommitMode,
    ) -> Result<Self, ReplayError> {
        let strategies: Vec<ReplayStrategy> = strategies.iter().map(|&s| s.into()).collect();
        Self::run_all(source, timeline, &strategies, commit)
    }

    /// Replays `timeline` under each of `strategies`, classic or on the
    /// consumer protocol ([`ReplayStrategy::replay`]).
    ///
    /// # Errors
    ///
    /// The first strategy's [`ReplayError`].
    pub fn run_all(
        source: impl Into<String>,
        timeline: &'t Timeline,
        strategies: &[ReplayStrategy],
        commit: CommitMode,
    ) -> Result<Self, ReplayError> {
        let replays = strategies
            .iter()
            .map(|&s| s.replay(timeline, commit))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Simulation {
            source: source.into(),
            timeline,
            commit,
            replays,
        })
    }
}

#[derive(Serialize)]
struct Document<'a> {
    timeline: TimelineSummary<'a>,
    commit: CommitMode,
    strategies: Vec<StrategyDocument<'a>>,
}

#[derive(Serialize)]
struct TimelineSummary<'a> {
    source: &'a str,
    session_timeout_ms: u64,
    topics: usize,
    partitions: u64,
    initial_members: usize,
    events: usize,
    /// Lane names, in the order of every `lanes` array of the events.
    lanes: &'a [String],
}

#[derive(Serialize)]
struct StrategyDocument<'a> {
    strategy: &'static str,
    protocol: &'static str,
    total: Totals,
    events: Vec<NumberedEvent<'a>>,
}

#[derive(Serialize)]
struct NumberedEvent<'a> {
    index: usize,
    #[serde(flatten)]
    event: &'a EventReport,
}

impl Serialize for Simulation<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let t = self.timeline;
        Document {
            timeline: TimelineSummary {
                source: &self.source,
                session_timeout_ms: t.session_timeout_ms(),
                topics: t.topics().len(),
                partitions: t.initial_partitions(),
                initial_members: t.initial().len(),
                events: t.events().len(),
                lanes: t.lanes(),
            },
            commit: self.commit,
            strategies: self
                .replays
                .iter()
                .map(|r| StrategyDocument {
                    strategy: r.strategy,
                    protocol: r.protocol.name(),
                    total: r.totals(),
                    events: r
                        .events
                        .iter()
                        .enumerate()
                        .map(|(index, event)| NumberedEvent { index, event })
                        .collect(),
                })
                .collect(),
        }
        .serialize(serializer)
    }
}
