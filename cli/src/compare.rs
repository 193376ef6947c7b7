//! `kassign compare`: every strategy on one group, side by side.
//!
//! A person choosing a strategy wants three numbers from each: how uneven the
//! loads are (the busiest member sets the group's lag), how many members sit
//! idle, and how many partitions leave the member that reads them now (each
//! move pauses that partition and risks duplicates).

use std::collections::HashMap;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use kafka_assignors::{AssignError, Assignment, Assignor, Group, RebalanceProtocol, Strategy};

/// Marks a partition nobody owns now, in [`CurrentOwners`].
const NOBODY: u32 = u32::MAX;

/// One strategy's row.
#[derive(Debug)]
pub(crate) struct Row {
    strategy: &'static str,
    min: usize,
    max: usize,
    idle: usize,
    /// Partitions whose current owner is not their new one.
    moved: usize,
    /// Under a cooperative strategy, partitions the first round gives to
    /// nobody (revoked, to be assigned in the follow-up round); `None` for
    /// an eager one, which has no follow-up.
    held_back: Option<usize>,
    /// The first round's assign call.
    elapsed: Duration,
}

/// Every strategy's row, and the group's size.
#[derive(Debug)]
pub(crate) struct Report {
    members: usize,
    topics: usize,
    partitions: u64,
    /// Partitions with a current owner.
    owned: usize,
    rows: Vec<Row>,
}

/// Runs every strategy on `group`.
pub(crate) fn compare(group: &Group) -> Result<Report, AssignError> {
    let mut rows = Vec::with_capacity(Strategy::ALL.len());
    let mut owners = None;
    for strategy in Strategy::ALL {
        let started = Instant::now();
        let mut assignment = strategy.assign(group)?;
        let elapsed = started.elapsed();
        // Built after the first success, so it only sees a validated group.
        let owners = owners.get_or_insert_with(|| CurrentOwners::new(group));
        let total = owners.owner.len();
        let assigned = |a: &Assignment| a.members().map(|m| m.len()).sum::<usize>();
        // A cooperative strategy leaves what changes owner unassigned for a
        // round; counting that as the answer would show the partitions as
        // lost and the loads as uneven. The rows show the group after the
        // follow-up round, which assigns them, and say how many waited.
        let cooperative =
            strategy.supported_protocols().last() == Some(&RebalanceProtocol::Cooperative);
        let held_back = cooperative.then(|| total.saturating_sub(assigned(&assignment)));
        if held_back.is_some_and(|held| held > 0) {
            // One follow-up settles (see the sticky module).
            assignment = strategy.assign(&group.next_generation(&assignment))?;
        }
        let loads: Vec<usize> = assignment.members().map(|m| m.len()).collect();
        rows.push(Row {
            strategy: strategy.name(),
            min: loads.iter().copied().min().unwrap_or(0),
            max: loads.iter().copied().max().unwrap_or(0),
            idle: loads.iter().filter(|&&load| load == 0).count(),
            moved: owners.moved(group, &assignment),
            held_back,
            elapsed,
        });
    }
    let owners = owners.unwrap_or_else(|| CurrentOwners::new(group));
    Ok(Report {
        members: group.members.len(),
        topics: owners.topic_start.len(),
        partitions: owners.owner.len() as u64,
        owned: owners.owner.iter().filter(|&&o| o != NOBODY).count(),
        rows,
    })
}

/// Who reads each subscribed partition now.
///
/// A claim counts when the claimant subscribes to the topic and the partition
/// exists (the library's rule for owned partitions). Of several claimants,
/// the one with the highest generation (missing = -1) is the owner; when the
/// highest generation is shared, nobody is.
struct CurrentOwners<'g> {
    /// Subscribed metadata topics by name -> (first slot in `owner`,
    /// partition count, topic number).
    topic_start: HashMap<&'g str, (usize, i32, usize)>,
    /// Per partition slot: the member's position in `group.members`, or [`NOBODY`].
    owner: Vec<u32>,
}

impl<'g> CurrentOwners<'g> {
    fn new(group: &'g Group) -> Self {
        let subscribed: std::collections::HashSet<&str> = group
            .members
            .iter()
            .flat_map(|m| m.topics.iter().map(|t| &**t))
            .collect();
        let mut topic_start = HashMap::new();
        let mut total = 0usize;
        for topic in &group.topics {
            if subscribed.contains(&*topic.name) && topic.partitions > 0 {
                let number = topic_start.len();
                topic_start.insert(&*topic.name, (total, topic.partitions, number));
                total += topic.partitions as usize;
            }
        }
        let mut owner = vec![NOBODY; total];
        let mut best = vec![i64::MIN; total];
        let mut tied = vec![false; total];
        // Per topic number: 1 + the last member found subscribing to it.
        let mut subscriber = vec![0usize; topic_start.len()];
        for (m, member) in group.members.iter().enumerate() {
            for topic in &member.topics {
                if let Some(&(_, _, number)) = topic_start.get(&**topic) {
                    subscriber[number] = m + 1;
                }
            }
            let generation = i64::from(member.generation.unwrap_or(-1));
            let mut claimed: Vec<usize> = member
                .owned
                .iter()
                .filter_map(|tp| {
                    let &(start, count, number) = topic_start.get(&*tp.topic)?;
                    let valid = subscriber[number] == m + 1 && (0..count).contains(&tp.partition);
                    valid.then(|| start + tp.partition as usize)
                })
                .collect();
            // A member listing a partition twice is one claim.
            claimed.sort_unstable();
            claimed.dedup();
            for slot in claimed {
                if generation > best[slot] {
                    best[slot] = generation;
                    owner[slot] = m as u32;
                    tied[slot] = false;
                } else if generation == best[slot] {
                    tied[slot] = true;
                }
            }
        }
        for (slot, tie) in tied.iter().enumerate() {
            if *tie {
                owner[slot] = NOBODY;
            }
        }
        CurrentOwners { topic_start, owner }
    }

