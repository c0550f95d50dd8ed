//! The chain's and the flow's invariants over random fault schedules (downtime and slow windows on any
//! service), client retries and broker settings.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sysplay::sim::events::chain::{ChainRun, chain_healthy};
use sysplay::sim::events::flow::{FlowConfig, FlowRun, compare, event_driven_s4_down};
use sysplay::sim::events::{Fault, FaultKind, Service};

fn service() -> impl Strategy<Value = Service> {
    prop::sample::select(Service::ALL.to_vec())
}

fn faults(s1: bool) -> impl Strategy<Value = Vec<Fault>> {
    prop::collection::vec((service(), any::<bool>(), 100u32..1_000, 0u32..15_000, 1u32..15_000), 0..4).prop_map(
        move |raw| {
            raw.into_iter()
                .filter(|&(s, _, _, _, _)| s1 || s != Service::S1)
                .map(|(service, down, factor_pct, from_ms, len)| Fault {
                    service,
                    kind: if down { FaultKind::Down } else { FaultKind::Slow { factor_pct } },
                    from_ms,
                    to_ms: from_ms + len,
                })
                .collect()
        },
    )
}

prop_compose! {
    fn config(s1: bool)(
        faults in faults(s1),
        requests in 1u32..150,
        rate_per_s in 5u32..100,
        retries in 0u32..4,
        backoff_ms in 0u32..2_000,
        keys in any::<bool>(),
        max_attempts in 1u32..30,
        dead_letter in any::<bool>(),
        retry_base_ms in 1u32..500,
    ) -> FlowConfig {
        let mut chain = chain_healthy();
        chain.faults = faults;
        chain.requests = requests;
        chain.rate_per_s = rate_per_s;
        chain.retries = retries;
        chain.backoff_ms = backoff_ms;
        chain.idempotency_keys = keys;
        FlowConfig { chain, max_attempts, dead_letter, retry_base_ms, ..event_driven_s4_down() }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// With idempotency keys a service writes each request at most once, whatever the retries.
    #[test]
    fn chain_keys_never_write_twice(mut c in config(true)) {
        c.chain.idempotency_keys = true;
        let r = ChainRun::run(c.chain, 1).unwrap();
        prop_assert_eq!(r.duplicate_writes_total, 0);
        prop_assert!(r.writes.iter().all(|&w| w <= r.requests));
    }

    /// The chain's counts add up: every request answered once, failures and successes partition them,
    /// duplicates are writes beyond one a request.
    #[test]
    fn chain_counts_add_up(c in config(true)) {
        let r = ChainRun::run(c.chain.clone(), 1).unwrap();
        prop_assert_eq!(r.succeeded + r.client_failures, r.requests);
        prop_assert!(r.attempts >= r.requests && r.attempts <= r.requests * (c.chain.retries + 1));
        prop_assert_eq!(r.latency.count, u64::from(r.requests));
        if !c.chain.idempotency_keys && c.chain.retries == 0 {
            prop_assert_eq!(r.duplicate_writes_total, 0);
        }
    }

    /// While S1 is up the flow's client never fails, and at the end nothing is pending: every event was
    /// applied or dead-lettered; without dead-lettering every request became consistent.
    #[test]
    fn flow_client_never_fails_and_work_drains(c in config(false)) {
        let r = FlowRun::run(c.clone(), 1).unwrap();
        prop_assert_eq!(r.client_failures, 0);
        prop_assert_eq!(r.pending, 0);
        prop_assert!(r.writes.iter().all(|&w| w <= r.requests));
        if r.dead_lettered == 0 {
            prop_assert!(r.consistent_at_ms.is_some());
            prop_assert_eq!(r.writes[Service::S2.index()], r.requests);
        } else {
            prop_assert!(c.dead_letter && r.consistent_at_ms.is_none());
        }
    }

    /// The same seed and configuration give identical reports.
    #[test]
    fn chain_and_flow_are_deterministic(c in config(true), seed in any::<u64>()) {
        prop_assert_eq!(compare(&c, seed).unwrap(), compare(&c, seed).unwrap());
    }
}
