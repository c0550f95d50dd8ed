//! The notes' commission anomaly with its exact numbers, and each fix's own final balance, computed by
//! the simulation.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::sim::events::commission::{self, CommissionConfig, Fixes, limits, preset, run};
use sysplay::sim::events::{CommissionRun, Consumer, Crash, CrashPoint, LostAck, TransferIntent};

fn go(c: CommissionConfig) -> sysplay::sim::events::CommissionReport {
    let (r, log) = run(c, 7).expect("valid");
    assert!(r.money_conserved, "money not conserved: {r:?}");
    assert!(log.iter().all(|l| l.step <= r.steps));
    r
}

#[test]
fn the_notes_anomaly_ends_at_100_with_100_of_commission() {
    let (r, log) = run(commission::commission_anomaly(), 1).unwrap();
    assert_eq!(r.final_balance, 100);
    assert_eq!(r.commission_taken, 100);
    assert_eq!(r.transfers_made, 1);
    assert_eq!(r.transfers_failed, 1);
    assert_eq!(r.payee_balance, 800);
    assert_eq!(r.duplicate_writes, 0);
    assert_eq!(r.lost_events, 0);
    assert!(r.money_conserved);
    assert_eq!(r.money_total, 1_000);
    // The balances the notes give along the way: 950 after the first commission, 900 after the second.
    let balances: Vec<u64> = log.iter().map(|l| l.balance).collect();
    let first = balances.iter().position(|&b| b == 950).expect("950 after the first commission");
    let second = balances.iter().position(|&b| b == 900).expect("900 after the second");
    assert!(first < second);
    assert!(
        log.iter().any(|l| l.text.contains("S0 takes the commission of 50 for transfer #1: balance 950")),
        "{log:#?}"
    );
    assert!(log.iter().any(|l| l.text.contains("S2 fails transfer #1: the balance 900 does not cover 950")));
    assert!(log.iter().any(|l| l.text.contains("S2 transfers 800 (transfer #2): balance 100")));
}

#[test]
fn the_anomaly_breaks_commission_only_for_a_transfer_made_at_the_950() {
    let (r, log) = run(commission::commission_anomaly(), 1).unwrap();
    // Exactly one break: the failed 950 kept its commission.
    assert_eq!(r.commission_without_transfer, vec!["transfer #1 (950) failed but its commission of 50 was kept"]);
    assert_ne!(r.commission_taken, 50 * u64::from(r.transfers_made));
    // The step where it breaks: S2 refuses the 950 while S0 already took its commission.
    let fail = log.iter().find(|l| l.text.starts_with("S2 fails transfer #1")).unwrap();
    assert_eq!((fail.balance, fail.bank), (900, 100));
    let t1 = &r.transfers[0];
    assert_eq!((t1.amount, t1.made, t1.failed, t1.commission_kept), (950, 0, 1, 50));
}

#[test]
fn saga_gives_back_the_failed_commission_final_150() {
    let r = go(commission::commission_saga());
    assert_eq!((r.final_balance, r.commission_taken, r.transfers_made, r.compensations), (150, 50, 1, 1));
    assert!(r.commission_without_transfer.is_empty());
    assert_eq!(r.commission_taken, 50 * u64::from(r.transfers_made));
}

#[test]
fn single_consumer_checks_funds_first_final_0() {
    // S2 comes back with 1000: the 950 and its 50 fit exactly; the 800 then fails and costs nothing.
    let r = go(commission::commission_single_consumer());
    assert_eq!((r.final_balance, r.commission_taken, r.payee_balance), (0, 50, 950));
    assert_eq!((r.transfers_made, r.transfers_failed), (1, 1));
    assert!(r.commission_without_transfer.is_empty());
}

