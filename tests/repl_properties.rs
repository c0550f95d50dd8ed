//! Replication's invariants over thousands of random failure schedules: kills, revivals, primaries
//! killed, whole shards killed and revived, partitions and heals at random times, under every mode.
//! Each case: at most one primary per shard per term; with synchronous or quorum replication no
//! acknowledged write lost; every node's committed prefix the shard's; leaderless with R + W > N no
//! stale read. Also: the work estimate bounds the run's events, and a copy taken midway continues
//! exactly as the original. A failing case prints a share link that opens it in the page (and the JSON of
//! (seed, config, actions) to replay it directly).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::recount_lost;
use proptest::prelude::*;
use sysplay::scenario::{Report, Scenario, decode_link, encode_link};
use sysplay::sim::sharding::repl_budget::estimate_work;
use sysplay::sim::sharding::repl_invariants::check_all;
use sysplay::sim::sharding::replication::Fate;
use sysplay::sim::sharding::{ReadFrom, ReplAction, ReplConfig, ReplMode, ReplSim, TimedReplAction};
use sysplay::sim::sharding::{ShardAction, ShardLabConfig, Sharding};

/// Failures happen before this; then every shard is healed and revived.
const RECOVER_AT_MS: u64 = 2_000;
const HORIZON_MS: u64 = 3_000;

fn mode() -> impl Strategy<Value = ReplMode> {
    prop_oneof![
        Just(ReplMode::Sync),
        (0u64..300, 0u64..200).prop_map(|(lag_ms, jitter_ms)| ReplMode::Async { lag_ms, jitter_ms }),
        Just(ReplMode::Quorum),
        (1u32..=5).prop_flat_map(|n| (Just(n), 1..=n, 1..=n)).prop_map(|(n, w, r)| ReplMode::Leaderless { n, w, r }),
    ]
}

fn config() -> impl Strategy<Value = ReplConfig> {
    (
        mode(),
        1u32..=2,
        0u32..=4,
        1u32..=8,
        20u32..200,
        0u32..100,
        any::<bool>(),
        0u64..15,
        0u64..15,
        60u64..200,
        0u64..150,
    )
        .prop_map(|(mode, shards, replicas, keys, writes, reads, replicas_read, net, jitter, min, spread)| {
            ReplConfig {
                shards,
                replicas,
                mode,
                keys_per_shard: keys,
                writes_per_s: writes,
                reads_per_s: reads,
                read_from: if replicas_read { ReadFrom::Replicas } else { ReadFrom::Primary },
                network_ms: net,
                network_jitter_ms: jitter,
                election_timeout_min_ms: min,
                election_timeout_max_ms: min + spread,
                heartbeat_ms: 50.min(min - 1),
                request_timeout_ms: 400,
                batch_max: 16,
                horizon_ms: HORIZON_MS,
                sample_every_ms: 50,
            }
        })
}

fn action(kind: u8, shard: u32, node: u32, split: u32, n: u32) -> ReplAction {
    match kind {
        0 | 1 => ReplAction::KillNode { shard, node },
        2 | 3 => ReplAction::ReviveNode { shard, node },
        4 => ReplAction::KillPrimary { shard },
        5 => ReplAction::KillShard { shard },
        6 => ReplAction::ReviveShard { shard },
        7 | 8 => {
            // Nodes whose bit is set in `split` on one side, the rest on the other.
            let side: Vec<u32> = (0..n).filter(|v| split & (1 << v) != 0).collect();
            let groups = if side.is_empty() { vec![vec![node]] } else { vec![side] };
            ReplAction::Partition { shard, groups }
        }
        9 => ReplAction::Heal { shard },
        _ => ReplAction::WriteBurst { shard, count: 1 + split % 20 },
    }
}

