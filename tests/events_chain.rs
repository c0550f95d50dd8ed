//! The synchronous chain against the event-driven flow on the same requests and faults.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::sim::events::chain::{self, ChainConfig, ChainRun};
use sysplay::sim::events::flow::{self, FlowConfig, FlowRun, compare};
use sysplay::sim::events::{Fault, FaultKind, Service};

#[test]
fn healthy_chain_succeeds_fast() {
    let r = ChainRun::run(chain::chain_healthy(), 1).unwrap();
    assert_eq!((r.requests, r.succeeded, r.client_failures, r.timeouts), (200, 200, 0, 0));
    assert!(r.latency.p50_ms > 30.0 && r.latency.p99_ms < 200.0, "{:?}", r.latency);
    assert_eq!(r.writes, [0, 200, 200, 0, 0]);
    assert_eq!(r.duplicate_writes_total, 0);
}

#[test]
fn s4_down_every_request_waits_for_the_timeout_and_fails() {
    let c = chain::chain_s4_timeout();
    let timeout_ms = f64::from(c.services[Service::S2.index()].call_timeout_ms);
    let r = ChainRun::run(c, 1).unwrap();
    assert_eq!(r.client_failures, r.requests);
    assert_eq!(r.succeeded, 0);
    // No request can fail before S2's timeout on S4 has run out: every one waited at least that long.
    assert_eq!(r.latency.count, u64::from(r.requests));
    assert!(r.fastest_ms >= timeout_ms, "{r:?}");
    let healthy = ChainRun::run(chain::chain_healthy(), 1).unwrap();
    assert!(r.latency.mean_ms > 20.0 * healthy.latency.mean_ms);
    // S1 and S2 hold the writes of every failed request.
    assert_eq!(r.writes_of_failed_requests, [0, 200, 200, 0, 0]);
    assert_eq!(r.timeouts, 200);
    assert!((r.timeout_wait_ms - 200.0 * timeout_ms).abs() < 1e-6);
}

#[test]
fn retries_without_keys_write_twice_with_keys_never() {
    let r = ChainRun::run(chain::chain_retry_duplicates(), 1).unwrap();
    assert!(r.duplicate_writes_total > 0);
    assert!(r.duplicate_writes[Service::S1.index()] > 0 && r.duplicate_writes[Service::S2.index()] > 0);
    assert!(r.attempts > r.requests);
    let k = ChainRun::run(chain::chain_retry_keys(), 1).unwrap();
    assert_eq!(k.duplicate_writes_total, 0);
    assert_eq!((k.attempts, k.succeeded, k.client_failures), (r.attempts, r.succeeded, r.client_failures));
    assert_eq!(k.writes, [0, 200, 200, 0, 0]);
}

#[test]
fn flow_answers_at_once_and_drains_after_s4_recovers() {
    let c = flow::event_driven_s4_down();
    let cmp = compare(&c, 1).unwrap();
    let (ch, fl) = (&cmp.chain, &cmp.flow);
    assert_eq!(ch.client_failures, ch.requests);
    assert_eq!(fl.client_failures, 0);
    assert!(fl.latency.p99_ms * 50.0 < ch.latency.p50_ms, "flow {:?} chain {:?}", fl.latency, ch.latency);
    assert!(fl.latency.max_ms < 100.0);
    // S4 is down for the first 20 s: work piles up while it is, and none is left at the end.
    let during = fl.pending_series.iter().filter(|p| p.at_ms > 1_000 && p.at_ms < 20_000);
    assert!(during.clone().count() > 10 && during.clone().all(|p| p.pending > 0), "{:?}", fl.pending_series);
    assert!(fl.pending_max >= 150);
    assert_eq!(fl.pending, 0);
    assert_eq!(fl.pending_by_service, [0; 5]);
    assert_eq!(fl.pending_series.last().unwrap().pending, 0);
    assert_eq!(fl.dead_lettered, 0);
    let consistent = fl.consistent_at_ms.expect("every request consistent once S4 drains");
    assert!((20_000.0..30_000.0).contains(&consistent), "{consistent}");
    assert_eq!(fl.writes, [0, 200, 200, 0, 0]);
}

#[test]
fn too_few_attempts_dead_letter_s4s_events() {
    let r = FlowRun::run(flow::event_driven_dead_letter(), 1).unwrap();
    assert_eq!(r.dead_lettered, 200);
    assert_eq!(r.dead_lettered_by_service, [0, 0, 0, 0, 200]);
    assert_eq!(r.consistent_at_ms, None);
    assert_eq!((r.pending, r.client_failures), (0, 0));
}

