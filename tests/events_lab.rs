//! The events lab through the lab contract: its presets as the command line and the page run them,
//! actions folded into fault windows exactly as the faults of a configuration, the animation's view of a
//! moment, and refusals.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{Lab, Registered, preset};
use sysplay::sim::events::chain::{self, limits};
use sysplay::sim::events::lab::{faults_with, work_bound};
use sysplay::sim::events::{
    Events, EventsAction, EventsLabConfig, EventsLabSim, Fault, FaultKind, Service, ServiceState,
};

fn run(name: &str) -> serde_json::Value {
    let p = preset(name).unwrap_or_else(|| panic!("{name}"));
    let run = p.scenario.run().unwrap();
    assert!(run.violations().is_empty(), "{name}: {:?}", run.violations());
    let mut v = serde_json::to_value(run.report()).unwrap();
    if let (Some(out), serde_json::Value::Object(extra)) = (v.as_object_mut(), run.extra_json()) {
        out.extend(extra);
    }
    v
}

fn finish(sim: &mut EventsLabSim) {
    while sim.step().is_some() {}
}

#[test]
fn the_presets_give_the_notes_numbers_through_the_contract() {
    assert_eq!(Events::presets().len(), 16);
    let a = run("commission-anomaly");
    assert_eq!((a["final_balance"].as_u64(), a["commission_taken"].as_u64()), (Some(100), Some(100)));
    assert_eq!(run("commission-saga")["final_balance"], 150);
    assert_eq!(run("commission-single-consumer")["final_balance"], 0);
    assert_eq!(run("commission-idempotency-key")["final_balance"], 0);
    assert_eq!(run("commission-redelivery")["final_balance"], 100);
    assert_eq!(run("commission-inbox")["final_balance"], 150);
    assert_eq!(run("dual-write-lost-event")["lost_events"], 1);
    assert_eq!(run("outbox")["lost_events"], 0);
    assert_eq!(run("outbox")["final_balance"], 0);
    let r = run("event-replay");
    assert_eq!(
        (r["projection_balance_buggy"].as_i64(), r["projection_balance_rebuilt"].as_i64()),
        (Some(100), Some(150))
    );
    assert_eq!(run("saga-notes")["saga_final_balance_choreographed"], 150);

    let t = run("chain-s4-timeout");
    assert_eq!(t["chain"]["client_failures"], 200);
    assert_eq!(t["flow"]["client_failures"], 0);
    // Every request waits for S2's 2 s timeout on S4, plus S1's and S2's own latencies.
    let p99 = t["client_p99_ms"].as_f64().unwrap();
    assert!((2_000.0..2_100.0).contains(&p99), "{p99}");
    assert!(t["flow_client_p99_ms"].as_f64().unwrap() < 50.0);
    assert_eq!(run("chain-retry-duplicates")["duplicate_writes"], 108);
    assert_eq!(run("chain-retry-keys")["duplicate_writes"], 0);
    let h = run("chain-healthy");
    assert_eq!((h["chain"]["client_failures"].as_u64(), h["duplicate_writes"].as_u64()), (Some(0), Some(0)));
    let d = run("event-driven-dead-letter");
    assert!(d["flow"]["dead_lettered"].as_u64().unwrap() > 0);
    assert!(d["flow"]["consistent_at_ms"].is_null());
}

#[test]
fn a_kill_and_a_revive_are_the_configuration_s_fault_window() {
    let healthy = EventsLabConfig::default();
    assert!(healthy.requests.chain.faults.is_empty());
    let actions =
        vec![(0, EventsAction::Kill { service: Service::S4 }), (20_000, EventsAction::Revive { service: Service::S4 })];
    let mut live = Events::start(1, &healthy, &actions).unwrap();
    finish(&mut live);
    let mut configured = healthy.clone();
    configured.requests.chain = chain::chain_s4_timeout();
    let mut fixed = EventsLabSim::new(1, &configured, &[]).unwrap();
    finish(&mut fixed);
    assert_eq!(live.report(), fixed.report());
    assert_eq!(live.report().chain.client_failures, 200);
}