fn case() -> impl Strategy<Value = (u64, ReplConfig, Vec<TimedReplAction>)> {
    config().prop_flat_map(|config| {
        let raw = prop::collection::vec((0..RECOVER_AT_MS, 0u8..11, 0u32..8, 0u32..8, 0u32..128), 0..14);
        (any::<u64>(), Just(config), raw).prop_map(|(seed, config, raw)| {
            let n = config.group_size();
            let mut actions: Vec<TimedReplAction> = raw
                .into_iter()
                .map(|(t, k, s, v, split)| (t, action(k, s % config.shards, v % n, split, n)))
                .filter(|(_, a)| config.validate_actions(&[(0, a.clone())]).is_ok())
                .collect();
            actions.sort_by_key(|(t, _)| *t);
            for shard in 0..config.shards {
                if config.mode.has_primary() {
                    actions.push((RECOVER_AT_MS, ReplAction::Heal { shard }));
                }
                actions.push((RECOVER_AT_MS, ReplAction::ReviveShard { shard }));
            }
            (seed, config, actions)
        })
    })
}

/// The failing case as a share link of the sharding lab, which opens it in the page (and replays it with
/// `sysplay run LINK`), followed by the scenario's JSON.
fn replay(seed: u64, config: &ReplConfig, actions: &[TimedReplAction]) -> String {
    common::replay_link(seed, lab_scenario(seed, config, actions).setup)
}

/// The sharding lab's scenario of a replication case: the notes' table over as many shards.
fn lab_scenario(seed: u64, config: &ReplConfig, actions: &[TimedReplAction]) -> Scenario {
    let mut lab = ShardLabConfig { repl: config.clone(), ..ShardLabConfig::default() };
    lab.data.sharding.shards = config.shards;
    let mut scenario = Scenario::new::<Sharding>(seed, lab);
    for (at, a) in actions {
        scenario.push::<Sharding>(*at, ShardAction::Node(a.clone()));
    }
    scenario
}

#[test]
fn a_failing_case_s_link_replays_the_same_run_in_the_lab() {
    let config = ReplConfig { mode: ReplMode::Async { lag_ms: 200, jitter_ms: 100 }, ..ReplConfig::default() };
    let actions =
        vec![(1_500, ReplAction::KillPrimary { shard: 1 }), (1_500, ReplAction::KillNode { shard: 0, node: 2 })];
    let mut direct = ReplSim::new(9, &config, &actions).unwrap();
    direct.run();
    let link = encode_link(&lab_scenario(9, &config, &actions));
    let run = decode_link(&format!("http://127.0.0.1:8080/#{link}")).unwrap().run().unwrap();
    let Report::Sharding(r) = run.report() else { panic!("a sharding report") };
    assert_eq!(r.repl, direct.report());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_under_random_failures((seed, config, actions) in case()) {
        let mut sim = ReplSim::new(seed, &config, &actions).map_err(|e| TestCaseError::fail(format!("{e}: {}", replay(seed, &config, &actions))))?;
        sim.run_until(HORIZON_MS * 500);
        let mut copy = sim.clone();
        sim.run();
        copy.run();
        let errors = check_all(&sim);
        prop_assert!(errors.is_empty(), "{errors:?}\nreplay: {}", replay(seed, &config, &actions));
        let report = sim.report();
        prop_assert_eq!(&report, &copy.report(), "a copy taken midway diverged; replay: {}", replay(seed, &config, &actions));
        let bound = estimate_work(&config, &actions).total();
        prop_assert!(report.events <= bound, "{} events over the estimate {bound}; replay: {}", report.events, replay(seed, &config, &actions));
        // The counters agree with the write records, counted independently.
        let fates = |f: &[Fate]| sim.writes().iter().filter(|w| f.contains(&w.fate)).count() as u64;
        prop_assert_eq!(report.writes_issued, sim.writes().len() as u64);
        prop_assert_eq!(report.writes_acked, fates(&[Fate::Acked, Fate::Durable, Fate::Lost]));
        prop_assert_eq!(report.writes_failed, fates(&[Fate::Failed]));
        prop_assert_eq!(report.lost_writes, fates(&[Fate::Lost]));
        prop_assert_eq!(recount_lost(&sim), (report.lost_writes, report.acked_unsettled), "replay: {}", replay(seed, &config, &actions));
    }
}