#[test]
fn s1_down_fails_the_client_in_both_designs() {
    let mut c = flow::event_driven_s4_down();
    c.chain.faults = vec![Fault { service: Service::S1, kind: FaultKind::Down, from_ms: 0, to_ms: 5_000 }];
    let cmp = compare(&c, 2).unwrap();
    assert!(cmp.flow.client_failures > 0);
    assert_eq!(cmp.flow.client_failures, cmp.chain.client_failures);
}

#[test]
fn a_slow_s4_costs_the_chain_and_not_the_client_of_the_flow() {
    let mut c = flow::event_driven_s4_down();
    c.chain.faults =
        vec![Fault { service: Service::S4, kind: FaultKind::Slow { factor_pct: 5_000 }, from_ms: 0, to_ms: 60_000 }];
    let cmp = compare(&c, 3).unwrap();
    assert!(cmp.chain.latency.p50_ms > 500.0, "{:?}", cmp.chain.latency);
    assert!(cmp.flow.latency.p99_ms < 50.0);
    assert_eq!(cmp.flow.pending, 0);
}

#[test]
fn same_seed_same_reports_and_slices_match() {
    let c = flow::event_driven_s4_down();
    assert_eq!(compare(&c, 9).unwrap(), compare(&c, 9).unwrap());
    assert_ne!(compare(&c, 9).unwrap(), compare(&c, 10).unwrap());
    let mut a = FlowRun::new(c.clone(), 4).unwrap();
    while !a.advance(7) {}
    assert_eq!(a.report(), FlowRun::run(c.clone(), 4).unwrap());
    let mut b = ChainRun::new(c.chain.clone(), 4).unwrap();
    while !b.advance(3) {}
    assert_eq!(b.report(), ChainRun::run(c.chain, 4).unwrap());
}

#[test]
fn absurd_configs_are_refused_with_a_sentence() {
    let bad = |f: fn(&mut ChainConfig), word: &str| {
        let mut c = chain::chain_healthy();
        f(&mut c);
        let e = c.validate().unwrap_err();
        assert!(e.contains(word), "{e}");
        assert!(ChainRun::new(c.clone(), 1).is_err());
        assert!(FlowRun::new(FlowConfig { chain: c, ..FlowConfig::default() }, 1).is_err());
    };
    bad(|c| c.requests = 0, "requests");
    bad(|c| c.rate_per_s = u32::MAX, "rate");
    bad(|c| c.client_timeout_ms = 0, "client's timeout");
    bad(|c| c.retries = 1_000, "retries");
    bad(|c| c.services[4].call_timeout_ms = 0, "S4's call timeout");
    bad(
        |c| c.faults = vec![Fault { service: Service::S2, kind: FaultKind::Down, from_ms: 5, to_ms: 5 }],
        "S2's fault end",
    );
    bad(
        |c| {
            c.faults =
                vec![Fault { service: Service::S3, kind: FaultKind::Slow { factor_pct: 0 }, from_ms: 0, to_ms: 5 }]
        },
        "S3's slowdown",
    );
    let mut f = flow::event_driven_s4_down();
    f.retry_max_ms = 1;
    assert!(f.validate().unwrap_err().contains("longest redelivery wait"));
    let mut f = flow::event_driven_s4_down();
    f.dead_letter = false;
    f.retry_max_ms = 100;
    f.retry_base_ms = 1;
    f.chain.requests = 100_000;
    f.chain.faults = vec![Fault { service: Service::S4, kind: FaultKind::Down, from_ms: 0, to_ms: 86_400_000 }];
    assert!(f.validate().unwrap_err().contains("events"));
}

#[test]
fn while_s4_is_down_the_pending_work_is_s4s() {
    let mut run = FlowRun::new(flow::event_driven_s4_down(), 1).unwrap();
    let mut checked = false;
    while !run.advance(50) {
        let r = run.report();
        if r.end_ms > 12_000.0 && r.end_ms < 19_000.0 {
            // Every request has arrived and been handled by S0, S2 and S3 by now; only S4's remain.
            assert_eq!(r.pending_by_service, [0, 0, 0, 0, 200]);
            assert_eq!(r.consistent_at_ms, None);
            checked = true;
        }
    }
    assert!(checked);
}
