//! The message-queue lab behind the lab contract (`scenario::Lab`): the pizza shop as a timed lab.

use super::{ShopAction, ShopConfig, ShopReport, ShopSim, check_all, shop_presets};
use crate::scenario::{ActionTime, Lab, LabPreset};

/// The message-queue lab: the notes' pizza shop.
pub struct MessageQueue;

/// A short title for each preset of the shop.
fn title(name: &str) -> &'static str {
    match name {
        "rush-hour" => "Rush hour",
        "shop-dies" => "A shop dies (queue on disk)",
        "shop-dies-in-memory" => "A shop dies (queue in memory)",
        "slow-shop-duplicates" => "Slow shop: duplicate pizzas",
        "ring-redistribution" => "Ring: no duplicates",
        "slow-shop-effectively-once" => "Effectively once",
        "poison-order" => "Poison order",
        "friday-night-100k" => "100,000 orders",
        _ => "Pizza shop",
    }
}

impl Lab for MessageQueue {
    const TITLE: &'static str = "Message queue";
    const SUMMARY: &'static str = "The pizza shop of the notes. Producers send orders to a broker, shops make them; kill a \
        shop and watch the notifier's heartbeat check find it and redistribute its orders, crash \
        an in-memory broker and lose orders, compare at-most-once, at-least-once and \
        effectively-once delivery, naive and consistent-hash redistribution, retries and the \
        dead-letter queue, and check the waiting times against Erlang C.";
    const INTRO: &'static str = "<h1>Message queue: the pizza shop</h1><p>Producers place orders with a <strong>broker</strong> \
        (the queue); <strong>shops</strong> take them, make them and acknowledge. A \
        <strong>notifier</strong> checks heartbeats every H seconds and redistributes a dead shop's \
        not-done orders. Kill a shop, crash the broker, and compare what each delivery guarantee \
        promises with what happened.</p>";
    const TIMED: bool = true;
    type Config = ShopConfig;
    type Action = ShopAction;
    type Sim = ShopSim;
    type Report = ShopReport;

    fn presets() -> Vec<LabPreset<Self>> {
        shop_presets()
            .into_iter()
            .map(|p| LabPreset {
                name: p.name,
                title: title(p.name),
                explains: p.explains,
                seed: p.seed,
                config: p.config,
                actions: p.actions,
            })
            .collect()
    }
    fn describe(action: &ShopAction) -> String {
        action.describe()
    }
    fn horizon_ms(config: &ShopConfig) -> ActionTime {
        config.horizon_ms
    }
    fn start(seed: u64, config: &ShopConfig, actions: &[(ActionTime, ShopAction)]) -> Result<ShopSim, String> {
        ShopSim::new(seed, config, actions)
    }
    fn report(sim: &ShopSim) -> ShopReport {
        sim.report()
    }
    fn violations(sim: &ShopSim, _: &ShopReport) -> Vec<String> {
        check_all(&sim.snapshot())
    }
    fn fingerprint(_: &ShopSim, report: &ShopReport) -> Vec<u8> {
        report.fingerprint()
    }
}
