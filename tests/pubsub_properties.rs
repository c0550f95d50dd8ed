//! The publish/subscribe invariants over thousands of random schedules of service stops and starts,
//! broker and event-bus crashes, subscriptions (bindings of a service's durable or ephemeral queue,
//! often overlapping, such as `#` next to `orders.#`) and publishes by hand. A failing schedule prints a share
//! link that opens the same run in the page (and its JSON).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use sysplay::sim::pubsub::{PatternKind, PubSubAction, PubSubConfig, PubSubSim, TimedPubSubAction, check_all};

/// Every generated schedule ends by bringing everything back, so the run can settle.
const RECOVER_AT_MS: u64 = 300_000;
const SERVICES: [&str; 4] = ["Email", "Inventory", "Push", "Analytics"];
const TOPICS: [&str; 5] =
    ["order_created", "order_cancelled", "payment.succeeded", "payment.failed", "orders.eu.created"];
const PATTERNS: [(PatternKind, &str); 5] = [
    (PatternKind::Exact, "order_cancelled"),
    (PatternKind::Prefix, "payment"),
    (PatternKind::Wildcard, "orders.#"),
    (PatternKind::Wildcard, "*.succeeded"),
    (PatternKind::Wildcard, "#"),
];

fn action(kind: u8, a: usize, b: usize, durable: bool) -> PubSubAction {
    let service = SERVICES[a % SERVICES.len()].to_string();
    match kind {
        0 => PubSubAction::StopService { service },
        1 => PubSubAction::StartService { service },
        2 => PubSubAction::CrashBroker,
        3 => PubSubAction::RestartBroker,
        4 => PubSubAction::CrashBusProcess,
        5 => PubSubAction::RestartBusProcess,
        6 => PubSubAction::Publish { topic: TOPICS[b % TOPICS.len()].into(), count: 1 + (b % 3) as u32 },
        7 => {
            let (kind, pattern) = PATTERNS[b % PATTERNS.len()];
            PubSubAction::Subscribe { service, kind, pattern: pattern.into(), durable }
        }
        _ => PubSubAction::Unsubscribe { service, pattern: PATTERNS[b % PATTERNS.len()].1.into() },
    }
}

fn schedule() -> impl Strategy<Value = Vec<TimedPubSubAction>> {
    prop::collection::vec((0..RECOVER_AT_MS, 0u8..9, 0usize..8, 0usize..10, any::<bool>()), 0..16).prop_map(|raw| {
        let config = PubSubConfig::default();
        let mut raw: Vec<_> = raw.into_iter().map(|(t, k, a, b, d)| (t, action(k, a, b, d))).collect();
        raw.sort_by_key(|(t, _)| *t);
        // Keep only the actions valid where they stand (no unsubscribe of nothing, no double subscribe).
        let mut actions: Vec<TimedPubSubAction> = Vec::new();
        for a in raw {
            actions.push(a);
            if config.validate_actions(&actions).is_err() {
                actions.pop();
            }
        }
        actions.push((RECOVER_AT_MS, PubSubAction::RestartBroker));
        actions.push((RECOVER_AT_MS, PubSubAction::RestartBusProcess));
        for s in SERVICES {
            actions.push((RECOVER_AT_MS, PubSubAction::StartService { service: s.into() }));
        }
        actions
    })
}

fn case() -> impl Strategy<Value = (u64, PubSubConfig, Vec<TimedPubSubAction>)> {
    (any::<u64>(), 20u32..150, any::<bool>(), 20u32..120, any::<bool>()).prop_flat_map(
        |(seed, events, persistent, rate_per_min, fixed)| {
            let mut config = PubSubConfig { events, persistent, rate_per_min, ..PubSubConfig::default() };
            config.services[1].fixed = fixed;
            (Just(seed), Just(config), schedule())
        },
    )
}

/// A failing schedule as a share link that opens the same run in the page (and its JSON).
fn replay_link(seed: u64, config: &PubSubConfig, actions: &[TimedPubSubAction]) -> String {
    common::replay_link(seed, sysplay::scenario::LabSetup::Pubsub { config: config.clone(), actions: actions.to_vec() })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn invariants_hold_under_random_failures((seed, config, actions) in case()) {
        let replay = replay_link(seed, &config, &actions);
        let mut sim = PubSubSim::new(seed, &config, &actions).unwrap();
        let mut steps = 0u64;
        while sim.step().is_some() {
            steps += 1;
            if steps.is_multiple_of(89) {
                let errors = check_all(&sim.snapshot());
                prop_assert!(errors.is_empty(), "{errors:?} at step {steps}; replay: {replay}");
            }
        }
        prop_assert!(sim.is_finished());
        let errors = check_all(&sim.snapshot());
        prop_assert!(errors.is_empty(), "{errors:?}; replay: {replay}");
        let r = sim.report();
        // Everything recovers at the end, so nothing stays pending, and every fate is counted once.
        prop_assert_eq!(r.pending, 0, "replay: {}", replay);
        prop_assert_eq!(r.handled + r.missed + r.lost + r.discarded, r.matched, "replay: {}", replay);
        prop_assert_eq!(r.accepted + r.rejected, r.published, "replay: {}", replay);
        // Fan-out counts a queue once per event, however many of its bindings matched.
        prop_assert_eq!(r.topics.iter().map(|t| t.fanout).sum::<u64>(), r.matched, "replay: {}", replay);
        if config.persistent {
            let durable_lost: u64 = r.queues.iter().filter(|q| q.durable).map(|q| q.lost).sum();
            prop_assert_eq!(durable_lost, 0, "replay: {}", replay);
        }
        prop_assert_eq!(r.bus.handled + r.bus.lost, r.bus.matched, "replay: {}", replay);
        // The bus runs one callback per subscription (binding): summed per queue, they are the totals.
        let bus_sum: u64 = r.queues.iter().map(|q| q.bus.matched + q.bus.missed).sum();
        prop_assert_eq!(bus_sum, r.bus.matched + r.bus.missed);
    }

    #[test]
    fn the_same_schedule_replays_identically((seed, config, actions) in case()) {
        let run = || {
            let mut sim = PubSubSim::new(seed, &config, &actions).unwrap();
            sim.run();
            sim.report().fingerprint()
        };
        prop_assert_eq!(run(), run());
    }
}

#[test]
fn a_printed_failing_schedule_opens_as_the_same_scenario() {
    let p = sysplay::sim::pubsub::pubsub_preset("fanout-email-down").unwrap();
    let printed = replay_link(p.seed, &p.config, &p.actions);
    let link = printed.split_whitespace().next().unwrap();
    let scenario = sysplay::scenario::decode_link(link).expect("the printed link opens");
    assert_eq!(scenario.seed, p.seed);
    assert_eq!(scenario.lab(), sysplay::scenario::LabId::Pubsub);
}
