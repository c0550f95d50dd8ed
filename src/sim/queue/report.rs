//! What a shop run shows: a snapshot of every order's fate and every shop (for the page and for the
//! invariants), and the summary metrics (for the page, the command line and the presets' tests).

use super::broker::{BrokerCounters, HeldState, Move};
use super::config::{Delivery, Redistribution};
use super::events::Order;
use super::shop::ShopSim;
use super::stats::{percentiles_s, secs};
use crate::sim::kernel::SimTime;
use serde::Serialize;

/// Where an order is now, or how it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OrderStatus {
    /// Refused at the door (queue full or broker down); never accepted.
    Rejected,
    /// Held by the broker: ready, backing off or delivered and not yet acknowledged.
    Held { state: HeldState, shop: Option<u32> },
    /// Being made in an oven (and no longer held: at-most-once, or the broker forgot it).
    Making,
    /// Took effect `effects` times (more than once: a duplicate).
    Done { effects: u32 },
    /// Failed `max_attempts` times and sits in the dead-letter queue.
    DeadLettered,
    /// Accepted, never took effect, and nobody holds it any more.
    Lost,
}

/// One order in a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OrderView {
    pub order: Order,
    pub status: OrderStatus,
    /// Times it took effect (also counted for dead-lettered orders whose ack was lost).
    pub effects: u32,
}

/// One shop in a snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShopView {
    pub name: String,
    pub alive: bool,
    /// The notifier's belief.
    pub declared_dead: bool,
    pub slow_pct: u32,
    /// Order ids in the ovens.
    pub making: Vec<u64>,
    /// Orders waiting in this shop's ready queue at the broker.
    pub queued: usize,
    pub finished: u64,
}

/// The whole state of a run at one virtual time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShopSnapshot {
    pub now_us: SimTime,
    pub finished: bool,
    pub persistent: bool,
    pub delivery: Delivery,
    pub redistribution: Redistribution,
    pub broker_up: bool,
    pub shops: Vec<ShopView>,
    pub orders: Vec<OrderView>,
    pub dead_letters: Vec<u64>,
    pub moves: Vec<Move>,
    pub counters: BrokerCounters,
}

/// A detected death, in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DetectionReport {
    pub shop: String,
    pub killed_at_s: f64,
    pub detected_at_s: f64,
    pub after_s: f64,
}

/// The summary of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShopReport {
    pub time_s: f64,
    pub finished: bool,
    pub produced: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub rejected_queue_full: u64,
    pub rejected_broker_down: u64,
    /// Orders that took effect at least once.
    pub completed: u64,
    pub delivered_once: u64,
    /// Extra effects: an order made and handed over twice counts 1.
    pub duplicates: u64,
    /// Repeat deliveries the idempotent consumer skipped (effectively-once).
    pub duplicates_suppressed: u64,
    pub lost: u64,
    /// Still held or in an oven when the run stopped (only at the horizon).
    pub pending: u64,
    pub dead_lettered: u64,
    pub redistributed: u64,
    /// Subscribers that missed an event: pub/sub comes later, always 0 here.
    pub missed: u64,
    pub broker: BrokerCounters,
    pub detections: Vec<DetectionReport>,
    pub detect_mean_s: Option<f64>,
    /// Completed orders per second of the run.
    pub throughput_per_s: f64,
    /// Order creation to first effect, nearest rank.
    pub latency_p50_s: f64,
    pub latency_p95_s: f64,
    pub latency_p99_s: f64,
    pub urgent_latency_p50_s: f64,
    pub normal_latency_p50_s: f64,
    pub shops: Vec<ShopView>,
    /// (time s, orders held by the broker), sampled.
    pub queue_depth: Vec<(f64, u32)>,
    pub events: u64,
}

impl ShopSim {
    /// The state of every order and shop now.
    pub fn snapshot(&self) -> ShopSnapshot {
        let in_oven: std::collections::BTreeSet<u64> =
            self.shops.iter().flat_map(|s| s.making.iter().map(|(o, _)| o.id)).collect();
        let held: std::collections::BTreeMap<u64, _> = self.broker.held().map(|h| (h.order.id, h)).collect();
        let dead: std::collections::BTreeSet<u64> = self.broker.dead_letters.iter().copied().collect();
        let orders = self
            .orders
            .iter()
            .map(|&order| {
                let effects = self.ledger.effects(order.id);
                let status = if !self.accepted[order.id as usize] {
                    OrderStatus::Rejected
                } else if dead.contains(&order.id) {
                    OrderStatus::DeadLettered
                } else if effects > 0 {
                    OrderStatus::Done { effects }
                } else if let Some(h) = held.get(&order.id) {
                    OrderStatus::Held { state: h.state, shop: h.assigned }
                } else if in_oven.contains(&order.id) {
                    OrderStatus::Making
                } else {
                    OrderStatus::Lost
                };
                OrderView { order, status, effects }
            })
            .collect();
        let ready = self.broker.ready_counts();
        ShopSnapshot {
            now_us: self.now(),
            finished: self.finished,
            persistent: self.config.persistent,
            delivery: self.config.delivery,
            redistribution: self.config.redistribution,
            broker_up: self.broker.is_up(),
            shops: self
                .shops
                .iter()
                .enumerate()
                .map(|(i, s)| ShopView {
                    name: s.name.clone(),
                    alive: s.alive,
                    declared_dead: !self.notifier.live()[i],
                    slow_pct: s.slow_pct,
                    making: s.making.iter().map(|(o, _)| o.id).collect(),
                    queued: ready[i],
                    finished: s.finished,
                })
                .collect(),
            orders,
            dead_letters: self.broker.dead_letters.to_vec(),
            moves: self.broker.moves.to_vec(),
            counters: self.broker.counters,
        }
    }

