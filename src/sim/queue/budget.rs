//! An upper bound on the work of a pizza-shop run, from its configuration and actions alone.
//!
//! What makes events (`events::Event`), with T the horizon:
//! - `Produce`: one per order; `Action`: one per action; `Sample`: every sample interval over T;
//!   `Check`: every H over T.
//! - `Heartbeat`: a chain per shop life, one every heartbeat interval while the shop lives and one
//!   stale tick after it is killed. A shop's lives do not overlap, so a shop sends at most
//!   T / interval + 2 per life (its first life and one per `RestartShop`).
//! - Per delivery D: `Deliver`, `WorkDone`, `Ack`/`Nack`, the `Pull` that frees the oven, and (unless
//!   at most once) `LeaseExpired` and `RetryDue`: six events. Other pulls: every oven at the start, on
//!   every broker restart and on every shop restart.
//!
//! Deliveries of one order: the first; one more per failure that is retried, and a failure is retried
//! only while the order has had fewer than `max_attempts` deliveries; a failure of a good (not poison)
//! order is a lease running out, at least the visibility timeout after its delivery, and the retry waits
//! at least half the backoff base, so a good order has at most T / (visibility + base / 2) retries.
//! Beyond those, an order in an oven can be delivered again when the notifier declares a shop dead and
//! moves it, at most once per declaration; a shop is declared dead only after it was killed, so there
//! are at most as many declarations as `KillShop` actions, each moving at most every held order (at
//! most min(orders, queue capacity)). At most once, an order leaves the broker at its only delivery.
//!
//! Work besides events: each declaration moves held orders (and records each move), each change of
//! the live shops rebuilds the assignment ring (shops x ring points, ring mode only), each broker
//! restart walks the held orders. These are counted in events by their measured cost.

use super::config::{Delivery, Redistribution, ShopAction, ShopConfig, TimedAction};
use crate::sim::budget::{WorkEstimate, ticks};

/// Events a delivery makes: `Deliver`, `WorkDone`, `Ack`/`Nack`, `Pull`, `LeaseExpired`, `RetryDue`.
const EVENTS_PER_DELIVERY: u64 = 6;
/// At most once: `Deliver`, `WorkDone`, `Pull`.
const EVENTS_PER_DELIVERY_AT_MOST_ONCE: u64 = 3;
/// Moving one held order when a shop is declared dead (B-tree updates and a recorded move), counted as
/// this many events: on the release build, twelve declarations moving up to 100,000 held orders each
/// took 1.6 s with the rest of their run (the `run_budget` bench on a scenario of slow shops killed in
/// turn), well under what this counts.
const EVENTS_PER_MOVE: u64 = 2;
/// Points of the assignment ring built (a formatted name hashed, then sorted) per event: 301 rebuilds
/// of 32 shops x 1000 points took 0.75 s with the rest of their run, about 1.2 million events' time.
const RING_POINTS_PER_EVENT: u64 = 8;

/// An upper bound on the events (and equivalent work) of running `config` with `actions`.
pub fn estimate_work(config: &ShopConfig, actions: &[TimedAction]) -> WorkEstimate {
    let mut w = WorkEstimate::new();
    let horizon_us = config.horizon_ms.saturating_mul(1000);
    let orders = u64::from(config.orders);
    let shops = config.shops.len() as u64;
    let ovens: u64 = config.shops.iter().map(|s| u64::from(s.ovens)).sum();
    let ovens_of = |name: &str| config.shops.iter().find(|s| s.name == name).map_or(0, |s| u64::from(s.ovens));
    let (mut kills, mut shop_restarts, mut broker_restarts, mut restarted_ovens) = (0u64, 0u64, 0u64, 0u64);
    for (_, action) in actions {
        match action {
            ShopAction::KillShop { .. } => kills += 1,
            ShopAction::RestartShop { shop } => {
                shop_restarts += 1;
                restarted_ovens += ovens_of(shop);
            }
            ShopAction::RestartBroker => broker_restarts += 1,
            ShopAction::SlowShop { .. } | ShopAction::CrashBroker => {}
        }
    }
    let mut poison: Vec<u64> = config.poison_orders.iter().copied().filter(|&id| id < orders).collect();
    poison.sort_unstable();
    poison.dedup();
    let poison = poison.len() as u64;
    let held = orders.min(u64::from(config.queue_capacity));
    let attempts = u64::from(config.max_attempts.max(1));

    w.add("lower the orders", orders);
    w.add("record fewer actions", actions.len() as u64);
    w.add("raise the sample interval", ticks(config.horizon_ms, config.sample_every_ms));
    w.add(
        "raise the heartbeat check interval H or shorten the horizon",
        ticks(config.horizon_ms, config.check_every_ms),
    );
    w.add(
        "raise the heartbeat interval or shorten the horizon",
        shops.saturating_mul(config.horizon_ms / config.heartbeat_every_ms.max(1)) + 2 * (shops + shop_restarts),
    );
    w.add(
        "restart the broker fewer times or lower the ovens",
        ovens.saturating_mul(1 + broker_restarts) + restarted_ovens,
    );

    // Deliveries, each making a fixed number of events.
    let (per_delivery, retried_good, retried_poison, moved) = if config.delivery == Delivery::AtMostOnce {
        (EVENTS_PER_DELIVERY_AT_MOST_ONCE, 0, 0, 0)
    } else {
        let spacing_us = (config.visibility_timeout_ms * 1000).saturating_add(config.backoff_base_ms * 1000 / 2);
        let good_retries = (attempts - 1).min(horizon_us / spacing_us.max(1));
        (EVENTS_PER_DELIVERY, (orders - poison) * good_retries, poison * (attempts - 1), kills.saturating_mul(held))
    };
    w.add("lower the orders", orders.saturating_mul(per_delivery));
    w.add(
        "lower the attempts before the dead-letter queue or raise the visibility timeout",
        retried_good.saturating_mul(per_delivery),
    );
    w.add(
        "lower the attempts before the dead-letter queue or the poison orders",
        retried_poison.saturating_mul(per_delivery),
    );
    w.add("kill fewer shops or lower the queue capacity", moved.saturating_mul(per_delivery));

    // Work that is not events.
    w.add("kill fewer shops or lower the queue capacity", kills.saturating_mul(held).saturating_mul(EVENTS_PER_MOVE));
    if config.redistribution == Redistribution::Ring {
        let rebuilds = 1 + 2 * kills;
        let points = shops * u64::from(config.vnodes);
        w.add(
            "lower the ring points per shop or kill fewer shops",
            rebuilds.saturating_mul(points) / RING_POINTS_PER_EVENT,
        );
    }
    w.add("restart the broker fewer times or lower the queue capacity", broker_restarts.saturating_mul(held));
    w
}