#[test]
fn folding_closes_windows_at_each_change_and_at_the_end() {
    let s4 = Service::S4;
    let f = faults_with(
        &[],
        &[
            (1_000, EventsAction::Kill { service: s4 }),
            (2_000, EventsAction::Slow { service: s4, factor_pct: 300 }),
            (3_000, EventsAction::Revive { service: s4 }),
            (4_000, EventsAction::Kill { service: Service::S0 }),
        ],
    )
    .unwrap();
    assert_eq!(
        f,
        vec![
            Fault { service: s4, kind: FaultKind::Down, from_ms: 1_000, to_ms: 2_000 },
            Fault { service: s4, kind: FaultKind::Slow { factor_pct: 300 }, from_ms: 2_000, to_ms: 3_000 },
            Fault { service: Service::S0, kind: FaultKind::Down, from_ms: 4_000, to_ms: limits::TIME_MS_MAX },
        ]
    );
    // A kill then a revive at the same moment leaves nothing.
    let none = faults_with(&[], &[(5, EventsAction::Kill { service: s4 }), (5, EventsAction::Revive { service: s4 })]);
    assert_eq!(none.unwrap(), vec![]);
}

#[test]
fn a_kill_mid_run_shows_at_its_moment_and_fails_the_chain_after_it_only() {
    let config = EventsLabConfig::default();
    let actions = vec![(5_000, EventsAction::Kill { service: Service::S4 })];
    let mut sim = EventsLabSim::new(1, &config, &actions).unwrap();
    sim.run_until(4_999_999);
    let before = sim.snapshot_at(4_999_999);
    assert_eq!(before.services[4], ServiceState::Up);
    assert_eq!(before.chain.failed, 0);
    assert!(before.chain.succeeded > 50, "{:?}", before.chain);
    sim.run_until(7_500_000);
    let after = sim.snapshot_at(7_500_000);
    assert_eq!(after.services[4], ServiceState::Down);
    // Requests sent after the kill wait 2 s for S4, then fail: by 7.5 s the first have failed and the
    // latest are still waiting; the flow answered all of them.
    assert!(after.chain.failed > 0 && after.chain.waiting > 0, "{:?}", after.chain);
    assert_eq!(after.flow.client_failures, 0);
    assert!(after.flow.pending_by_service[4] > 0);
    finish(&mut sim);
    let end = sim.snapshot_at(sim.now());
    let r = sim.report();
    assert_eq!(
        (end.chain.succeeded, end.chain.failed, end.chain.waiting),
        (r.chain.succeeded, r.chain.client_failures, 0)
    );
    assert!(
        r.chain.client_failures > 90 && r.chain.succeeded > 90,
        "{:?}",
        (r.chain.succeeded, r.chain.client_failures)
    );
    // S4 never comes back: its events are dead-lettered after the broker's 20 attempts.
    assert_eq!(r.flow.dead_lettered_by_service[4], r.flow.dead_lettered);
    assert!(sim.violations(&r).is_empty());
}

#[test]
fn stepping_and_running_to_moments_agree() {
    let p = preset("chain-retry-duplicates").unwrap();
    let (config, actions) = Events::setup_of(&p.scenario.setup).unwrap();
    let mut a = Events::start(p.scenario.seed, config, actions).unwrap();
    let mut b = a.clone();
    finish(&mut a);
    let mut t = 0;
    while !b.is_finished() {
        t += 250_000;
        b.run_until(t);
    }
    assert_eq!(a.report(), b.report());
    assert_eq!(a.steps(), b.steps());
    assert!(a.steps() <= work_bound(config, actions).unwrap());
}

#[test]
fn refusals_say_what_to_change() {
    let c = EventsLabConfig::default();
    let late = Events::start(1, &c, &[(u64::from(limits::TIME_MS_MAX), EventsAction::Kill { service: Service::S2 })]);
    assert!(late.err().unwrap().contains("record it earlier"));
    let slow = Events::start(1, &c, &[(0, EventsAction::Slow { service: Service::S2, factor_pct: 0 })]);
    assert!(slow.err().unwrap().contains("S2's slowdown"));
    let mut many = c.clone();
    many.requests.chain.requests = limits::REQUESTS_MAX;
    many.requests.dead_letter = false;
    let killed = Events::start(1, &many, &[(0, EventsAction::Kill { service: Service::S4 })]);
    assert!(killed.err().unwrap().contains("fewer requests"), "a kill that never ends, retried for a day");
    let flips: Vec<_> = (0..101u64)
        .flat_map(|i| {
            [
                (i * 10, EventsAction::Kill { service: Service::S3 }),
                (i * 10 + 5, EventsAction::Revive { service: Service::S3 }),
            ]
        })
        .collect();
    assert!(Events::start(1, &c, &flips).err().unwrap().contains("fewer times"));
}

#[test]
fn the_retry_duplicates_digest_is_pinned() {
    let digest = preset("chain-retry-duplicates").unwrap().scenario.run().unwrap().digest();
    let want: u64 = include!("golden/events_digest.txt");
    assert_eq!(digest, want, "got {digest:#018x}; if intended, update tests/golden/events_digest.txt");
}
