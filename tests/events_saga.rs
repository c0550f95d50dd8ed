//! The transfer saga orchestrated and choreographed: the same final balances, different records of a
//! failed step.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sysplay::sim::events::saga::{self, SagaState as S};
use sysplay::sim::events::{SagaConfig, SagaRun, SagaStyle, SagaTransfer, compare_styles};

#[test]
fn the_notes_transfers_end_at_150_both_ways() {
    let (o, c) = compare_styles(&saga::saga_notes(), 1).unwrap();
    for r in [&o, &c] {
        assert_eq!((r.final_balance, r.commission_taken, r.payee_balance), (150, 50, 800), "{:?}", r.style);
        assert_eq!((r.transfers_made, r.transfers_failed, r.compensations), (1, 1, 1));
        assert_eq!(r.states, vec![S::Compensated, S::Completed]);
    }
    // The orchestrator's central log tells the failed saga's whole story; choreography has none.
    let s1: Vec<S> = o.central_log.iter().filter(|e| e.saga == 1).map(|e| e.state).collect();
    assert_eq!(s1, vec![S::Started, S::CommissionTaken, S::TransferFailed, S::Compensating, S::Compensated]);
    assert!(c.central_log.is_empty());
    // Under choreography each service saw only its events.
    let s0: Vec<&str> = c.seen.iter().filter(|x| x.service == "S0").map(|x| x.text.as_str()).collect();
    assert_eq!(
        s0,
        vec![
            "saga 1: \"transfer requested\"; takes 50: balance 950",
            "saga 2: \"transfer requested\"; takes 50: balance 900",
            "saga 1: \"transfer failed\"; gives back 50: balance 150",
        ]
    );
    assert!(o.seen.iter().any(|x| x.text == "saga 1: the command \"give back\"; gives back 50: balance 150"));
    // Orchestration costs a reply per command: more messages.
    assert!(o.messages > c.messages);
}

#[test]
fn a_refused_transfer_is_compensated_and_a_missing_commission_aborts() {
    let c = SagaConfig {
        balance: 1_000,
        commission: 50,
        transfers: vec![
            SagaTransfer { at_ms: 0, amount: 100, refused: true },
            SagaTransfer { at_ms: 1_000, amount: 950, refused: false },
            SagaTransfer { at_ms: 2_000, amount: 10, refused: false },
        ],
        hop_ms: 5,
    };
    let (o, ch) = compare_styles(&c, 1).unwrap();
    for r in [&o, &ch] {
        assert_eq!(r.states, vec![S::Compensated, S::Completed, S::Aborted], "{:?}", r.style);
        assert_eq!((r.final_balance, r.commission_taken, r.payee_balance), (0, 50, 950));
        assert_eq!((r.transfers_made, r.transfers_failed, r.compensations), (1, 1, 1));
    }
    assert_eq!(
        o.central_log.iter().filter(|e| e.saga == 3).map(|e| e.state).collect::<Vec<_>>(),
        vec![S::Started, S::Aborted]
    );
    assert!(ch.seen.iter().any(|x| x.service == "S1" && x.text.contains("saga 3: \"commission failed\"")));
}

#[test]
fn slices_and_seeds_change_nothing() {
    let c = saga::saga_notes();
    let mut a = SagaRun::new(c.clone(), SagaStyle::Choreographed, 1).unwrap();
    while !a.advance(1) {}
    assert_eq!(a.report(), SagaRun::run(c.clone(), SagaStyle::Choreographed, 99).unwrap());
    // Saga 1: start, requested, commission taken, transfer failed, commission returned; saga 2: four.
    assert_eq!(a.steps(), 9);
}

#[test]
fn absurd_configs_are_refused_with_a_sentence() {
    let mut c = saga::saga_notes();
    c.hop_ms = 0;
    assert!(c.validate().unwrap_err().contains("hop"));
    let mut c = saga::saga_notes();
    c.transfers[1].amount = 0;
    assert!(SagaRun::new(c, SagaStyle::Orchestrated, 1).err().unwrap().contains("transfer 2's amount"));
    let mut c = saga::saga_notes();
    c.transfers.clear();
    assert!(c.validate().is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Sagas far enough apart (each over before the next starts) end with the same balances and states
    /// both ways, and money is conserved.
    #[test]
    fn spaced_sagas_end_the_same_both_ways(
        balance in 0u64..3_000,
        commission in 0u64..100,
        raw in prop::collection::vec((1u64..1_500, any::<bool>()), 1..12),
    ) {
        let transfers = raw
            .iter()
            .enumerate()
            .map(|(i, &(amount, refused))| SagaTransfer { at_ms: i as u32 * 100, amount, refused })
            .collect();
        let c = SagaConfig { balance, commission, transfers, hop_ms: 5 };
        let (o, ch) = compare_styles(&c, 1).unwrap();
        prop_assert_eq!(o.final_balance, ch.final_balance);
        prop_assert_eq!(o.commission_taken, ch.commission_taken);
        prop_assert_eq!(&o.states, &ch.states);
        for r in [&o, &ch] {
            prop_assert_eq!(r.final_balance + r.commission_taken + r.payee_balance, balance);
            prop_assert_eq!(r.commission_taken, commission * u64::from(r.transfers_made));
        }
    }
}
