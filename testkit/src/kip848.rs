//! A small model of a KIP-848 group coordinator driving many members through
//! `kafka_assignors::server::reconcile`, with each member's client beside
//! it, for the property tests, the fuzz target and the differential driver
//! against Kafka's `CurrentAssignmentBuilder` (`interop/reconcile`).
//!
//! The coordinator keeps every member's record and an owners table (who
//! holds each partition, as Kafka's `currentPartitionEpoch`), recomputes the
//! target assignment (round robin over the live subscribers of each topic,
//! from a rotating offset) with a new target epoch whenever members join,
//! leave, are fenced or change subscriptions, or a target change is forced.
//! A heartbeat reports the client's owned partitions (or omits them), runs
//! one reconciliation step and hands the client its assigned partitions;
//! the client gives up and takes partitions only when it *applies* the
//! latest assignment it was sent (a separate event, so revocation can lag).
//!
//! [`Model::check`] asserts the group-wide invariants after every event; a
//! step's own checks (nothing handed out that another member holds, epochs
//! never back) run inside [`Model::apply`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kafka_assignors::server::{
    CurrentAssignment, Heartbeat, MemberState, PartitionSet, ReconcileErrorKind, TopicId, reconcile,
};

/// The id of the model's topic number `t` (never Kafka's reserved ids).
pub fn topic_id(t: usize) -> TopicId {
    TopicId::from(((t as u128 + 1) << 64) | 0xabc)
}

/// One thing that happens to the group. Member numbers are taken modulo
/// the live members (in id order), so any value is meaningful.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A new member joins with the subscription `mask` (bit `t`: topic `t`).
    Join {
        /// The subscribed topics as a bit mask.
        mask: u16,
    },
    /// A member leaves the group (its partitions are free at once).
    Leave {
        /// Which live member.
        member: usize,
    },
    /// A member's session times out: the coordinator removes it and its
    /// client abandons its partitions.
    Fence {
        /// Which live member.
        member: usize,
    },
    /// A member heartbeats.
    Heartbeat {
        /// Which live member.
        member: usize,
        /// Whether the request carries the owned partitions.
        report: bool,
        /// A new subscription carried by this heartbeat.
        subscribe: Option<u16>,
    },
    /// A member's client applies the last assignment it was sent: gives up
    /// what it lost, takes what it gained.
    Apply {
        /// Which live member.
        member: usize,
    },
    /// The assignor answers differently (the round robin's offset moves).
    Retarget {
        /// How far the offset moves.
        shift: u8,
    },
}

/// One live member: the coordinator's record and its client.
#[derive(Debug, Clone)]
pub struct ModelMember {
    /// The coordinator's record.
    pub record: CurrentAssignment,
    /// The subscribed topics.
    pub subscription: BTreeSet<TopicId>,
    /// What the client owns.
    pub client_owned: PartitionSet,
    /// The last assignment the client was sent.
    pub client_latest: PartitionSet,
    /// The incarnation (a counter over the model's joins), naming the
    /// member's sequence in traces.
    pub incarnation: u32,
}

/// One heartbeat's reconciliation, as the differential driver replays it.
#[derive(Debug, Clone)]
pub struct TraceStep {
    /// Which incarnation heartbeated.
    pub incarnation: u32,
    /// The record before the step.
    pub before: CurrentAssignment,
    /// The target epoch.
    pub target_epoch: i32,
    /// The member's target.
    pub target: PartitionSet,
    /// The owned report.
    pub owned: Option<PartitionSet>,
    /// The member's subscription.
    pub subscription: BTreeSet<TopicId>,
    /// Whether this heartbeat changed it.
    pub subscription_changed: bool,
    /// Holders' epochs of the target's partitions held by anyone.
    pub owners: Vec<(TopicId, i32, i32)>,
    /// The record after the step (or the error).
    pub after: Result<CurrentAssignment, ReconcileErrorKind>,
}

/// The model coordinator.
#[derive(Debug, Clone)]
pub struct Model {
    topics: Vec<(TopicId, i32)>,
    /// Live members by member number.
    pub members: BTreeMap<u32, ModelMember>,
    next_member: u32,
    target_epoch: i32,
    rotation: usize,
    targets: BTreeMap<u32, PartitionSet>,
    owners: HashMap<(TopicId, i32), (u32, i32)>,
    /// Every heartbeat's step, when tracing.
    pub trace: Option<Vec<TraceStep>>,
}

impl Model {
    /// A group with no members over topics of the given partition counts
    /// (topic `t` is [`topic_id`]`(t)`).
    pub fn new(partitions: &[i32]) -> Self {
        Model {
            topics: partitions
                .iter()
                .enumerate()
                .map(|(t, &n)| (topic_id(t), n.max(0)))
                .collect(),
            members: BTreeMap::new(),
            next_member: 0,
            target_epoch: 0,
            rotation: 0,
            targets: BTreeMap::new(),
            owners: HashMap::new(),
            trace: None,
        }
    }

    /// The current target epoch.
    pub fn target_epoch(&self) -> i32 {
        self.target_epoch
    }

