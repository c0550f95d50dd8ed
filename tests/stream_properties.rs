//! The partitioned log's invariants over thousands of random schedules of crashes, restarts, joins,
//! leaves, slowdowns and bursts: within a partition a consumer sees offsets in order; commit after the
//! work loses nothing; commit before the work handles nothing twice; and losses and duplicates equal
//! exactly what the crashes left in flight. A failing schedule prints a share link that opens it.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use sysplay::sim::stream::{
    Assignor, CommitMode, GroupSpec, StreamAction, StreamConfig, StreamSim, TimedStreamAction, check_all,
};

/// Every generated schedule ends by bringing every consumer back, so the run can settle.
const RECOVER_AT_MS: u64 = 300_000;
const NAMES: [&str; 6] = ["c0", "c1", "c2", "c3", "c4", "c5"];

fn commit() -> impl Strategy<Value = CommitMode> {
    prop_oneof![
        Just(CommitMode::BeforeWork),
        Just(CommitMode::AfterWork),
        (500u64..20_000).prop_map(|every_ms| CommitMode::Auto { every_ms })
    ]
}

fn config(
    partitions: u32,
    consumers: usize,
    records: u32,
    batch_max: u32,
    commit: CommitMode,
    rr: bool,
) -> StreamConfig {
    StreamConfig {
        partitions,
        keys: 30,
        records,
        rate_per_min: 900,
        handle_ms: 200,
        batch_max,
        session_timeout_ms: 8_000,
        rebalance_ms: 2_000,
        assignor: if rr { Assignor::RoundRobin } else { Assignor::Range },
        groups: vec![GroupSpec {
            name: "g".into(),
            consumers: NAMES[..consumers].iter().map(|n| n.to_string()).collect(),
            commit,
        }],
        horizon_ms: 7_200_000,
        sample_every_ms: 10_000,
    }
}

fn action(kind: u8, name: usize, factor_pct: u32) -> StreamAction {
    let (group, name) = ("g".to_string(), NAMES[name].to_string());
    match kind {
        0 => StreamAction::AddConsumer { group, name },
        1 => StreamAction::RemoveConsumer { group, name },
        2 | 3 => StreamAction::CrashConsumer { group, name },
        4 => StreamAction::RestartConsumer { group, name },
        5 => StreamAction::SlowConsumer { group, name, factor_pct },
        _ => StreamAction::Burst { count: factor_pct / 10 + 1 },
    }
}

/// Keeps the generated actions that the configuration accepts (in order), then recovers everyone.
fn sanitize(config: &StreamConfig, raw: Vec<TimedStreamAction>) -> Vec<TimedStreamAction> {
    let mut kept: Vec<TimedStreamAction> = Vec::new();
    for a in raw {
        kept.push(a);
        if config.validate_actions(&kept).is_err() {
            kept.pop();
        }
    }
    for name in NAMES {
        let g = "g".to_string();
        for a in [
            StreamAction::RestartConsumer { group: g.clone(), name: name.into() },
            StreamAction::SlowConsumer { group: g.clone(), name: name.into(), factor_pct: 100 },
            StreamAction::AddConsumer { group: g, name: name.into() },
        ] {
            kept.push((RECOVER_AT_MS, a));
            if config.validate_actions(&kept).is_err() {
                kept.pop();
            }
        }
    }
    kept
}

fn case() -> impl Strategy<Value = (u64, StreamConfig, Vec<TimedStreamAction>)> {
    (1u32..9, 0usize..5, 20u32..160, 1u32..12, commit(), any::<bool>(), any::<u64>()).prop_flat_map(
        |(partitions, consumers, records, batch, commit, rr, seed)| {
            let config = config(partitions, consumers, records, batch, commit, rr);
            let raw =
                prop::collection::vec((0..RECOVER_AT_MS, 0u8..7, 0..NAMES.len(), 50u32..800), 0..14).prop_map(|v| {
                    let mut a: Vec<TimedStreamAction> =
                        v.into_iter().map(|(t, k, n, f)| (t, action(k, n, f))).collect();
                    a.sort_by_key(|(t, _)| *t);
                    a
                });
            (Just(seed), Just(config.clone()), raw.prop_map(move |raw| sanitize(&config, raw)))
        },
    )
}

/// A failing schedule as a share link that opens the same run in the page (and its JSON).
fn replay(seed: u64, config: &StreamConfig, actions: &[TimedStreamAction]) -> String {
    common::replay_link(seed, sysplay::scenario::LabSetup::Stream { config: config.clone(), actions: actions.to_vec() })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn invariants_hold_under_random_schedules((seed, config, actions) in case()) {
        let link = replay(seed, &config, &actions);
        let mut sim = StreamSim::new(seed, &config, &actions).unwrap();
        let mut steps = 0u64;
        while sim.step().is_some() {
            steps += 1;
            if steps.is_multiple_of(211) {
                let errors = check_all(&sim.report());
                prop_assert!(errors.is_empty(), "{errors:?} at step {steps}; replay: {link}");
            }
        }
        prop_assert!(sim.is_finished());
        let r = sim.report();
        let errors = check_all(&r);
        prop_assert!(errors.is_empty(), "{errors:?}; replay: {link}");
        let g = &r.groups[0];
        // Everyone is back after the recovery, so the group drains the log.
        prop_assert!(g.lag_final.iter().all(|&l| l == 0), "lag left {:?}; replay: {link}", g.lag_final);
        prop_assert_eq!(g.pending, 0, "replay: {}", link);
        let in_flight: u64 = g.crashes.iter().map(|c| c.in_flight).sum();
        let window: u64 = g.crashes.iter().map(|c| c.handled_uncommitted).sum();
        match g.commit {
            CommitMode::AfterWork => {
                prop_assert_eq!((g.lost, g.duplicates), (0, window), "replay: {}", link);
            }
            CommitMode::BeforeWork => {
                prop_assert_eq!((g.lost, g.duplicates), (in_flight, 0), "replay: {}", link);
            }
            CommitMode::Auto { .. } => {
                prop_assert!(g.lost <= in_flight && g.duplicates <= window, "replay: {}", link);
            }
        }
        prop_assert_eq!(g.consumed + g.lost, r.produced, "replay: {}", link);
    }

    #[test]
    fn the_same_schedule_replays_identically((seed, config, actions) in case()) {
        let run = || {
            let mut sim = StreamSim::new(seed, &config, &actions).unwrap();
            sim.run();
            sim.report().fingerprint()
        };
        prop_assert_eq!(run(), run());
    }
}

#[test]
fn a_printed_failing_schedule_opens_as_the_same_scenario() {
    let p = sysplay::sim::stream::stream_preset("commit-after-crash").unwrap();
    let printed = replay(p.seed, &p.config, &p.actions);
    let link = printed.split_whitespace().next().unwrap();
    let scenario = sysplay::scenario::decode_link(link).expect("the printed link opens");
    assert_eq!(scenario.seed, p.seed);
    assert_eq!(scenario.lab(), sysplay::scenario::LabId::Stream);
}
