//! The pizza shop's configuration and the actions a user can take at any virtual time. Every quantity
//! is an integer (ms, percent, per minute), so a scenario is exact data that round-trips through JSON.

use crate::sim::check_range;
use serde::{Deserialize, Serialize};

/// Limits on everything a user can set in the shop.
pub mod limits {
    /// Most shops (consumers).
    pub const SHOPS_MAX: usize = 32;
    /// Most ovens (parallel orders) in one shop.
    pub const OVENS_MAX: u32 = 64;
    /// Most orders the producers send in one run.
    pub const ORDERS_MAX: u32 = 100_000;
    /// Highest order rate, per minute (1000 per second).
    pub const RATE_PER_MIN_MAX: u32 = 60_000;
    /// Largest queue (orders held by the broker at once).
    pub const CAPACITY_MAX: u32 = 100_000;
    /// Longest run, in ms (one virtual day).
    pub const HORIZON_MS_MAX: u64 = 86_400_000;
    /// Longest mean service time or timeout, in ms (one hour).
    pub const DURATION_MS_MAX: u64 = 3_600_000;
    /// Most delivery attempts before the dead-letter queue.
    pub const ATTEMPTS_MAX: u32 = 100;
    /// Most points per shop on the ring.
    pub const VNODES_MAX: u32 = 1000;
    /// Most samples in the queue-depth series.
    pub const SAMPLES_MAX: u64 = 10_000;
    pub use crate::limits::ACTIONS_MAX;
    /// Longest shop name, in characters.
    pub const NAME_LEN_MAX: usize = 24;
    /// Slowdown factor range, percent of normal service time.
    pub const SLOW_PCT_MIN: u32 = 10;
    pub const SLOW_PCT_MAX: u32 = 10_000;
}

/// What the broker promises about each order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    /// Ack on receipt: the broker forgets the order as it hands it out; a crash mid-work loses it.
    AtMostOnce,
    /// Ack after the work: nothing is lost, but an order can be made twice.
    AtLeastOnce,
    /// At-least-once plus an idempotent consumer that skips an order id already made: no double effect.
    EffectivelyOnce,
}

/// How the notifier hands out orders and moves a dead shop's orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Redistribution {
    /// New orders to the least-loaded shop; when a shop dies, every not-done order is re-sent round-robin
    /// (the notes' first attempt), so an order already being made elsewhere is made twice.
    Naive,
    /// Orders placed by a consistent-hash ring of shop names; a dead shop's orders go to its ring
    /// successor and every other order stays where it is.
    Ring,
}

/// One shop (a consumer).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShopSpec {
    pub name: String,
    /// Orders made in parallel.
    pub ovens: u32,
    /// Speed in percent of normal: 200 makes everything in half the time.
    pub speed_pct: u32,
}

/// The whole starting configuration of a shop run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShopConfig {
    /// Orders the producers send, then they stop.
    pub orders: u32,
    /// Poisson order rate, per minute.
    pub order_rate_per_min: u32,
    /// Share of urgent orders (served first), percent.
    pub urgent_pct: u32,
    /// Share of cokes (quick) among orders, percent; the rest are pizzas (long).
    pub coke_pct: u32,
    /// Mean time to make a pizza, ms (exponential).
    pub pizza_ms: u64,
    /// Mean time to serve a coke, ms (exponential).
    pub coke_ms: u64,
    pub shops: Vec<ShopSpec>,
    /// Queue on disk (survives a broker crash) or in memory (lost with it).
    pub persistent: bool,
    pub delivery: Delivery,
    pub redistribution: Redistribution,
    /// Most orders the broker holds at once; beyond it new orders are rejected (backpressure).
    pub queue_capacity: u32,
    /// Lease on a delivered order: not acknowledged by then, it is delivered again.
    pub visibility_timeout_ms: u64,
    /// Deliveries of one order before it goes to the dead-letter queue.
    pub max_attempts: u32,
    /// Retry delay after the first failure; it doubles per attempt up to the cap, with jitter.
    pub backoff_base_ms: u64,
    pub backoff_cap_ms: u64,
    /// How often a live shop sends a heartbeat.
    pub heartbeat_every_ms: u64,
    /// How often the notifier checks heartbeats (H); a shop silent since the last check is dead.
    pub check_every_ms: u64,
    /// Order numbers (0-based, in production order) that always fail.
    #[serde(default)]
    pub poison_orders: Vec<u64>,
    /// Points per shop on the ring.
    pub vnodes: u32,
    /// The run stops here even if orders are still pending, ms.
    pub horizon_ms: u64,
    /// Interval of the queue-depth series, ms.
    pub sample_every_ms: u64,
}

impl Default for ShopConfig {
    /// Four shops of two ovens at about 75% load; persistent, at-least-once, naive redistribution.
    fn default() -> Self {
        Self {
            orders: 200,
            order_rate_per_min: 60,
            urgent_pct: 20,
            coke_pct: 30,
            pizza_ms: 8_000,
            coke_ms: 1_000,
            shops: (0..4).map(|i| ShopSpec { name: format!("PS{i}"), ovens: 2, speed_pct: 100 }).collect(),
            persistent: true,
            delivery: Delivery::AtLeastOnce,
            redistribution: Redistribution::Naive,
            queue_capacity: 1_000,
            visibility_timeout_ms: 300_000,
            max_attempts: 5,
            backoff_base_ms: 1_000,
            backoff_cap_ms: 30_000,
            heartbeat_every_ms: 5_000,
            check_every_ms: 15_000,
            poison_orders: Vec::new(),
            vnodes: 64,
            horizon_ms: 3_600_000,
            sample_every_ms: 1_000,
        }
    }
}