    /// How many owned partitions `assignment` gives to someone else (or to
    /// nobody).
    fn moved(&self, group: &Group, assignment: &Assignment) -> usize {
        let position: HashMap<&str, u32> = group
            .members
            .iter()
            .enumerate()
            .map(|(m, member)| (member.id.as_str(), m as u32))
            .collect();
        let mut new_owner = vec![NOBODY; self.owner.len()];
        for member in assignment.members() {
            let m = position.get(member.id()).copied().unwrap_or(NOBODY);
            for (topic, partitions) in member.topics() {
                if let Some(&(start, count, _)) = self.topic_start.get(topic) {
                    for &p in partitions.iter().filter(|&&p| (0..count).contains(&p)) {
                        new_owner[start + p as usize] = m;
                    }
                }
            }
        }
        self.owner
            .iter()
            .zip(&new_owner)
            .filter(|&(&now, &next)| now != NOBODY && now != next)
            .count()
    }
}

impl Report {
    /// The table, for people.
    pub(crate) fn write(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "{} members, {} subscribed topics, {} partitions; {} partitions have a current owner",
            self.members, self.topics, self.partitions, self.owned
        )?;
        writeln!(out)?;
        let moves = self.owned > 0;
        write!(
            out,
            "{:<20} {:>8} {:>8} {:>8} {:>6}",
            "strategy", "min", "max", "spread", "idle"
        )?;
        if moves {
            write!(out, " {:>16}", "moved")?;
        }
        let follow_ups = self.rows.iter().any(|r| r.held_back.is_some_and(|h| h > 0));
        if follow_ups {
            write!(out, " {:>9}", "follow-up")?;
        }
        writeln!(out, " {:>10}", "time")?;
        for row in &self.rows {
            write!(
                out,
                "{:<20} {:>8} {:>8} {:>8} {:>6}",
                row.strategy,
                row.min,
                row.max,
                row.max - row.min,
                row.idle
            )?;
            if moves {
                let share = 100.0 * row.moved as f64 / self.owned as f64;
                write!(out, " {:>16}", format!("{} ({share:.1}%)", row.moved))?;
            }
            if follow_ups {
                let held = row.held_back.map_or("-".to_string(), |h| h.to_string());
                write!(out, " {held:>9}")?;
            }
            writeln!(
                out,
                " {:>10}",
                format!("{:.2} ms", row.elapsed.as_secs_f64() * 1e3)
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "min / max / spread: partitions per member; idle: members given none;"
        )?;
        if moves {
            writeln!(
                out,
                "moved: owned partitions taken from their current owner (the claimant with the \
                 highest generation; a tie means no owner)."
            )?;
        } else {
            writeln!(out, "no member owns partitions yet, so nothing moves.")?;
        }
        if follow_ups {
            writeln!(
                out,
                "follow-up: partitions a cooperative strategy holds back in its first round \
                 (revoked, given to nobody)"
            )?;
            writeln!(
                out,
                "and assigns in the follow-up round; its loads and moves are counted after \
                 it (-: eager, no follow-up)."
            )?;
        }
        writeln!(
            out,
            "time: one assign call on this machine, parsing excluded (a cooperative strategy's \
             first round);"
        )?;
        writeln!(out, "kassign bench times repeated runs.")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use kafka_assignors::{Assignor, Strategy};
    use kafka_assignors_testkit::owners::{moves, owners};
    use kafka_assignors_testkit::strategies::{Shape, arb_group, tiny_group};
    use proptest::prelude::{ProptestConfig, Strategy as _, prop_assert_eq, prop_oneof, proptest};

    use super::{CurrentOwners, NOBODY};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// The fast owner table agrees with the test kit's owner-rule oracle:
        /// the same owners, and the same moves for every strategy's answer.
        /// Tiny groups make claims collide (ties at one generation); messy
        /// ones bring unknown topics and partitions out of range.
        #[test]
        fn current_owners_follow_the_owner_rule(group in prop_oneof![
            tiny_group().boxed(),
            arb_group(Shape { uniform: true, ..Shape::default() }).boxed(),
            arb_group(Shape::default()).boxed(),
        ]) {
            let Ok(first) = Strategy::Range.assign(&group) else {
                return Ok(());
            };
            let current = CurrentOwners::new(&group);
            let oracle = owners(&group);
            let owned = current.owner.iter().filter(|&&o| o != NOBODY).count();
            prop_assert_eq!(owned, oracle.len());
            for ((topic, p), id) in &oracle {
                let (start, _, _) = current.topic_start[topic.as_str()];
                let m = current.owner[start + *p as usize] as usize;
                prop_assert_eq!(&group.members[m].id, id);
            }
            prop_assert_eq!(current.moved(&group, &first), moves(&group, &first));
            for strategy in Strategy::ALL {
                let answer = strategy.assign(&group).unwrap();
                prop_assert_eq!(current.moved(&group, &answer), moves(&group, &answer));
            }
        }
    }
}
