//! An upper bound on the work of a partitioned-log run, from its configuration and actions alone.
//!
//! What makes events (`log::Ev`), with T the horizon and R the records (the producers' and the bursts'):
//! - `Produce`: one per record of the producers; `Action`: one per action; `Sample`: every sample
//!   interval over T.
//! - `Handled`: one per record a consumer handles. A group handles every record once, and again only
//!   what a crash left handled but not committed: the rest of the group commits before a rebalance
//!   (after its batch, or its auto-commit on revocation), and commit-before-work never rewinds past
//!   what it handled. A crash leaves at most the batch in hand (commit after the work), nothing
//!   (before the work) or at most every record (auto-commit, which commits on a timer).
//! - `Poll`: one when a record arrives for an idle consumer (at most one per record and group), one
//!   after each batch (at most one per handled record), and one per member when a rebalance ends.
//! - `RebalanceDone`: at most two per trigger (a join, leave, restart or session expiry), one of
//!   those per crash as `SessionExpired`.
//! - `AutoCommit`: a chain per consumer life, one every interval; a consumer's lives do not overlap,
//!   so at most T / interval + 2 per life.

use super::config::{CommitMode, StreamAction, StreamConfig, TimedStreamAction};
use super::limits;
use crate::sim::budget::{WorkEstimate, ticks};

/// An upper bound on the events of running `config` with `actions`.
pub fn estimate_work(config: &StreamConfig, actions: &[TimedStreamAction]) -> WorkEstimate {
    let mut w = WorkEstimate::new();
    let bursts: u64 =
        actions.iter().map(|(_, a)| if let StreamAction::Burst { count } = a { u64::from(*count) } else { 0 }).sum();
    let produced = u64::from(config.records);
    let records = produced + bursts;
    let groups = config.groups.len() as u64;
    w.add("lower the records", produced);
    w.add("record fewer actions", actions.len() as u64);
    w.add("lower the records in bursts", bursts.saturating_mul(groups.max(1)));
    w.add("raise the sample interval", ticks(config.horizon_ms, config.sample_every_ms));
    for (g, spec) in config.groups.iter().enumerate() {
        let mine = |group: &str| config.group_index(group).ok() == Some(g);
        let (mut triggers, mut crashes, mut lives) = (0u64, 0u64, spec.consumers.len() as u64);
        let mut known: Vec<&str> = spec.consumers.iter().map(String::as_str).collect();
        for (_, action) in actions {
            match action {
                StreamAction::AddConsumer { group, name } if mine(group) => {
                    triggers += 1;
                    lives += 1;
                    if !known.contains(&name.as_str()) {
                        known.push(name);
                    }
                }
                StreamAction::RestartConsumer { group, .. } if mine(group) => {
                    triggers += 1;
                    lives += 1;
                }
                StreamAction::RemoveConsumer { group, .. } if mine(group) => triggers += 1,
                StreamAction::CrashConsumer { group, .. } if mine(group) => {
                    triggers += 1;
                    crashes += 1;
                }
                _ => {}
            }
        }
        let consumers = (known.len() as u64).min(limits::CONSUMERS_MAX as u64);
        let rehandled_per_crash = match spec.commit {
            CommitMode::AfterWork => u64::from(config.batch_max),
            CommitMode::BeforeWork => 0,
            CommitMode::Auto { .. } => records,
        };
        let rehandled = crashes.saturating_mul(rehandled_per_crash);
        // Handled, and the poll after each batch: two events per handled record at most.
        w.add("lower the records or the consumer groups", records.saturating_mul(2));
        w.add("crash fewer consumers, or commit after the work instead of automatically", rehandled.saturating_mul(2));
        // Polls on arrival.
        w.add("lower the records or the consumer groups", records);
        // Rebalances: RebalanceDone and SessionExpired, and a poll per member when one ends.
        w.add(
            "record fewer joins, leaves, restarts and crashes",
            triggers.saturating_mul(3).saturating_add(triggers.saturating_mul(consumers)),
        );
        if let CommitMode::Auto { every_ms } = spec.commit {
            w.add(
                "raise the auto-commit interval or shorten the horizon",
                consumers.saturating_mul(config.horizon_ms / every_ms.max(1)).saturating_add(2 * lives),
            );
        }
    }
    w
}