    /// A member's current target.
    pub fn target(&self, member: u32) -> PartitionSet {
        self.targets.get(&member).cloned().unwrap_or_default()
    }

    fn subscription_of(&self, mask: u16) -> BTreeSet<TopicId> {
        self.topics
            .iter()
            .enumerate()
            .filter(|(t, _)| mask & (1 << (t % 16)) != 0)
            .map(|(_, (id, _))| *id)
            .collect()
    }

    fn nth(&self, member: usize) -> Option<u32> {
        let n = self.members.len();
        (n > 0).then(|| *self.members.keys().nth(member % n).unwrap_or(&0))
    }

    /// Recomputes every target: per topic, partitions dealt round robin
    /// over its live subscribers (in member order) from the rotating offset.
    fn retarget(&mut self) {
        self.target_epoch += 1;
        let mut targets: BTreeMap<u32, Vec<(TopicId, i32)>> =
            self.members.keys().map(|&m| (m, Vec::new())).collect();
        for (t, &(topic, count)) in self.topics.iter().enumerate() {
            let subscribers: Vec<u32> = self
                .members
                .iter()
                .filter(|(_, m)| m.subscription.contains(&topic))
                .map(|(&id, _)| id)
                .collect();
            if subscribers.is_empty() {
                continue;
            }
            for p in 0..count {
                let who = subscribers[(p as usize + t + self.rotation) % subscribers.len()];
                targets.entry(who).or_default().push((topic, p));
            }
        }
        self.targets = targets
            .into_iter()
            .map(|(m, ps)| (m, PartitionSet::from_partitions(ps).unwrap_or_default()))
            .collect();
    }

    fn release(&mut self, member: u32) {
        self.owners.retain(|_, (holder, _)| *holder != member);
    }

    /// Applies one event; `Err` names a broken per-step invariant (a
    /// partition handed out while held elsewhere, an epoch going back, an
    /// unexpected reconciliation error).
    pub fn apply(&mut self, event: &Event) -> Result<(), String> {
        match *event {
            Event::Join { mask } => {
                let id = self.next_member;
                self.next_member += 1;
                let subscription = self.subscription_of(mask);
                self.members.insert(
                    id,
                    ModelMember {
                        record: CurrentAssignment::joining(),
                        subscription,
                        client_owned: PartitionSet::new(),
                        client_latest: PartitionSet::new(),
                        incarnation: id,
                    },
                );
                self.retarget();
            }
            Event::Leave { member } | Event::Fence { member } => {
                if let Some(id) = self.nth(member) {
                    self.members.remove(&id);
                    self.targets.remove(&id);
                    self.release(id);
                    self.retarget();
                }
            }
            Event::Apply { member } => {
                if let Some(id) = self.nth(member)
                    && let Some(m) = self.members.get_mut(&id)
                {
                    m.client_owned = m.client_latest.clone();
                }
            }
            Event::Retarget { shift } => {
                self.rotation = self.rotation.wrapping_add(shift as usize);
                self.retarget();
            }
            Event::Heartbeat {
                member,
                report,
                subscribe,
            } => {
                if let Some(id) = self.nth(member) {
                    self.heartbeat(id, report, subscribe)?;
                }
            }
        }
        Ok(())
    }

    fn heartbeat(&mut self, id: u32, report: bool, subscribe: Option<u16>) -> Result<(), String> {
        let mut changed = false;
        if let Some(mask) = subscribe {
            let subscription = self.subscription_of(mask);
            if let Some(m) = self.members.get_mut(&id)
                && m.subscription != subscription
            {
                m.subscription = subscription;
                changed = true;
            }
            if changed {
                self.retarget();
            }
        }
        let Some(m) = self.members.get(&id) else {
            return Ok(());
        };
        let target = self.targets.get(&id).cloned().unwrap_or_default();
        let owned = report.then(|| m.client_owned.clone());
        let hb = Heartbeat {
            target_epoch: self.target_epoch,
            target: &target,
            owned: owned.as_ref(),
            subscription_changed: changed,
        };
        let subscription = &m.subscription;
        let owners = &self.owners;
        let result = reconcile(
            &m.record,
            &hb,
            &|t: TopicId| subscription.contains(&t),
            &|t: TopicId, p: i32| owners.get(&(t, p)).map(|&(_, e)| e),
        );
        if let Some(trace) = self.trace.as_mut() {
            trace.push(TraceStep {
                incarnation: m.incarnation,
                before: m.record.clone(),
                target_epoch: self.target_epoch,
                target: target.clone(),
                owned: owned.clone(),
                subscription: m.subscription.clone(),
                subscription_changed: changed,
                owners: target
                    .iter()
                    .filter_map(|(t, p)| owners.get(&(t, p)).map(|&(_, e)| (t, p, e)))
                    .collect(),
                after: result
                    .clone()
                    .map(|r| r.into_next(&m.record))
                    .map_err(|e| e.kind().clone()),
            });
        }
        let next = result
            .map_err(|e| format!("member {id}: unexpected error: {e}"))?
            .into_next(&m.record);
        let before = &m.record;
        // Nothing handed out that another member holds.
        for (t, p, _) in next.assigned().iter() {
            if before.assigned().contains(t, p) || before.pending_revocation().contains(t, p) {
                continue;
            }
            if let Some(&(holder, _)) = self.owners.get(&(t, p))
                && holder != id
            {
                return Err(format!(
                    "member {id} was given {t}-{p} while member {holder} holds it"
                ));
            }
        }
        if next.epoch() < before.epoch() {
            return Err(format!(
                "member {id}'s epoch went back from {} to {}",
                before.epoch(),
                next.epoch()
            ));
        }
        if next.epoch() > self.target_epoch {
            return Err(format!(
                "member {id}'s epoch {} is past the target epoch {}",
                next.epoch(),
                self.target_epoch
            ));
        }
        // A revocation request never carries new partitions.
        if next.state() == MemberState::UnrevokedPartitions {
            for (t, p, _) in next.assigned().iter() {
                if !before.assigned().contains(t, p) && !before.pending_revocation().contains(t, p)
                {
                    return Err(format!(
                        "member {id} was given {t}-{p} while it must still revoke"
                    ));
                }
            }
        }
        let epoch = next.epoch();
        let held: Vec<(TopicId, i32)> = next.held().collect();
        let latest = next.assigned().to_set();
        self.release(id);
        for tp in held {
            self.owners.insert(tp, (id, epoch));
        }
        if let Some(m) = self.members.get_mut(&id) {
            m.record = next;
            m.client_latest = latest;
        }
        Ok(())
    }