#[test]
fn idempotency_key_refuses_the_800_and_makes_the_950_final_0() {
    let (r, log) = run(commission::commission_idempotency_key(), 1).unwrap();
    assert_eq!((r.final_balance, r.commission_taken, r.payee_balance), (0, 50, 950));
    assert_eq!((r.transfers_made, r.transfers_failed, r.retries_recognised, r.events_published), (1, 0, 1, 1));
    assert!(log.iter().any(|l| l.text.contains("refuses another amount under the same key")));
    // The same amount under the same key is answered with the first one's status.
    let mut c = commission::commission_idempotency_key();
    c.transfers[0].retry.as_mut().unwrap().amount = 950;
    let (r, log) = run(c, 1).unwrap();
    assert_eq!((r.final_balance, r.retries_recognised, r.transfers_made), (0, 1, 1));
    assert!(log.iter().any(|l| l.text.contains("recognises it and answers with its status")));
}

#[test]
fn fixes_combine() {
    let mut c = commission::commission_anomaly();
    c.fixes = Fixes { saga: true, single_consumer: true, idempotency_key: true, outbox: true, inbox: true };
    let r = go(c);
    assert_eq!((r.final_balance, r.commission_taken, r.transfers_made), (0, 50, 1));
    let mut c = commission::commission_anomaly();
    c.fixes = Fixes { saga: true, idempotency_key: true, ..Fixes::default() };
    let r = go(c);
    assert_eq!((r.final_balance, r.commission_taken, r.compensations), (0, 50, 0));
}

#[test]
fn redelivery_takes_the_commission_twice_without_the_inbox_once_with_it() {
    let r = go(commission::commission_redelivery());
    assert_eq!((r.final_balance, r.commission_taken, r.duplicate_writes, r.redeliveries), (100, 100, 1, 1));
    let r = go(commission::commission_inbox());
    assert_eq!((r.final_balance, r.commission_taken, r.duplicate_writes, r.inbox_skips), (150, 50, 0, 1));
}

#[test]
fn dual_write_loses_the_event_and_the_outbox_does_not() {
    let (r, log) = run(commission::dual_write_lost_event(), 1).unwrap();
    assert_eq!((r.lost_events, r.unpublished_writes), (1, 1));
    assert_eq!((r.final_balance, r.commission_taken, r.payee_balance), (150, 50, 800));
    assert_eq!(r.transfers[0].published, 0);
    assert!(log.iter().any(|l| l.text.contains("the event of transfer #1 is lost")));
    let (r, log) = run(commission::outbox(), 1).unwrap();
    assert_eq!((r.lost_events, r.unpublished_writes), (0, 0));
    assert_eq!((r.final_balance, r.commission_taken, r.payee_balance), (0, 50, 950));
    assert!(log.iter().any(|l| l.text.contains("the relay finds 1 unsent outbox row(s)")));
}

#[test]
fn outbox_crash_after_publish_publishes_twice_and_the_inbox_applies_once() {
    let mut c = commission::outbox();
    c.crashes = vec![Crash { request: 1, point: CrashPoint::AfterPublish }];
    c.transfers[0].retry = None;
    c.balance = 5_000;
    let r = go(c.clone());
    assert_eq!(r.transfers[0].published, 2);
    assert_eq!((r.transfers_made, r.duplicate_writes, r.intents_transferred_twice), (2, 2, 1));
    c.fixes.inbox = true;
    let r = go(c);
    assert_eq!((r.transfers_made, r.duplicate_writes, r.intents_transferred_twice, r.inbox_skips), (1, 0, 0, 2));
    assert_eq!(r.final_balance, 5_000 - 950 - 50);
}

#[test]
fn every_preset_is_valid_and_conserves_money() {
    for name in commission::PRESETS {
        let c = preset(name).unwrap();
        let r = go(c);
        assert_eq!(r.money_total, 1_000, "{name}");
    }
    assert!(preset("nope").is_none());
}

#[test]
fn slices_give_the_same_report_as_one_go() {
    let c = commission::commission_saga();
    let mut a = CommissionRun::new(c.clone(), 3).unwrap();
    while !a.advance(1) {}
    let (b, log) = run(c, 3).unwrap();
    assert_eq!(a.report(), b);
    assert_eq!(a.log(), &log[..]);
    assert_eq!(a.steps(), b.steps);
}

