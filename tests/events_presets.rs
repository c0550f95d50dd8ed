//! Every preset of the events lab by name: valid, run, and its configuration through JSON unchanged (a
//! scenario link carries it so).
#![cfg(not(target_arch = "wasm32"))]

use sysplay::sim::events::{self, EventsConfig};

#[test]
fn every_preset_runs_and_round_trips_through_json() {
    for name in events::presets() {
        let p = events::preset(name).unwrap_or_else(|| panic!("{name}"));
        p.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
        let json = serde_json::to_string(&p).unwrap();
        let back: EventsConfig = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}\n{json}"));
        assert_eq!(back, p, "{name}");
        let report = p.run(1).unwrap();
        assert!(report.is_object(), "{name}");
    }
    assert!(events::preset("nope").is_none());
}

#[test]
fn unknown_fields_are_refused() {
    let json = r#"{"part":"chain","config":{"requests":1}}"#;
    assert!(serde_json::from_str::<EventsConfig>(json).is_err());
    let mut p = serde_json::to_value(events::preset("chain-s4-timeout").unwrap()).unwrap();
    p["config"]["faults"][0]["extra"] = serde_json::json!(1);
    assert!(serde_json::from_value::<EventsConfig>(p).is_err());
}

#[test]
fn the_key_numbers_of_the_presets() {
    let n = |name: &str| events::preset(name).unwrap().run(1).unwrap();
    assert_eq!(n("commission-anomaly")["final_balance"], 100);
    assert_eq!(n("commission-anomaly")["commission_taken"], 100);
    assert_eq!(n("commission-saga")["final_balance"], 150);
    assert_eq!(n("dual-write-lost-event")["lost_events"], 1);
    assert_eq!(n("outbox")["lost_events"], 0);
    assert_eq!(n("event-replay")["balance"], 150);
    assert_eq!(n("chain-s4-timeout")["client_failures"], 200);
    assert_eq!(n("event-driven-s4-down")["flow"]["client_failures"], 0);
    assert_eq!(n("saga-notes")["orchestrated"]["final_balance"], 150);
    assert_eq!(n("saga-notes")["choreographed"]["final_balance"], 150);
}

#[test]
fn every_run_is_a_sliced_run() {
    use sysplay::sim::SlicedRun;
    use sysplay::sim::events::{chain, commission, flow, saga, sourcing};
    fn finish<R: SlicedRun>(mut r: R) -> (u64, R::Report) {
        while !r.advance(2) {}
        (r.steps(), r.report())
    }
    assert!(finish(events::ChainRun::new(chain::chain_healthy(), 1).unwrap()).0 >= 200);
    assert!(finish(events::FlowRun::new(flow::event_driven_s4_down(), 1).unwrap()).0 > 1_000);
    assert_eq!(finish(events::CommissionRun::new(commission::commission_anomaly(), 1).unwrap()).1.final_balance, 100);
    assert_eq!(finish(events::SourcingRun::new(sourcing::event_replay(), 1).unwrap()).1.balance, 150);
    let s = events::SagaRun::new(saga::saga_notes(), events::SagaStyle::Orchestrated, 1).unwrap();
    assert_eq!(finish(s).1.final_balance, 150);
}
