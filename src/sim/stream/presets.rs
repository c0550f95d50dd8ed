//! Named partitioned-log runs as plain constructors (the scenario layer wires them into share links).
//! Each preset's outcome is pinned by a test below and by `tests/stream_scenarios.rs`.

use super::config::{CommitMode, GroupSpec, StreamAction, StreamConfig, TimedStreamAction};
use super::log::StreamSim;

/// A named partitioned-log run.
#[derive(Clone, Debug)]
pub struct StreamPreset {
    pub name: &'static str,
    pub title: &'static str,
    pub explains: &'static str,
    pub seed: u64,
    pub config: StreamConfig,
    pub actions: Vec<TimedStreamAction>,
}

impl StreamPreset {
    /// Runs the preset to the end.
    pub fn run(&self) -> StreamSim {
        let mut sim = StreamSim::new(self.seed, &self.config, &self.actions).expect("presets are valid");
        sim.run();
        sim
    }
}

/// The seed every stream preset uses.
pub const STREAM_PRESET_SEED: u64 = 2024;

fn group(name: &str, consumers: &[&str], commit: CommitMode) -> GroupSpec {
    GroupSpec { name: name.into(), consumers: consumers.iter().map(|c| c.to_string()).collect(), commit }
}

fn at(s: u64, action: StreamAction) -> TimedStreamAction {
    (s * 1000, action)
}

fn crash_and_restart(name: &str) -> Vec<TimedStreamAction> {
    let (g, n) = ("billing".to_string(), name.to_string());
    vec![
        at(30, StreamAction::Burst { count: 300 }),
        at(40, StreamAction::CrashConsumer { group: g.clone(), name: n.clone() }),
        at(90, StreamAction::RestartConsumer { group: g, name: n }),
    ]
}

fn crash_config(commit: CommitMode) -> StreamConfig {
    StreamConfig {
        records: 900,
        rate_per_min: 600,
        batch_max: 20,
        groups: vec![group("billing", &["c1", "c2", "c3"], commit)],
        ..StreamConfig::default()
    }
}

/// All stream presets, in the order the page lists them.
pub fn stream_presets() -> Vec<StreamPreset> {
    let preset = |name, title, explains, config, actions| StreamPreset {
        name,
        title,
        explains,
        seed: STREAM_PRESET_SEED,
        config,
        actions,
    };
    vec![
        preset(
            "partition-rebalance",
            "A consumer joins: rebalance",
            "Two consumers cannot keep up with 10 records/s, so lag grows; c3 joins at 60 s: the whole group pauses for the rebalance, then three consumers drain the lag.",
            StreamConfig { rate_per_min: 600, ..StreamConfig::default() },
            vec![at(60, StreamAction::AddConsumer { group: "billing".into(), name: "c3".into() })],
        ),
        preset(
            "commit-before-crash",
            "Commit before work: loss",
            "A burst of 300 records at 30 s builds a backlog; c2 commits each batch of 20 as it fetches it and crashes at 40 s mid-batch: the rest of that batch is committed and never handled (lost).",
            crash_config(CommitMode::BeforeWork),
            crash_and_restart("c2"),
        ),
        preset(
            "commit-after-crash",
            "Commit after work: duplicates",
            "The same crash with commits after the work: the part of the batch c2 handled but had not committed is handled again by its successor (duplicates), nothing is lost.",
            crash_config(CommitMode::AfterWork),
            crash_and_restart("c2"),
        ),
        preset(
            "idle-consumers",
            "More consumers than partitions",
            "Three partitions and five consumers: the range assignor gives one partition each to three of them, the other two sit idle.",
            StreamConfig {
                partitions: 3,
                rate_per_min: 300,
                records: 600,
                groups: vec![group("billing", &["c1", "c2", "c3", "c4", "c5"], CommitMode::AfterWork)],
                ..StreamConfig::default()
            },
            Vec::new(),
        ),
        preset(
            "two-groups",
            "Two groups, one log",
            "billing and analytics read the same partitions independently, each at its own offsets; analytics auto-commits every 5 s, so when a1 crashes at 50 s the records it handled since its last auto-commit are handled again.",
            StreamConfig {
                groups: vec![
                    group("billing", &["c1", "c2", "c3"], CommitMode::AfterWork),
                    group("analytics", &["a1", "a2"], CommitMode::Auto { every_ms: 5_000 }),
                ],
                ..StreamConfig::default()
            },
            vec![
                at(50, StreamAction::CrashConsumer { group: "analytics".into(), name: "a1".into() }),
                at(80, StreamAction::RestartConsumer { group: "analytics".into(), name: "a1".into() }),
            ],
        ),
    ]
}

/// The stream preset with this name.
pub fn stream_preset(name: &str) -> Option<StreamPreset> {
    stream_presets().into_iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::super::invariants::check_all;
    use super::*;

    #[test]
    fn every_preset_finishes_and_keeps_its_invariants() {
        for p in stream_presets() {
            let sim = p.run();
            assert!(sim.is_finished(), "{}", p.name);
            let r = sim.report();
            assert!(check_all(&r).is_empty(), "{}: {:?}", p.name, check_all(&r));
            assert!(r.groups.iter().all(|g| g.lag_final.iter().all(|&l| l == 0)), "{} drains", p.name);
        }
    }
}
