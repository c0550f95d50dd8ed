//! Event sourcing and CQRS: projections rebuilt by replay, a buggy read model fixed from history, and
//! the commission runs' account histories replayed.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::sim::events::commission::{self, run};
use sysplay::sim::events::sourcing::{self, balance_at, index_at_ms};
use sysplay::sim::events::{AccountEvent, CommissionRun, ProjectionBug, SourcingConfig, SourcingRun, TimedEvent};

#[test]
fn event_replay_preset_balance_150_and_the_buggy_projection_100() {
    let r = SourcingRun::run(sourcing::event_replay(), 1).unwrap();
    assert_eq!(r.events, 6);
    assert_eq!(r.balance, 150);
    assert_eq!(r.buggy_balance, 100);
    assert_eq!(r.rebuilt_balance, 150);
    assert_eq!(r.difference, 50);
    assert_eq!(r.first_wrong_event, Some(6));
    assert_eq!(r.balances, vec![1_000, 950, 900, 900, 100, 150]);
    let last = r.statement.last().unwrap();
    assert_eq!((last.index, last.delta, last.running), (6, 50, 150));
    assert_eq!(last.text, "Commission of 50 given back (transfer #1 failed)");
}

#[test]
fn commission_twice_bug_is_wrong_from_the_first_commission() {
    let c = SourcingConfig { bug: ProjectionBug::CommissionTwice, ..sourcing::event_replay() };
    let r = SourcingRun::run(c, 1).unwrap();
    assert_eq!((r.buggy_balance, r.rebuilt_balance, r.difference, r.first_wrong_event), (50, 150, 100, Some(2)));
}

#[test]
fn replay_to_any_point_by_index_or_time() {
    let c = sourcing::event_replay();
    let mut run = SourcingRun::new(c.clone(), 1).unwrap();
    while !run.advance(1) {}
    assert_eq!(run.replay_to(0), 0);
    assert_eq!(run.replay_to(3), 900);
    assert_eq!(run.replay_to_ms(10_005), 950);
    assert_eq!(run.replay_to_ms(60_010), 100);
    assert_eq!(run.replay_to_ms(u64::MAX), 150);
    assert_eq!(index_at_ms(&c.events, 6), 2);
    // Every intermediate balance the report shows is the replay of its prefix.
    let r = run.report();
    for (i, &b) in r.balances.iter().enumerate() {
        assert_eq!(balance_at(run.store(), i + 1), b);
    }
}

#[test]
fn replaying_a_commission_runs_history_gives_its_final_balance() {
    for name in commission::PRESETS {
        let c = commission::preset(name).unwrap();
        let (report, _) = run(c.clone(), 1).unwrap();
        let mut r = CommissionRun::new(c, 1).unwrap();
        while !r.advance(u64::MAX) {}
        let history = r.account_history().to_vec();
        let s =
            SourcingRun::run(SourcingConfig { events: history, bug: ProjectionBug::IgnoresCompensations }, 1).unwrap();
        assert_eq!(s.balance, report.final_balance as i64, "{name}");
    }
    // The saga's history is the preset's.
    let mut r = CommissionRun::new(commission::commission_saga(), 1).unwrap();
    while !r.advance(u64::MAX) {}
    let kinds: Vec<_> = r.account_history().iter().map(|e| std::mem::discriminant(&e.event)).collect();
    let preset: Vec<_> = sourcing::event_replay().events.iter().map(|e| std::mem::discriminant(&e.event)).collect();
    assert_eq!(kinds, preset);
}

#[test]
fn bad_histories_are_refused_with_a_sentence() {
    let ev = |at_ms, event| TimedEvent { at_ms, event };
    let c = SourcingConfig {
        events: vec![ev(0, AccountEvent::Deposited { amount: 10 }), ev(1, AccountEvent::Withdrawn { amount: 11 })],
        bug: ProjectionBug::CommissionTwice,
    };
    assert!(c.validate().unwrap_err().contains("event 2"));
    let c = SourcingConfig {
        events: vec![ev(5, AccountEvent::Deposited { amount: 10 }), ev(1, AccountEvent::Deposited { amount: 1 })],
        bug: ProjectionBug::CommissionTwice,
    };
    assert!(c.validate().unwrap_err().contains("event 2's time"));
    let c = SourcingConfig {
        events: vec![ev(0, AccountEvent::Deposited { amount: u64::MAX })],
        bug: ProjectionBug::CommissionTwice,
    };
    assert!(SourcingRun::new(c, 1).unwrap_err().contains("event 1's amount"));
    let empty = SourcingRun::run(SourcingConfig { events: vec![], bug: ProjectionBug::CommissionTwice }, 1).unwrap();
    assert_eq!((empty.balance, empty.events), (0, 0));
}
