//! The partitioned-log lab through the scenario path (what the page and share links use): every
//! preset's outcome, the pinned digest, exact ties to the event log (lag during a pause, loss and
//! duplicates at a crash), throughput against capacity, Little's law, limits with clear messages.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{LabId, LabRun, LabSetup, Report, Scenario, decode_link, encode_link, lab_presets, preset};
use sysplay::sim::stream::{
    CommitMode, GroupSpec, PartitionedLog, StreamAction, StreamConfig, StreamReport, StreamSim, stream_preset,
};

/// The digest of the `partition-rebalance` preset; the browser test compares with the same constant.
const STREAM_DIGEST: u64 = include!("golden/stream_digest.txt");

fn report(name: &str) -> StreamReport {
    let run = preset(name).expect("preset exists").scenario.run().expect("preset replays");
    let LabRun::Stream(s) = &run else { panic!("{name} is not a stream preset") };
    assert!(s.violations.is_empty(), "{name}: {:?}", s.violations);
    let Report::Stream(r) = run.report() else { panic!("not a stream report") };
    assert!(r.finished, "{name} did not finish");
    *r
}

type Outcome = fn(&StreamReport) -> bool;

#[test]
fn every_stream_preset_has_its_outcome() {
    let table: &[(&str, Outcome)] = &[
        ("partition-rebalance", |r| {
            let g = &r.groups[0];
            g.rebalances.len() == 1
                && g.paused_s > 0.0
                && r.lost == 0
                && r.duplicates == 0
                && g.rebalances[0].after.len() == 3
        }),
        ("commit-before-crash", |r| r.lost > 0 && r.duplicates == 0),
        ("commit-after-crash", |r| r.lost == 0 && r.duplicates > 0),
        ("idle-consumers", |r| {
            r.groups[0].consumers.iter().filter(|c| c.partitions.is_empty()).count() == 2 && r.lost == 0
        }),
        ("two-groups", |r| {
            r.groups.len() == 2
                && r.groups[0].duplicates == 0
                && r.groups[1].duplicates > 0
                && r.groups.iter().all(|g| g.consumed == r.produced)
        }),
    ];
    for (name, check) in table {
        let r = report(name);
        assert!(check(&r), "{name}: {r:#?}");
        for g in &r.groups {
            assert_eq!(g.ordering.within_partition_violations, 0);
            assert_eq!(g.ordering.keys_out_of_order, 0);
            assert!(g.ordering.cross_partition_out_of_order > 0, "{name}: order is not kept across partitions");
            let e = g.ordering.example.as_ref().unwrap();
            assert_ne!(e.first.partition, e.second.partition);
            assert!(e.second.published_at < e.first.published_at && e.first_handled_s < e.second_handled_s);
        }
    }
    let names: Vec<_> = lab_presets(LabId::Stream).iter().map(|p| p.name).collect();
    assert_eq!(names.len(), table.len(), "a stream preset without an outcome test: {names:?}");
}

#[test]
fn stream_digest_is_pinned() {
    let digest = preset("partition-rebalance").unwrap().scenario.run().unwrap().digest();
    assert_eq!(digest, STREAM_DIGEST, "got {digest:#018x}; if intended, update tests/golden/stream_digest.txt");
}

#[test]
fn the_joining_consumer_takes_partitions_by_the_range_assignor() {
    let r = report("partition-rebalance");
    let b = &r.groups[0].rebalances[0];
    assert_eq!(b.triggers, vec!["c3 joined".to_string()]);
    let layout = |a: &[(String, Vec<u32>)]| a.iter().map(|(c, p)| (c.clone(), p.clone())).collect::<Vec<_>>();
    assert_eq!(layout(&b.before), vec![("c1".into(), vec![0, 1, 2]), ("c2".into(), vec![3, 4, 5])]);
    assert_eq!(layout(&b.after), vec![("c1".into(), vec![0, 1]), ("c2".into(), vec![2, 3]), ("c3".into(), vec![4, 5])]);
    assert!((b.at_s - 60.0).abs() < 1e-9);
    // The pause lasts at least the configured sync.
    assert!(b.paused_s >= 3.0 && b.done_s - b.sync_from_s >= 3.0 - 1e-9, "{b:?}");
}

#[test]
fn during_the_sync_lag_grows_by_exactly_the_records_produced() {
    for name in ["partition-rebalance", "commit-before-crash", "commit-after-crash", "two-groups"] {
        let p = stream_preset(name).unwrap();
        let sim = p.run();
        for g in 0..p.config.groups.len() {
            for b in sim.rebalances(g) {
                let produced =
                    sim.records().iter().filter(|r| r.published_at > b.sync_from && r.published_at <= b.done).count();
                assert_eq!(b.lag_at_end - b.lag_at_sync, produced as u64, "{name}: {b:?}");
            }
        }
    }
}

#[test]
fn a_crash_loses_or_repeats_exactly_what_it_left_in_flight() {
    let before = report("commit-before-crash");
    let g = &before.groups[0];
    assert_eq!(g.crashes.len(), 1);
    assert!(g.crashes[0].in_flight > 0);
    assert_eq!(g.lost, g.crashes[0].in_flight);
    assert_eq!(g.crashes[0].handled_uncommitted, 0);
    let after = report("commit-after-crash");
    let g = &after.groups[0];
    assert!(g.crashes[0].handled_uncommitted > 0);
    assert_eq!(g.duplicates, g.crashes[0].handled_uncommitted);
    assert_eq!((g.lost, g.crashes[0].in_flight), (0, 0));
    // Same records and the same crash: the loss is the same batch's unhandled tail.
    assert_eq!(before.produced, after.produced);
}