#[test]
fn absurd_configs_are_refused_with_a_sentence() {
    let mut c = commission::commission_anomaly();
    c.transfers.clear();
    assert!(c.validate().unwrap_err().contains("transfers"));
    let mut c = commission::commission_anomaly();
    c.downtime[0].to_ms = 0;
    assert!(c.validate().unwrap_err().contains("S2's downtime end"));
    let mut c = commission::commission_anomaly();
    c.crashes = vec![Crash { request: 9, point: CrashPoint::AfterWrite }];
    assert!(c.validate().unwrap_err().contains("crash's request number"));
    let mut c = commission::commission_anomaly();
    c.balance = u64::MAX;
    assert!(c.validate().unwrap_err().contains("balance"));
    let mut c = commission::commission_anomaly();
    c.transfers = vec![TransferIntent { at_ms: 0, amount: 1, retry: None }; limits::INTENTS_MAX + 1];
    assert!(c.validate().is_err());
    let mut c = commission::commission_anomaly();
    c.lost_acks = vec![LostAck { consumer: Consumer::S0, delivery: 0 }];
    assert!(c.validate().unwrap_err().contains("S0's lost acknowledgement"));
    let mut c = commission::commission_anomaly();
    c.process_ms = 0;
    assert!(CommissionRun::new(c, 1).is_err());
}

#[test]
fn snapshots_show_the_queue_while_s2_is_down() {
    let mut r = CommissionRun::new(commission::commission_anomaly(), 1).unwrap();
    let mut seen_two_waiting = false;
    while !r.advance(1) {
        let s = r.snapshot();
        assert_eq!(s.balance + s.bank + s.payee, 1_000);
        let s2 = &s.consumers[1];
        let s0 = &s.consumers[0];
        if !s2.up && s2.queue.len() == 2 && s0.queue.is_empty() && s0.working_on.is_none() {
            seen_two_waiting = true;
            assert_eq!(s2.queue, vec!["the event of transfer #1", "the event of transfer #2"]);
            assert_eq!(s.balance, 900);
        }
    }
    assert!(seen_two_waiting);
    let end = r.snapshot();
    assert!(end.consumers.iter().all(|c| c.up && c.queue.is_empty() && c.working_on.is_none()));
}

#[test]
fn a_crash_loses_the_pending_second_step_of_an_earlier_write() {
    // Two sends 10 ms apart, S1 publishing 50 ms after its write: the second's crash after its write
    // kills the first's pending publish too.
    let mut c = commission::dual_write_lost_event();
    c.publish_gap_ms = 50;
    c.transfers = vec![
        TransferIntent { at_ms: 0, amount: 100, retry: None },
        TransferIntent { at_ms: 10, amount: 200, retry: None },
    ];
    c.crashes = vec![Crash { request: 2, point: CrashPoint::AfterWrite }];
    c.s1_restart_ms = 20;
    let r = go(c.clone());
    assert_eq!((r.lost_events, r.unpublished_writes, r.transfers_made), (2, 2, 0));
    c.fixes.outbox = true;
    let r = go(c);
    assert_eq!((r.lost_events, r.unpublished_writes, r.transfers_made), (0, 0, 2));
    assert_eq!(r.transfers.iter().map(|t| t.published).collect::<Vec<_>>(), vec![1, 1]);
}

#[test]
fn without_a_key_the_retry_can_transfer_twice_with_one_it_cannot() {
    // Enough money for both: the user's second send of the same 950 is made too.
    let mut c = commission::commission_anomaly();
    c.balance = 5_000;
    c.transfers[0].retry.as_mut().unwrap().amount = 950;
    let r = go(c.clone());
    assert_eq!((r.transfers_made, r.intents_transferred_twice, r.payee_balance), (2, 1, 1_900));
    assert_eq!(r.final_balance, 5_000 - 2 * 950 - 2 * 50);
    c.fixes.idempotency_key = true;
    let r = go(c);
    assert_eq!((r.transfers_made, r.intents_transferred_twice, r.payee_balance), (1, 0, 950));
    assert_eq!(r.final_balance, 5_000 - 950 - 50);
}