    /// The group-wide invariants: no partition held by two records (the
    /// owners table is exactly the records), every client owns only what
    /// its record holds (so no two clients own one partition), targets are
    /// disjoint, and each target is within the member's subscription.
    pub fn check(&self) -> Result<(), String> {
        let mut holder: HashMap<(TopicId, i32), u32> = HashMap::new();
        for (&id, m) in &self.members {
            for tp in m.record.held() {
                if let Some(other) = holder.insert(tp, id) {
                    return Err(format!(
                        "{}-{} is held by members {other} and {id}",
                        tp.0, tp.1
                    ));
                }
                if self.owners.get(&tp).map(|&(h, _)| h) != Some(id) {
                    return Err(format!(
                        "the owners table misses {}-{} of member {id}",
                        tp.0, tp.1
                    ));
                }
            }
            for (t, p) in m.client_owned.iter() {
                if !m.record.assigned().contains(t, p)
                    && !m.record.pending_revocation().contains(t, p)
                {
                    return Err(format!(
                        "member {id}'s client owns {t}-{p}, which its record does not hold"
                    ));
                }
            }
        }
        if holder.len() != self.owners.len() {
            return Err(format!(
                "the owners table has {} entries for {} held partitions",
                self.owners.len(),
                holder.len()
            ));
        }
        let mut targeted = BTreeSet::new();
        for (id, target) in &self.targets {
            for tp in target.iter() {
                if !targeted.insert(tp) {
                    return Err(format!("{}-{} is targeted twice", tp.0, tp.1));
                }
                let subscribed = self
                    .members
                    .get(id)
                    .is_some_and(|m| m.subscription.contains(&tp.0));
                if !subscribed {
                    return Err(format!("{}-{} targeted to non-subscriber {id}", tp.0, tp.1));
                }
            }
        }
        Ok(())
    }

    /// Heartbeats and applies for every member, round after round, with full
    /// reports, until every member is reconciled (`Stable` at the target
    /// epoch, assigned exactly its target, nothing pending, its client
    /// owning exactly that) or `rounds` run out. `Err` names a member that
    /// did not get there, or a broken invariant on the way.
    pub fn settle(&mut self, rounds: usize) -> Result<usize, String> {
        for round in 0..rounds {
            if self.members.iter().all(|(id, m)| self.reconciled(*id, m)) {
                return Ok(round);
            }
            let ids: Vec<u32> = self.members.keys().copied().collect();
            for id in ids {
                self.heartbeat(id, true, None)?;
                if let Some(m) = self.members.get_mut(&id) {
                    m.client_owned = m.client_latest.clone();
                }
                self.check()?;
            }
        }
        match self
            .members
            .iter()
            .find(|(id, m)| !self.reconciled(**id, m))
        {
            None => Ok(rounds),
            Some((id, m)) => Err(format!(
                "member {id} did not reach its target in {rounds} rounds: {:?} at epoch {} (target epoch {}), assigned {:?}, target {:?}",
                m.record.state(),
                m.record.epoch(),
                self.target_epoch,
                m.record.assigned().to_set(),
                self.target(*id)
            )),
        }
    }

    fn reconciled(&self, id: u32, m: &ModelMember) -> bool {
        let target = self.target(id);
        m.record.is_reconciled_to(self.target_epoch)
            && m.record.assigned().to_set() == target
            && m.record.pending_revocation().is_empty()
            && m.client_owned == target
    }
}
