//! Named shop runs reproducing the notes' message-queue story, as plain constructors (the page wires
//! them into the scenario format). Each preset's outcome is pinned by a test below.

use super::config::{Delivery, Redistribution, ShopAction, ShopConfig, ShopSpec, TimedAction};
use super::shop::ShopSim;

/// A named shop run.
#[derive(Clone, Debug)]
pub struct ShopPreset {
    pub name: &'static str,
    pub explains: &'static str,
    pub seed: u64,
    pub config: ShopConfig,
    pub actions: Vec<TimedAction>,
}

impl ShopPreset {
    /// Runs the preset to the end.
    pub fn run(&self) -> ShopSim {
        let mut sim = ShopSim::new(self.seed, &self.config, &self.actions).expect("presets are valid");
        sim.run();
        sim
    }
}

/// The seed every shop preset uses.
pub const SHOP_PRESET_SEED: u64 = 2024;

fn kill(at_s: u64, shop: &str) -> TimedAction {
    (at_s * 1000, ShopAction::KillShop { shop: shop.into() })
}

fn slow(at_s: u64, shop: &str, factor_pct: u32) -> TimedAction {
    (at_s * 1000, ShopAction::SlowShop { shop: shop.into(), factor_pct })
}

fn broker_outage(crash_s: u64, restart_s: u64) -> [TimedAction; 2] {
    [(crash_s * 1000, ShopAction::CrashBroker), (restart_s * 1000, ShopAction::RestartBroker)]
}

fn preset(name: &'static str, explains: &'static str, config: ShopConfig, actions: Vec<TimedAction>) -> ShopPreset {
    ShopPreset { name, explains, seed: SHOP_PRESET_SEED, config, actions }
}

fn shop_dies(persistent: bool) -> (ShopConfig, Vec<TimedAction>) {
    let config = ShopConfig { persistent, redistribution: Redistribution::Ring, ..ShopConfig::default() };
    let mut actions = vec![kill(60, "PS3")];
    actions.extend(broker_outage(90, 100));
    (config, actions)
}

fn slow_shop(redistribution: Redistribution, delivery: Delivery) -> (ShopConfig, Vec<TimedAction>) {
    (ShopConfig { redistribution, delivery, ..ShopConfig::default() }, vec![slow(0, "PS0", 300), kill(60, "PS3")])
}

/// 100,000 orders at 50/s on 32 × 12 ovens: the mean order takes 0.3 × 1 s + 0.7 × 8 s = 5.9 s, so the
/// ovens are busy ρ = 50 × 5.9 / 384 ≈ 77% of the time.
fn friday_night() -> ShopConfig {
    ShopConfig {
        orders: 100_000,
        order_rate_per_min: 3_000,
        shops: (0..32).map(|i| ShopSpec { name: format!("PS{i}"), ovens: 12, speed_pct: 100 }).collect(),
        redistribution: Redistribution::Ring,
        queue_capacity: 10_000,
        vnodes: 256,
        sample_every_ms: 5_000,
        ..ShopConfig::default()
    }
}

/// All shop presets, in the order the page lists them.
pub fn shop_presets() -> Vec<ShopPreset> {
    let (dies, dies_actions) = shop_dies(true);
    let (dies_mem, dies_mem_actions) = shop_dies(false);
    let (naive, naive_actions) = slow_shop(Redistribution::Naive, Delivery::AtLeastOnce);
    let (ring, ring_actions) = slow_shop(Redistribution::Ring, Delivery::AtLeastOnce);
    let (once, once_actions) = slow_shop(Redistribution::Naive, Delivery::EffectivelyOnce);
    vec![
        preset(
            "rush-hour",
            "More orders than the shops can make: the bounded queue fills and rejects (backpressure); urgent orders go first.",
            ShopConfig { orders: 600, order_rate_per_min: 100, queue_capacity: 40, ..ShopConfig::default() },
            Vec::new(),
        ),
        preset(
            "shop-dies",
            "PS3 dies at 60 s and the broker restarts at 90-100 s; the queue is on disk, so no order is lost.",
            dies,
            dies_actions,
        ),
        preset(
            "shop-dies-in-memory",
            "The same, with the queue in memory: the broker's restart loses every order it held.",
            dies_mem,
            dies_mem_actions,
        ),
        preset(
            "slow-shop-duplicates",
            "PS0 is slow and PS3 dies: the notifier re-sends every not-done order, so pizzas already in an oven are made twice.",
            naive,
            naive_actions,
        ),
        preset(
            "ring-redistribution",
            "The same with a consistent-hash ring: only PS3's orders move (to its successor), no pizza is made twice.",
            ring,
            ring_actions,
        ),
        preset(
            "slow-shop-effectively-once",
            "Naive redistribution again, with an idempotent consumer: repeats are recognised by order id and skipped.",
            once,
            once_actions,
        ),
        preset(
            "friday-night-100k",
            "A chain of 32 shops with 12 ovens each takes 100,000 orders at 50 per second; PS7 dies at 10 minutes and \
             the ring moves only its orders. The page computes the run in slices and shows its progress.",
            friday_night(),
            vec![kill(600, "PS7")],
        ),
        preset(
            "poison-order",
            "Order 7 always fails: retried with backoff, then parked in the dead-letter queue after 4 attempts.",
            ShopConfig { poison_orders: vec![7], max_attempts: 4, ..ShopConfig::default() },
            Vec::new(),
        ),
    ]
}