/// One thing a user does to the running shop.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ShopAction {
    /// The shop stops: its ovens' work is lost and it sends no more heartbeats.
    KillShop { shop: String },
    /// A killed shop comes back empty and heartbeats again.
    RestartShop { shop: String },
    /// Orders the shop starts from now on take `factor_pct`% of their time (100 = normal).
    SlowShop { shop: String, factor_pct: u32 },
    /// The broker stops; an in-memory broker loses every order it held.
    CrashBroker,
    /// The broker comes back (with its orders when persistent).
    RestartBroker,
}

impl ShopAction {
    /// One line saying what the action does, for the history.
    pub fn describe(&self) -> String {
        match self {
            Self::KillShop { shop } => format!("kill {shop}"),
            Self::RestartShop { shop } => format!("restart {shop}"),
            Self::SlowShop { shop, factor_pct } => format!("{shop} at {factor_pct}% of normal time"),
            Self::CrashBroker => "crash the broker".into(),
            Self::RestartBroker => "restart the broker".into(),
        }
    }
}

/// An action and its virtual time in ms since the start.
pub type TimedAction = (u64, ShopAction);

impl ShopConfig {
    /// Refuses anything outside the limits, with a sentence saying which.
    pub fn validate(&self) -> Result<(), String> {
        use limits::*;
        let n = self.shops.len();
        check_range("the number of shops", n as u64, 1, SHOPS_MAX as u64)?;
        for (i, s) in self.shops.iter().enumerate() {
            if s.name.is_empty() || s.name.chars().count() > NAME_LEN_MAX {
                return Err(format!("shop names are 1 to {NAME_LEN_MAX} characters"));
            }
            if self.shops[..i].iter().any(|t| t.name == s.name) {
                return Err(format!("two shops are named \"{}\"", s.name));
            }
            check_range("ovens per shop", u64::from(s.ovens), 1, u64::from(OVENS_MAX))?;
            check_range("shop speed (percent)", u64::from(s.speed_pct), 10, 1000)?;
        }
        check_range("orders", u64::from(self.orders), 1, u64::from(ORDERS_MAX))?;
        check_range("order rate per minute", u64::from(self.order_rate_per_min), 1, u64::from(RATE_PER_MIN_MAX))?;
        check_range("urgent share (percent)", u64::from(self.urgent_pct), 0, 100)?;
        check_range("coke share (percent)", u64::from(self.coke_pct), 0, 100)?;
        check_range("pizza time (ms)", self.pizza_ms, 1, DURATION_MS_MAX)?;
        check_range("coke time (ms)", self.coke_ms, 1, DURATION_MS_MAX)?;
        check_range("queue capacity", u64::from(self.queue_capacity), 1, u64::from(CAPACITY_MAX))?;
        check_range("visibility timeout (ms)", self.visibility_timeout_ms, 1, DURATION_MS_MAX)?;
        check_range("attempts before the dead-letter queue", u64::from(self.max_attempts), 1, u64::from(ATTEMPTS_MAX))?;
        check_range("backoff base (ms)", self.backoff_base_ms, 1, DURATION_MS_MAX)?;
        check_range("backoff cap (ms)", self.backoff_cap_ms, self.backoff_base_ms, DURATION_MS_MAX)?;
        check_range("heartbeat interval (ms)", self.heartbeat_every_ms, 1, DURATION_MS_MAX)?;
        check_range("heartbeat check interval H (ms)", self.check_every_ms, self.heartbeat_every_ms, DURATION_MS_MAX)?;
        check_range("ring points per shop", u64::from(self.vnodes), 1, u64::from(VNODES_MAX))?;
        check_range("horizon (ms)", self.horizon_ms, 1, HORIZON_MS_MAX)?;
        let min_sample = self.horizon_ms.div_ceil(SAMPLES_MAX).max(1);
        check_range("sample interval (ms)", self.sample_every_ms, min_sample, HORIZON_MS_MAX)?;
        if self.poison_orders.len() > ACTIONS_MAX {
            return Err(format!("at most {ACTIONS_MAX} poison orders"));
        }
        // The work of the run without actions: actions only add to it (`ShopSim::new` checks all).
        super::budget::estimate_work(self, &[]).check()
    }

    /// Index of the shop with this name.
    pub fn shop_index(&self, name: &str) -> Result<usize, String> {
        self.shops.iter().position(|s| s.name == name).ok_or_else(|| format!("there is no shop named \"{name}\""))
    }

    /// Checks a list of timed actions against this configuration: known shops, sane factors, in order.
    pub fn validate_actions(&self, actions: &[TimedAction]) -> Result<(), String> {
        if actions.len() > limits::ACTIONS_MAX {
            return Err(format!("too many actions: {} (the limit is {})", actions.len(), limits::ACTIONS_MAX));
        }
        let mut last = 0;
        for (i, (at, action)) in actions.iter().enumerate() {
            let place = |e: String| format!("action {} ({}): {e}", i + 1, action.describe());
            if *at < last {
                return Err(place("happens before the action preceding it".into()));
            }
            last = *at;
            check_range("action time (ms)", *at, 0, self.horizon_ms).map_err(place)?;
            match action {
                ShopAction::KillShop { shop } | ShopAction::RestartShop { shop } => {
                    self.shop_index(shop).map_err(place)?;
                }
                ShopAction::SlowShop { shop, factor_pct } => {
                    self.shop_index(shop).map_err(place)?;
                    let (lo, hi) = (limits::SLOW_PCT_MIN, limits::SLOW_PCT_MAX);
                    check_range("slowdown (percent)", u64::from(*factor_pct), u64::from(lo), u64::from(hi))
                        .map_err(place)?;
                }
                ShopAction::CrashBroker | ShopAction::RestartBroker => {}
            }
        }
        Ok(())
    }
}
