//! The message-queue lab through the scenario path (what the page and share links use): every pizza-shop
//! preset's outcome, the pinned digest, limits with clear messages, and live actions recorded in order.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{LabId, LabRun, LabSetup, Report, Scenario, decode_link, encode_link, lab_presets, preset};
use sysplay::sim::queue::{MessageQueue, ShopAction, ShopConfig, ShopReport};

/// The digest of the `shop-dies` preset; the browser test compares with the same constant.
const QUEUE_DIGEST: u64 = include!("golden/queue_digest.txt");

fn report(name: &str) -> ShopReport {
    let run = preset(name).expect("preset exists").scenario.run().expect("preset replays");
    let LabRun::Queue(q) = &run else { panic!("{name} is not a queue preset") };
    assert!(q.violations.is_empty(), "{name}: {:?}", q.violations);
    let Report::Queue(r) = run.report() else { panic!("not a queue report") };
    assert!(r.finished, "{name} did not finish");
    *r
}

/// What a preset must end with.
type Outcome = fn(&ShopReport) -> bool;

#[test]
fn every_queue_preset_has_its_outcome() {
    let table: &[(&str, Outcome)] = &[
        ("rush-hour", |r| r.rejected_queue_full > 0 && r.lost == 0 && r.duplicates == 0 && r.completed == r.accepted),
        ("shop-dies", |r| r.lost == 0 && r.dead_lettered == 0 && r.redistributed > 0 && r.detections.len() == 1),
        ("shop-dies-in-memory", |r| r.lost > 0 && r.completed + r.lost + r.dead_lettered == r.accepted),
        ("slow-shop-duplicates", |r| r.duplicates > 0 && r.lost == 0),
        ("ring-redistribution", |r| r.duplicates == 0 && r.lost == 0 && r.redistributed > 0),
        ("slow-shop-effectively-once", |r| r.duplicates == 0 && r.duplicates_suppressed > 0),
        ("friday-night-100k", |r| {
            r.completed == 100_000 && r.lost == 0 && r.duplicates == 0 && r.detections.len() == 1 && r.redistributed > 0
        }),
        ("poison-order", |r| r.dead_lettered == 1 && r.lost == 0 && r.completed + 1 == r.accepted),
    ];
    for (name, check) in table {
        let r = report(name);
        assert!(check(&r), "{name}: {r:#?}");
        assert_eq!(r.missed, 0);
    }
    let names: Vec<_> = lab_presets(LabId::Queue).iter().map(|p| p.name).collect();
    assert_eq!(names.len(), table.len(), "a queue preset without an outcome test: {names:?}");
}

#[test]
fn queue_digest_is_pinned() {
    let digest = preset("shop-dies").unwrap().scenario.run().unwrap().digest();
    assert_eq!(digest, QUEUE_DIGEST, "got {digest:#018x}; if intended, update tests/golden/queue_digest.txt");
}

#[test]
fn the_heartbeat_check_detects_a_death_within_two_intervals() {
    let r = report("shop-dies");
    let d = &r.detections[0];
    assert_eq!(d.shop, "PS3");
    assert!(d.after_s > 0.0 && d.after_s <= 30.0, "{d:?}");
}

fn queue_link(config: ShopConfig, actions: Vec<(u64, ShopAction)>) -> String {
    encode_link(&Scenario { version: 1, seed: 1, setup: LabSetup::Queue { config, actions } })
}

#[test]
fn limits_are_refused_with_a_sentence() {
    let cases: Vec<(ShopConfig, &str)> = vec![
        (ShopConfig { shops: Vec::new(), ..ShopConfig::default() }, "number of shops must be between 1 and 32"),
        (ShopConfig { order_rate_per_min: 100_000, ..ShopConfig::default() }, "order rate per minute"),
        (ShopConfig { orders: 0, ..ShopConfig::default() }, "orders must be between 1 and 100000"),
        (ShopConfig { visibility_timeout_ms: 0, ..ShopConfig::default() }, "visibility timeout"),
        (ShopConfig { max_attempts: 1000, ..ShopConfig::default() }, "attempts before the dead-letter queue"),
    ];
    for (config, want) in cases {
        let msg = decode_link(&queue_link(config, Vec::new())).unwrap_err().to_string();
        assert!(msg.contains(want), "{msg}");
    }
    let msg = decode_link(&queue_link(ShopConfig::default(), vec![(5, ShopAction::KillShop { shop: "PS9".into() })]))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("no shop named \"PS9\""), "{msg}");
}

#[test]
fn live_actions_are_recorded_in_time_order() {
    let mut s = Scenario::new::<MessageQueue>(7, ShopConfig::default());
    assert_eq!(s.push::<MessageQueue>(30_000, ShopAction::KillShop { shop: "PS1".into() }), 0);
    // An action at an earlier time goes before it; one at the same time after it.
    assert_eq!(s.push::<MessageQueue>(10_000, ShopAction::SlowShop { shop: "PS0".into(), factor_pct: 300 }), 0);
    assert_eq!(s.push::<MessageQueue>(30_000, ShopAction::RestartShop { shop: "PS1".into() }), 2);
    let back = decode_link(&encode_link(&s)).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.run().unwrap().digest(), s.run().unwrap().digest());
}

#[test]
fn the_shop_run_animated_step_by_step_ends_where_the_report_does() {
    let scenario = preset("slow-shop-duplicates").unwrap().scenario;
    let mut sim = scenario.start::<MessageQueue>().unwrap().unwrap();
    let mut t = 0;
    while !sim.is_finished() {
        t += 250_000;
        sim.run_until(t);
        if sim.now() < t && !sim.is_finished() {
            sim.step();
        }
    }
    let Report::Queue(r) = scenario.run().unwrap().report() else { panic!() };
    assert_eq!(sim.report().fingerprint(), r.fingerprint());
}