/// The shop preset with this name.
pub fn shop_preset(name: &str) -> Option<ShopPreset> {
    shop_presets().into_iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::super::invariants::check_all;
    use super::super::report::ShopReport;
    use super::*;

    fn run(name: &str) -> ShopReport {
        let sim = shop_preset(name).unwrap().run();
        assert!(sim.is_finished());
        let errors = check_all(&sim.snapshot());
        assert!(errors.is_empty(), "{name}: {errors:?}");
        sim.report()
    }

    #[test]
    fn rush_hour_rejects_and_serves_urgent_first() {
        let r = run("rush-hour");
        assert!(r.rejected_queue_full > 0, "{r:#?}");
        assert_eq!((r.lost, r.duplicates, r.pending), (0, 0, 0));
        assert_eq!(r.completed, r.accepted);
        assert!(r.urgent_latency_p50_s < r.normal_latency_p50_s / 2.0, "{r:#?}");
    }

    #[test]
    fn shop_dies_loses_nothing_with_a_persistent_queue() {
        let r = run("shop-dies");
        assert_eq!((r.lost, r.pending, r.dead_lettered), (0, 0, 0), "{r:#?}");
        assert_eq!(r.completed, r.accepted);
        assert_eq!(r.detections.len(), 1);
        assert!(r.detections[0].after_s > 0.0 && r.detections[0].after_s <= 30.0, "within 2H: {r:#?}");
        assert!(r.redistributed > 0);
    }

    #[test]
    fn shop_dies_in_memory_loses_the_held_orders() {
        let r = run("shop-dies-in-memory");
        assert!(r.lost > 0, "{r:#?}");
        assert!(r.lost <= r.broker.lost_in_crash, "an order lost with the broker may still come out of an oven");
        assert_eq!(r.completed + r.lost + r.dead_lettered, r.accepted);
    }

    #[test]
    fn naive_redistribution_makes_duplicates() {
        let r = run("slow-shop-duplicates");
        assert!(r.duplicates > 0, "{r:#?}");
        assert_eq!(r.lost, 0);
    }

    #[test]
    fn ring_redistribution_moves_only_the_dead_shops_orders() {
        let r = run("ring-redistribution");
        assert_eq!(r.duplicates, 0, "{r:#?}");
        assert!(r.redistributed > 0);
        assert_eq!(r.lost, 0);
        assert_eq!(r.completed, r.accepted);
    }

    #[test]
    fn effectively_once_suppresses_the_repeats() {
        let r = run("slow-shop-effectively-once");
        assert_eq!(r.duplicates, 0);
        assert!(r.duplicates_suppressed > 0, "{r:#?}");
    }

    #[test]
    fn poison_order_ends_in_the_dead_letter_queue() {
        let r = run("poison-order");
        assert_eq!(r.dead_lettered, 1, "{r:#?}");
        assert_eq!(r.broker.retries, 3);
        assert_eq!(r.completed + 1, r.accepted);
        assert_eq!(r.lost, 0);
    }

    #[test]
    fn a_hundred_thousand_orders_all_settle_and_only_the_dead_shops_move() {
        let r = run("friday-night-100k");
        assert_eq!((r.produced, r.accepted, r.completed), (100_000, 100_000, 100_000), "{r:#?}");
        assert_eq!((r.lost, r.duplicates, r.dead_lettered, r.rejected), (0, 0, 0, 0));
        assert_eq!(r.detections.len(), 1);
        assert!(r.detections[0].after_s > 0.0 && r.detections[0].after_s <= 30.0, "within 2H: {r:#?}");
        assert!(r.redistributed > 0);
        // A stable queue's departure rate is its arrival rate (50/s); the last minute's drain costs ~2%.
        assert!((r.throughput_per_s / 50.0 - 1.0).abs() < 0.03, "{}", r.throughput_per_s);
    }

    #[test]
    fn running_in_slices_gives_the_same_run() {
        let p = shop_preset("shop-dies").unwrap();
        let mut sliced = ShopSim::new(p.seed, &p.config, &p.actions).unwrap();
        let mut slices = 0;
        while !sliced.run_for(97) {
            slices += 1;
        }
        assert!(slices > 10);
        assert_eq!(sliced.report(), p.run().report());
    }

    #[test]
    fn a_run_replays_bit_for_bit() {
        for p in shop_presets() {
            let a = serde_json::to_string(&p.run().report()).unwrap();
            let b = serde_json::to_string(&p.run().report()).unwrap();
            assert_eq!(a, b, "{}", p.name);
        }
    }
}