    /// The summary metrics now.
    pub fn report(&self) -> ShopReport {
        let snap = self.snapshot();
        let count = |f: &dyn Fn(&OrderView) -> bool| snap.orders.iter().filter(|o| f(o)).count() as u64;
        let mut latencies = Vec::new();
        let (mut urgent, mut normal) = (Vec::new(), Vec::new());
        let mut last_effect = 0;
        for o in &snap.orders {
            if let Some(at) = self.ledger.first_effect_at(o.order.id) {
                let l = at - o.order.created_at;
                latencies.push(l);
                if o.order.urgent {
                    urgent.push(l)
                } else {
                    normal.push(l)
                }
                last_effect = last_effect.max(at);
            }
        }
        let [p50, p95, p99] = percentiles_s(&mut latencies);
        let completed = latencies.len() as u64;
        let detections: Vec<DetectionReport> = self
            .detections
            .iter()
            .map(|d| DetectionReport {
                shop: self.shops[d.shop as usize].name.clone(),
                killed_at_s: secs(d.killed_at),
                detected_at_s: secs(d.declared_at),
                after_s: secs(d.declared_at - d.killed_at),
            })
            .collect();
        let detect_mean_s = (!detections.is_empty())
            .then(|| detections.iter().map(|d| d.after_s).sum::<f64>() / detections.len() as f64);
        ShopReport {
            time_s: secs(self.now()),
            finished: self.finished,
            produced: snap.orders.len() as u64,
            accepted: count(&|o| o.status != OrderStatus::Rejected),
            rejected: self.rejected_full + self.rejected_down,
            rejected_queue_full: self.rejected_full,
            rejected_broker_down: self.rejected_down,
            completed,
            delivered_once: count(&|o| o.effects == 1),
            duplicates: snap.orders.iter().map(|o| u64::from(o.effects.saturating_sub(1))).sum(),
            duplicates_suppressed: self.ledger.suppressed,
            lost: count(&|o| o.status == OrderStatus::Lost),
            pending: count(&|o| matches!(o.status, OrderStatus::Held { .. } | OrderStatus::Making)),
            dead_lettered: snap.dead_letters.len() as u64,
            redistributed: snap.moves.len() as u64,
            missed: 0,
            broker: snap.counters,
            detections,
            detect_mean_s,
            throughput_per_s: if last_effect > 0 { completed as f64 / secs(last_effect) } else { 0.0 },
            latency_p50_s: p50,
            latency_p95_s: p95,
            latency_p99_s: p99,
            urgent_latency_p50_s: percentiles_s(&mut urgent)[0],
            normal_latency_p50_s: percentiles_s(&mut normal)[0],
            shops: snap.shops,
            queue_depth: self.depth.iter().map(|&(t, d)| (secs(t), d)).collect(),
            events: self.events,
        }
    }
}

impl ShopReport {
    /// The numbers the page shows, as bytes, in a fixed order: counts as u64 little-endian, times and
    /// percentiles as the bits of their f64. Adding a field to the report does not change it.
    pub fn fingerprint(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut put = |v: u64| out.extend_from_slice(&v.to_le_bytes());
        for v in [
            self.produced,
            self.accepted,
            self.rejected,
            self.completed,
            self.duplicates,
            self.duplicates_suppressed,
            self.lost,
            self.pending,
            self.dead_lettered,
            self.redistributed,
            self.missed,
            self.events,
        ] {
            put(v);
        }
        for v in [self.time_s, self.latency_p50_s, self.latency_p95_s, self.latency_p99_s, self.throughput_per_s] {
            put(v.to_bits());
        }
        put(self.detect_mean_s.map_or(u64::MAX, f64::to_bits));
        for s in &self.shops {
            put(crate::sim::hash::hash_str(&s.name));
            put(s.finished);
        }
        for &(t, d) in &self.queue_depth {
            put(t.to_bits());
            put(u64::from(d));
        }
        out
    }
}