fn steady(rate_per_min: u32, records: u32, sample_every_ms: u64) -> StreamReport {
    let config = StreamConfig {
        keys: 10_000,
        records,
        rate_per_min,
        groups: vec![GroupSpec {
            name: "g".into(),
            consumers: vec!["c1".into(), "c2".into(), "c3".into()],
            commit: CommitMode::AfterWork,
        }],
        horizon_ms: sample_every_ms * 1000,
        sample_every_ms,
        ..StreamConfig::default()
    };
    let mut sim = StreamSim::new(11, &config, &[]).unwrap();
    sim.run();
    let r = sim.report();
    assert!(r.finished);
    r
}

#[test]
fn steady_throughput_is_the_smaller_of_arrival_rate_and_capacity() {
    // Three consumers at 250 ms per record: capacity 12 records/s.
    let under = steady(360, 6_000, 8_000);
    let t = under.groups[0].throughput_per_s;
    assert!((t - under.lambda_per_s).abs() / under.lambda_per_s < 0.03, "{t} vs λ {}", under.lambda_per_s);
    let over = steady(1_800, 3_000, 8_000);
    let t = over.groups[0].throughput_per_s;
    assert!((t - 12.0).abs() / 12.0 < 0.05, "{t} vs capacity 12");
}

#[test]
fn littles_law_holds_on_the_measured_data() {
    let mut runs = vec![steady(660, 5_000, 1_000)];
    runs.extend(["partition-rebalance", "commit-after-crash", "idle-consumers"].map(report));
    for r in runs {
        let g = &r.groups[0];
        let rel = (g.in_system_mean - g.little_lambda_w).abs() / g.little_lambda_w;
        assert!(rel < 0.05, "L = {} vs λW = {}", g.in_system_mean, g.little_lambda_w);
    }
}

#[test]
fn the_log_places_every_record_on_its_keys_partition() {
    let sim = stream_preset("partition-rebalance").unwrap().run();
    let r = sim.report();
    let mut per = vec![0u64; r.partitions as usize];
    for rec in sim.records() {
        let key = sysplay::sim::stream::murmur2::customer_key(rec.key);
        assert_eq!(rec.partition, sysplay::sim::stream::murmur2::partition_for(key.as_bytes(), r.partitions));
        assert_eq!(rec.offset, per[rec.partition as usize], "offsets are contiguous from 0");
        per[rec.partition as usize] += 1;
    }
    assert_eq!(per, r.log_end);
}

fn stream_link(config: StreamConfig, actions: Vec<(u64, StreamAction)>) -> String {
    encode_link(&Scenario { version: 1, seed: 1, setup: LabSetup::Stream { config, actions } })
}

#[test]
fn limits_are_refused_with_a_sentence() {
    let cases: Vec<(StreamConfig, &str)> = vec![
        (StreamConfig { partitions: 0, ..StreamConfig::default() }, "partitions must be between 1 and 64"),
        (StreamConfig { partitions: 65, ..StreamConfig::default() }, "partitions must be between 1 and 64"),
        (StreamConfig { rate_per_min: 100_000, ..StreamConfig::default() }, "record rate per minute"),
        (StreamConfig { batch_max: 0, ..StreamConfig::default() }, "records per poll"),
        (StreamConfig { groups: Vec::new(), ..StreamConfig::default() }, "number of consumer groups"),
    ];
    for (config, want) in cases {
        let msg = decode_link(&stream_link(config, Vec::new())).unwrap_err().to_string();
        assert!(msg.contains(want), "{msg}");
    }
    let bad = |action: StreamAction| {
        decode_link(&stream_link(StreamConfig::default(), vec![(5, action)])).unwrap_err().to_string()
    };
    let g = || "billing".to_string();
    assert!(bad(StreamAction::CrashConsumer { group: g(), name: "zz".into() }).contains("no consumer named \"zz\""));
    assert!(bad(StreamAction::AddConsumer { group: g(), name: "c1".into() }).contains("already in billing"));
    assert!(bad(StreamAction::AddConsumer { group: "nope".into(), name: "x".into() }).contains("no group named"));
    assert!(bad(StreamAction::Burst { count: 0 }).contains("burst size"));
    assert!(bad(StreamAction::SlowConsumer { group: g(), name: "c1".into(), factor_pct: 1 }).contains("slowdown"));
}

#[test]
fn live_actions_are_recorded_in_time_order_and_round_trip() {
    let mut s = Scenario::new::<PartitionedLog>(7, StreamConfig::default());
    let g = || "billing".to_string();
    assert_eq!(s.push::<PartitionedLog>(30_000, StreamAction::AddConsumer { group: g(), name: "c3".into() }), 0);
    assert_eq!(s.push::<PartitionedLog>(10_000, StreamAction::CrashConsumer { group: g(), name: "c1".into() }), 0);
    assert_eq!(s.push::<PartitionedLog>(30_000, StreamAction::RestartConsumer { group: g(), name: "c1".into() }), 2);
    let back = decode_link(&encode_link(&s)).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.run().unwrap().digest(), s.run().unwrap().digest());
}

#[test]
fn the_run_animated_step_by_step_ends_where_the_report_does() {
    let scenario = preset("commit-after-crash").unwrap().scenario;
    let mut sim = scenario.start::<PartitionedLog>().unwrap().unwrap();
    let mut t = 0;
    while !sim.is_finished() {
        t += 250_000;
        sim.run_until(t);
        if sim.now() < t && !sim.is_finished() {
            sim.step();
        }
    }
    let Report::Stream(r) = scenario.run().unwrap().report() else { panic!() };
    assert_eq!(sim.report().fingerprint(), r.fingerprint());
}
