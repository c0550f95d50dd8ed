//! The heaviest configurations the limits accept run to the end without panicking (their time is
//! measured by `cargo bench --bench run_budget`, not asserted);
//! the next step past them is refused with a sentence.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::sim::events::chain::{self, ChainRun, limits as chain_limits};
use sysplay::sim::events::commission::{self, limits as commission_limits};
use sysplay::sim::events::flow::{self, FlowRun};
use sysplay::sim::events::{
    Consumer, Crash, CrashPoint, Downtime, Fault, FaultKind, LostAck, Service, TransferIntent, UserRetry,
};

#[test]
fn heaviest_chain_and_flow_run() {
    let mut c = chain::chain_healthy();
    c.requests = chain_limits::REQUESTS_MAX;
    c.rate_per_s = chain_limits::RATE_MAX;
    c.retries = chain_limits::RETRIES_MAX;
    c.faults = vec![Fault { service: Service::S4, kind: FaultKind::Down, from_ms: 0, to_ms: 3_600_000 }];
    let r = ChainRun::run(c.clone(), 1).unwrap();
    assert_eq!(r.client_failures, r.requests);
    assert_eq!(r.attempts, r.requests * (chain_limits::RETRIES_MAX + 1));
    let mut f = flow::event_driven_s4_down();
    f.chain = c;
    f.dead_letter = false;
    f.retry_base_ms = 1;
    f.retry_max_ms = 600_000;
    f.validate().unwrap();
    let r = FlowRun::run(f.clone(), 1).unwrap();
    assert_eq!((r.pending, r.client_failures, r.dead_lettered), (0, 0, 0));
    assert!(r.pending_series.len() <= 4_096);
    f.retry_max_ms = 1_000;
    f.chain.faults[0].to_ms = 86_400_000;
    assert!(f.validate().unwrap_err().contains("events"));
}

#[test]
fn heaviest_commission_runs() {
    let n = commission_limits::INTENTS_MAX;
    let mut c = commission::commission_anomaly();
    c.balance = commission_limits::AMOUNT_MAX;
    c.transfers = (0..n)
        .map(|i| TransferIntent {
            at_ms: i as u32 * 10,
            amount: 1_000,
            retry: Some(UserRetry { after_ms: 5, amount: 900 }),
        })
        .collect();
    c.downtime = (0..commission_limits::FAULTS_MAX)
        .map(|i| Downtime {
            consumer: if i % 2 == 0 { Consumer::S0 } else { Consumer::S2 },
            from_ms: i as u32 * 7,
            to_ms: i as u32 * 7 + 50,
        })
        .collect();
    c.crashes = (0..commission_limits::FAULTS_MAX)
        .map(|i| Crash {
            request: i as u32 * 2 + 1,
            point: if i % 2 == 0 { CrashPoint::AfterWrite } else { CrashPoint::AfterPublish },
        })
        .collect();
    c.lost_acks = (0..commission_limits::FAULTS_MAX)
        .map(|i| LostAck { consumer: if i % 2 == 0 { Consumer::S0 } else { Consumer::S2 }, delivery: i as u32 + 1 })
        .collect();
    c.s1_restart_ms = 3;
    c.ack_timeout_ms = 20;
    for fixes in [
        Default::default(),
        sysplay::sim::events::Fixes {
            outbox: true,
            inbox: true,
            saga: true,
            idempotency_key: true,
            single_consumer: false,
        },
    ] {
        c.fixes = fixes;
        let (r, log) = commission::run(c.clone(), 1).unwrap();
        assert!(r.money_conserved);
        assert!(log.len() < 100_000, "{}", log.len());
    }
    c.transfers.push(TransferIntent { at_ms: 0, amount: 1, retry: None });
    assert!(c.validate().unwrap_err().contains("the number of transfers"));
}
