//! The commission model's invariants over random failure schedules: downtime windows, S1 crashes between
//! write and publish (or after it), lost acknowledgements (redeliveries) and user retries.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sysplay::sim::events::commission::{CommissionConfig, commission_anomaly, run};
use sysplay::sim::events::sourcing::balance_at;
use sysplay::sim::events::{CommissionRun, SourcingConfig, SourcingRun};
use sysplay::sim::events::{Consumer, Crash, CrashPoint, Downtime, Fixes, LostAck, TransferIntent, UserRetry};

fn consumer() -> impl Strategy<Value = Consumer> {
    prop_oneof![Just(Consumer::S0), Just(Consumer::S2)]
}

fn intents() -> impl Strategy<Value = Vec<TransferIntent>> {
    prop::collection::vec((0u32..20_000, 1u64..1_200, prop::option::of((1u32..30_000, 1u64..1_200))), 1..6).prop_map(
        |raw| {
            raw.into_iter()
                .map(|(at_ms, amount, retry)| TransferIntent {
                    at_ms,
                    amount,
                    retry: retry.map(|(after_ms, amount)| UserRetry { after_ms, amount }),
                })
                .collect()
        },
    )
}

prop_compose! {
    fn config(fixes: Fixes)(
        balance in 0u64..5_000,
        commission in 0u64..100,
        transfers in intents(),
        downtime in prop::collection::vec((consumer(), 0u32..40_000, 1u32..40_000), 0..4),
        crashes in prop::collection::vec((1u32..12, any::<bool>()), 0..4),
        lost_acks in prop::collection::vec((consumer(), 1u32..12), 0..4),
        publish_gap_ms in 0u32..50,
        s1_restart_ms in 1u32..5_000,
        ack_timeout_ms in 1u32..5_000,
    ) -> CommissionConfig {
        let requests: u32 = transfers.iter().map(|t| 1 + u32::from(t.retry.is_some())).sum();
        CommissionConfig {
            balance,
            commission,
            downtime: downtime
                .into_iter()
                .map(|(consumer, from_ms, len)| Downtime { consumer, from_ms, to_ms: from_ms + len })
                .collect(),
            crashes: crashes
                .into_iter()
                .filter(|&(r, _)| r <= requests)
                .map(|(request, after)| Crash {
                    request,
                    point: if after { CrashPoint::AfterPublish } else { CrashPoint::AfterWrite },
                })
                .collect(),
            lost_acks: lost_acks.into_iter().map(|(consumer, delivery)| LostAck { consumer, delivery }).collect(),
            transfers,
            publish_gap_ms,
            s1_restart_ms,
            ack_timeout_ms,
            fixes,
            ..commission_anomaly()
        }
    }
}

