//! The shop's invariants over many random schedules of shop kills, restarts, slowdowns and broker
//! crashes. A failing case prints its scenario (seed, config, actions) as JSON to replay it.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use sysplay::sim::queue::{
    Delivery, Redistribution, ShopAction, ShopConfig, ShopSim, ShopSpec, TimedAction, check_all,
};

/// Every generated schedule ends by bringing everything back, so the run can settle.
const RECOVER_AT_MS: u64 = 400_000;

fn config(
    shops: usize,
    orders: u32,
    persistent: bool,
    delivery: Delivery,
    redistribution: Redistribution,
) -> ShopConfig {
    ShopConfig {
        orders,
        order_rate_per_min: 90,
        shops: (0..shops).map(|i| ShopSpec { name: format!("PS{i}"), ovens: 2, speed_pct: 100 }).collect(),
        persistent,
        delivery,
        redistribution,
        queue_capacity: 200,
        visibility_timeout_ms: 60_000,
        horizon_ms: 7_200_000,
        ..ShopConfig::default()
    }
}

fn action(kind: u8, shop: usize, factor_pct: u32) -> ShopAction {
    let shop = format!("PS{shop}");
    match kind {
        0 => ShopAction::KillShop { shop },
        1 => ShopAction::RestartShop { shop },
        2 => ShopAction::SlowShop { shop, factor_pct },
        3 => ShopAction::CrashBroker,
        _ => ShopAction::RestartBroker,
    }
}

fn delivery() -> impl Strategy<Value = Delivery> {
    prop_oneof![Just(Delivery::AtMostOnce), Just(Delivery::AtLeastOnce), Just(Delivery::EffectivelyOnce)]
}

fn redistribution() -> impl Strategy<Value = Redistribution> {
    prop_oneof![Just(Redistribution::Naive), Just(Redistribution::Ring)]
}

fn schedule(shops: usize) -> impl Strategy<Value = Vec<TimedAction>> {
    prop::collection::vec((0..RECOVER_AT_MS, 0u8..5, 0..shops, 50u32..800), 0..12).prop_map(move |raw| {
        let mut actions: Vec<TimedAction> = raw.into_iter().map(|(t, k, s, f)| (t, action(k, s, f))).collect();
        actions.sort_by_key(|(t, _)| *t);
        actions.push((RECOVER_AT_MS, ShopAction::RestartBroker));
        for s in 0..shops {
            actions.push((RECOVER_AT_MS, ShopAction::RestartShop { shop: format!("PS{s}") }));
            actions.push((RECOVER_AT_MS, ShopAction::SlowShop { shop: format!("PS{s}"), factor_pct: 100 }));
        }
        actions
    })
}

fn case() -> impl Strategy<Value = (u64, ShopConfig, Vec<TimedAction>)> {
    (2usize..6, 20u32..150, any::<bool>(), delivery(), redistribution(), any::<u64>()).prop_flat_map(
        |(shops, orders, persistent, delivery, redistribution, seed)| {
            let config = config(shops, orders, persistent, delivery, redistribution);
            (Just(seed), Just(config), schedule(shops))
        },
    )
}

/// A failing schedule as a share link that opens the same run in the page (and its JSON).
fn replay_json(seed: u64, config: &ShopConfig, actions: &[TimedAction]) -> String {
    common::replay_link(seed, sysplay::scenario::LabSetup::Queue { config: config.clone(), actions: actions.to_vec() })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn invariants_hold_under_random_failures((seed, config, actions) in case()) {
        let replay = replay_json(seed, &config, &actions);
        let mut sim = ShopSim::new(seed, &config, &actions).unwrap();
        // Check as it runs, not only at the end: the invariants hold in every reachable state.
        let mut steps = 0u64;
        while sim.step().is_some() {
            steps += 1;
            if steps.is_multiple_of(97) {
                let errors = check_all(&sim.snapshot());
                prop_assert!(errors.is_empty(), "{errors:?} at step {steps}; replay: {replay}");
            }
        }
        prop_assert!(sim.is_finished());
        let errors = check_all(&sim.snapshot());
        prop_assert!(errors.is_empty(), "{errors:?}; replay: {replay}");
        let r = sim.report();
        prop_assert_eq!(r.accepted + r.rejected, u64::from(config.orders), "replay: {}", replay);
        if config.persistent && config.delivery != Delivery::AtMostOnce {
            prop_assert_eq!(r.pending, 0, "settles after recovery; replay: {}", replay);
            prop_assert_eq!(r.completed + r.dead_lettered - overlap(&sim), r.accepted, "replay: {}", replay);
        }
    }

    #[test]
    fn the_same_schedule_replays_identically((seed, config, actions) in case()) {
        let run = || {
            let mut sim = ShopSim::new(seed, &config, &actions).unwrap();
            sim.run();
            serde_json::to_string(&sim.report()).unwrap()
        };
        prop_assert_eq!(run(), run());
    }
}

/// Orders both completed and dead-lettered (made, but every ack was lost or the lease ran out).
fn overlap(sim: &ShopSim) -> u64 {
    sim.snapshot()
        .orders
        .iter()
        .filter(|o| o.effects > 0 && o.status == sysplay::sim::queue::OrderStatus::DeadLettered)
        .count() as u64
}

#[test]
fn a_printed_failing_schedule_opens_as_the_same_scenario() {
    let p = sysplay::sim::queue::shop_preset("shop-dies").unwrap();
    let printed = replay_json(p.seed, &p.config, &p.actions);
    let link = printed.split_whitespace().next().unwrap();
    let scenario = sysplay::scenario::decode_link(link).expect("the printed link opens");
    assert_eq!(scenario.seed, p.seed);
    assert_eq!(scenario.lab(), sysplay::scenario::LabId::Queue);
}