fn fixes() -> impl Strategy<Value = Fixes> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(saga, single_consumer, idempotency_key, outbox, inbox)| Fixes {
            saga,
            single_consumer,
            idempotency_key,
            outbox,
            inbox,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever the fixes and the faults, no money appears or vanishes.
    #[test]
    fn money_is_conserved_in_every_variant(c in fixes().prop_flat_map(config)) {
        let (r, _) = run(c.clone(), 1).unwrap();
        prop_assert!(r.money_conserved, "{:?}\n{}", r, serde_json::to_string(&c).unwrap());
        prop_assert_eq!(r.money_total, c.balance);
        prop_assert_eq!(r.final_balance + r.payee_balance + r.commission_taken, c.balance);
    }

    /// With the outbox, every committed write has its event published by the end: none lost.
    #[test]
    fn outbox_leaves_no_committed_write_without_its_event(
        c in fixes().prop_map(|f| Fixes { outbox: true, ..f }).prop_flat_map(config)
    ) {
        let (r, _) = run(c.clone(), 1).unwrap();
        prop_assert_eq!(r.lost_events, 0);
        prop_assert_eq!(r.unpublished_writes, 0, "{}", serde_json::to_string(&c).unwrap());
        prop_assert!(r.transfers.iter().all(|t| t.published >= 1));
    }

    /// The dual write loses exactly the events of writes that were never published.
    #[test]
    fn dual_write_loses_exactly_the_unpublished_writes(
        c in fixes().prop_map(|f| Fixes { outbox: false, ..f }).prop_flat_map(config)
    ) {
        let (r, _) = run(c, 1).unwrap();
        prop_assert_eq!(r.lost_events, r.unpublished_writes);
    }

    /// With idempotency keys and the inbox, no intent's amount reaches the payee twice and no effect is
    /// applied twice, whatever the redeliveries, crashes and retries.
    #[test]
    fn keys_and_inbox_make_no_transfer_twice(
        c in fixes().prop_map(|f| Fixes { idempotency_key: true, inbox: true, ..f }).prop_flat_map(config)
    ) {
        let (r, _) = run(c.clone(), 1).unwrap();
        prop_assert_eq!(r.intents_transferred_twice, 0, "{}", serde_json::to_string(&c).unwrap());
        prop_assert_eq!(r.duplicate_writes, 0);
        prop_assert!(r.transfers.iter().all(|t| t.made <= 1));
    }

    /// With the inbox alone, each event is applied once: no duplicate writes from redeliveries.
    #[test]
    fn inbox_applies_each_event_once(c in fixes().prop_map(|f| Fixes { inbox: true, ..f }).prop_flat_map(config)) {
        let (r, _) = run(c, 1).unwrap();
        prop_assert_eq!(r.duplicate_writes, 0);
    }

    /// A saga or a single consumer never keeps a failed transfer's commission (with the inbox, so a
    /// redelivered commission event is not taken twice).
    #[test]
    fn saga_or_single_consumer_keep_no_commission_without_a_transfer(
        c in (fixes(), any::<bool>())
            .prop_map(|(f, s)| Fixes { saga: s, single_consumer: !s, inbox: true, ..f })
            .prop_flat_map(config)
    ) {
        let (r, _) = run(c.clone(), 1).unwrap();
        prop_assert!(r.commission_without_transfer.is_empty(), "{:?}\n{}", r, serde_json::to_string(&c).unwrap());
    }

    /// The anomaly variant (no saga, no single consumer): the notes' invariant "commission only for a
    /// transfer made" breaks exactly at the records S2 refused after S0 had taken their commission; every
    /// other record with a commission kept was made, and every refused one is listed in the report.
    #[test]
    fn anomaly_breaks_the_invariant_exactly_at_failed_transfers_with_commission(
        c in fixes().prop_map(|f| Fixes { saga: false, single_consumer: false, inbox: true, ..f }).prop_flat_map(config)
    ) {
        let (r, _) = run(c.clone(), 1).unwrap();
        let breaks: Vec<_> = r.transfers.iter().filter(|t| t.commission_kept > 0 && t.made == 0).collect();
        prop_assert!(breaks.iter().all(|t| t.failed > 0), "a commission kept for a record S2 never saw");
        prop_assert_eq!(breaks.len(), r.commission_without_transfer.len());
        let kept: u64 = r.transfers.iter().map(|t| t.commission_kept).sum();
        prop_assert_eq!(kept, r.commission_taken);
        let made_with_fee = r.transfers.iter().filter(|t| t.made > 0 && t.commission_kept > 0).count() as u64;
        prop_assert_eq!(r.commission_taken, c.commission * (made_with_fee + breaks.len() as u64));
    }

    /// The account's history, replayed as an event store, gives the run's final balance after every
    /// prefix's replay stays non-negative.
    #[test]
    fn replaying_the_account_history_gives_the_final_balance(c in fixes().prop_flat_map(config)) {
        let mut r = CommissionRun::new(c.clone(), 1).unwrap();
        while !r.advance(u64::MAX) {}
        let events = r.account_history().to_vec();
        prop_assert_eq!(balance_at(&events, events.len()), r.report().final_balance as i64);
        let s = SourcingRun::run(SourcingConfig { events, ..SourcingConfig::default() }, 1).unwrap();
        prop_assert_eq!(s.rebuilt_balance, s.balance);
    }

    /// The same seed and configuration give the same report and log.
    #[test]
    fn runs_are_deterministic(c in fixes().prop_flat_map(config)) {
        prop_assert_eq!(run(c.clone(), 5).unwrap(), run(c, 5).unwrap());
    }
}
