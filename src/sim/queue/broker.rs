//! The broker: the persistent (or in-memory) list of not-done orders, per-shop ready queues by priority,
//! leases with a visibility timeout, retries with exponential backoff and jitter, the dead-letter queue,
//! and the assignment of orders to shops (least-loaded or consistent-hash ring).

use super::assign::Assigner;
use super::config::{Delivery, Redistribution, ShopConfig};
use super::events::{Event, Order, Outbox};
use crate::sim::cow::CowVec;
use crate::sim::kernel::{SimRng, SimTime};
use crate::sim::timeline::{btree_bytes, vec_bytes};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Where a held order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HeldState {
    /// Waiting in its shop's ready queue (or unassigned when no shop is live).
    Ready,
    /// Failed; ready again at `due`.
    Backoff { due: SimTime },
    /// Delivered to `shop`, not yet acknowledged; delivered again after `deadline`.
    Leased { shop: u32, deadline: SimTime },
}

/// An order the broker holds.
#[derive(Clone, Copy, Debug)]
pub struct Held {
    pub order: Order,
    pub assigned: Option<u32>,
    pub state: HeldState,
    /// Deliveries so far.
    pub attempts: u32,
    /// Changes on every state change; a timer or nack carrying an older token is stale.
    token: u32,
}

/// One order moved by the notifier when `dead` was declared dead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Move {
    pub order: u64,
    pub from: Option<u32>,
    pub to: Option<u32>,
    pub dead: u32,
    /// The order was delivered (being made) when it was moved.
    pub was_delivered: bool,
}

/// Why an order was refused at the door.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    Full,
    BrokerDown,
}

/// Counts the broker keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BrokerCounters {
    pub deliveries: u64,
    pub acked: u64,
    pub acks_lost: u64,
    pub lease_expiries: u64,
    pub retries: u64,
    pub lost_in_crash: u64,
}

/// The broker's state machine.
#[derive(Clone)]
pub struct Broker {
    delivery: Delivery,
    persistent: bool,
    capacity: usize,
    visibility_us: SimTime,
    max_attempts: u32,
    backoff_base_us: SimTime,
    backoff_cap_us: SimTime,
    up: bool,
    held: BTreeMap<u64, Held>,
    /// Per shop, then one more for unassigned: (0 urgent / 1 normal, order id).
    ready: Vec<BTreeSet<(u8, u64)>>,
    load: Vec<u32>,
    /// Free ovens each shop has announced: (shop incarnation, count).
    waiting: Vec<(u32, u32)>,
    assigner: Assigner,
    jitter: SimRng,
    pub dead_letters: CowVec<u64>,
    pub moves: CowVec<Move>,
    pub counters: BrokerCounters,
}

fn rank(order: &Order) -> (u8, u64) {
    (u8::from(!order.urgent), order.id)
}

impl Broker {
    /// A broker for `config`, up, with every shop live; `jitter` draws the retry jitter.
    pub fn new(config: &ShopConfig, jitter: SimRng) -> Self {
        let n = config.shops.len();
        let assigner = Assigner::new(config);
        Self {
            delivery: config.delivery,
            persistent: config.persistent,
            capacity: config.queue_capacity as usize,
            visibility_us: config.visibility_timeout_ms * 1000,
            max_attempts: config.max_attempts,
            backoff_base_us: config.backoff_base_ms * 1000,
            backoff_cap_us: config.backoff_cap_ms * 1000,
            up: true,
            held: BTreeMap::new(),
            ready: vec![BTreeSet::new(); n + 1],
            load: vec![0; n],
            waiting: vec![(0, 0); n],
            assigner,
            jitter,
            dead_letters: CowVec::new(),
            moves: CowVec::new(),
            counters: BrokerCounters::default(),
        }
    }

    /// An estimate of the bytes the broker holds beyond its struct (see `ShopSim::approx_bytes_beyond`).
    pub fn approx_bytes_beyond(&self, earlier: Option<&Self>) -> usize {
        btree_bytes::<u64, Held>(self.held.len())
            + vec_bytes(&self.ready)
            + self.ready.iter().map(|q| btree_bytes::<(u8, u64), ()>(q.len())).sum::<usize>()
            + vec_bytes(&self.load)
            + vec_bytes(&self.waiting)
            + self.assigner.approx_bytes()
            + self.dead_letters.bytes_beyond(earlier.map(|e| &e.dead_letters))
            + self.moves.bytes_beyond(earlier.map(|e| &e.moves))
    }

    /// True while the broker runs.
    pub fn is_up(&self) -> bool {
        self.up
    }

    /// Orders held (ready, backing off or delivered and not acknowledged).
    pub fn depth(&self) -> usize {
        self.held.len()
    }

    /// The held orders in id order.
    pub fn held(&self) -> impl Iterator<Item = &Held> {
        self.held.values()
    }

    /// Orders waiting in each shop's ready queue (the last entry: unassigned).
    pub fn ready_counts(&self) -> Vec<usize> {
        self.ready.iter().map(BTreeSet::len).collect()
    }

    /// A producer's order arrives.
    pub fn publish(&mut self, order: Order, now: SimTime, out: &mut Outbox) -> Result<(), Rejection> {
        if !self.up {
            return Err(Rejection::BrokerDown);
        }
        if self.held.len() >= self.capacity {
            return Err(Rejection::Full);
        }
        let h = Held { order, assigned: None, state: HeldState::Ready, attempts: 0, token: 0 };
        self.held.insert(order.id, h);
        let shop = self.make_ready(order.id);
        self.try_deliver_to(shop, now, out);
        Ok(())
    }

    /// A shop announces a free oven.
    pub fn pull(&mut self, shop: u32, epoch: u32, now: SimTime, out: &mut Outbox) {
        if !self.up {
            return;
        }
        let w = &mut self.waiting[shop as usize];
        *w = if w.0 == epoch { (epoch, w.1 + 1) } else { (epoch, 1) };
        self.try_deliver_to(Some(shop), now, out);
    }

    /// A shop finished an order: remove it, wherever it is (a re-sent copy too).
    pub fn ack(&mut self, order: u64) {
        if !self.up {
            self.counters.acks_lost += 1;
            return;
        }
        if self.remove(order).is_some() {
            self.counters.acked += 1;
        }
    }

    /// A shop reports a failure of delivery `token`.
    pub fn nack(&mut self, order: u64, token: u32, now: SimTime, out: &mut Outbox) {
        if self.up && self.is_current_lease(order, token) {
            self.fail(order, now, out);
        }
    }

    /// The lease of delivery `token` ran out.
    pub fn lease_expired(&mut self, order: u64, token: u32, now: SimTime, out: &mut Outbox) {
        if self.up && self.is_current_lease(order, token) {
            self.counters.lease_expiries += 1;
            self.fail(order, now, out);
        }
    }

    /// A backoff is over: the order is ready again.
    pub fn retry_due(&mut self, order: u64, token: u32, now: SimTime, out: &mut Outbox) {
        let Some(h) = self.held.get(&order) else { return };
        if self.up && matches!(h.state, HeldState::Backoff { .. }) && h.token == token {
            let shop = self.make_ready(order);
            self.try_deliver_to(shop, now, out);
        }
    }

    /// The broker stops. In memory, every held order is gone.
    pub fn crash(&mut self) {
        self.up = false;
        self.waiting.iter_mut().for_each(|w| *w = (0, 0));
        if !self.persistent {
            self.counters.lost_in_crash += self.held.len() as u64;
            self.held.clear();
            self.ready.iter_mut().for_each(BTreeSet::clear);
            self.load.iter_mut().for_each(|l| *l = 0);
        }
    }

    /// The broker comes back and catches up with the timers that ran out while it was down (later
    /// timers are still scheduled). Shops then announce their free ovens again.
    pub fn restart(&mut self, now: SimTime, out: &mut Outbox) {
        self.up = true;
        let ids: Vec<u64> = self.held.keys().copied().collect();
        for id in ids {
            match self.held[&id].state {
                HeldState::Backoff { due } if due <= now => {
                    self.make_ready(id);
                }
                HeldState::Leased { deadline, .. } if deadline <= now => {
                    self.counters.lease_expiries += 1;
                    self.fail(id, now, out);
                }
                _ => {}
            }
        }
    }

    /// The notifier's view of live shops changed: move dead shops' orders, give orders to returning shops.
    pub fn set_live(&mut self, live: &[bool], now: SimTime, out: &mut Outbox) {
        if !self.up {
            return;
        }
        let n = live.len();
        let dead: Vec<u32> = (0..n).filter(|&s| self.assigner.live[s] && !live[s]).map(|s| s as u32).collect();
        let joined = (0..n).any(|s| !self.assigner.live[s] && live[s]);
        if self.assigner.live != live {
            self.assigner.live = live.to_vec();
            self.assigner.rebuild();
        }
        if let Some(&first) = dead.first() {
            match self.assigner.mode {
                Redistribution::Ring => dead.iter().for_each(|&d| self.redistribute_ring(d)),
                Redistribution::Naive => self.reshuffle_all(first),
            }
        }
        if joined || !dead.is_empty() {
            let unassigned: Vec<u64> = self.ready[n].iter().map(|&(_, id)| id).collect();
            for id in unassigned {
                self.make_ready(id);
            }
        }
        for s in 0..n {
            self.try_deliver_to(Some(s as u32), now, out);
        }
    }

    /// Ring: only the dead shop's orders move, each to the shop that now owns its hash.
    fn redistribute_ring(&mut self, dead: u32) {
        let ids: Vec<u64> = self.held.values().filter(|h| h.assigned == Some(dead)).map(|h| h.order.id).collect();
        for id in ids {
            let to = self.assigner.owner(id, &self.load);
            self.move_to(id, to, dead);
        }
    }

    /// Naive (the notes' first attempt): every not-done order is re-sent round-robin over the live shops.
    fn reshuffle_all(&mut self, dead: u32) {
        let live: Vec<u32> = (0..self.load.len()).filter(|&s| self.assigner.live[s]).map(|s| s as u32).collect();
        let ids: Vec<u64> = self.held.keys().copied().collect();
        for (i, id) in ids.into_iter().enumerate() {
            let to = if live.is_empty() { None } else { Some(live[i % live.len()]) };
            self.move_to(id, to, dead);
        }
    }

    fn move_to(&mut self, id: u64, to: Option<u32>, dead: u32) {
        let h = self.held[&id];
        let was_delivered = matches!(h.state, HeldState::Leased { .. });
        self.moves.push(Move { order: id, from: h.assigned, to, dead, was_delivered });
        self.unqueue(id);
        self.set_assigned(id, to);
        if !matches!(h.state, HeldState::Backoff { .. }) {
            self.enqueue(id);
        }
    }

    fn is_current_lease(&self, order: u64, token: u32) -> bool {
        self.held.get(&order).is_some_and(|h| matches!(h.state, HeldState::Leased { .. }) && h.token == token)
    }

    fn set_assigned(&mut self, id: u64, to: Option<u32>) {
        let h = self.held.get_mut(&id).expect("held");
        if let Some(s) = h.assigned {
            self.load[s as usize] -= 1;
        }
        if let Some(s) = to {
            self.load[s as usize] += 1;
        }
        h.assigned = to;
    }

    /// Takes the order out of whichever ready queue holds it.
    fn unqueue(&mut self, id: u64) {
        let h = self.held[&id];
        if h.state == HeldState::Ready {
            let q = h.assigned.map_or(self.load.len(), |s| s as usize);
            self.ready[q].remove(&rank(&h.order));
        }
    }

    /// Puts a held order in the ready queue of its shop.
    fn enqueue(&mut self, id: u64) {
        let n = self.load.len();
        let h = self.held.get_mut(&id).expect("held");
        h.state = HeldState::Ready;
        h.token += 1;
        let q = h.assigned.map_or(n, |s| s as usize);
        self.ready[q].insert(rank(&h.order));
    }

    /// Makes an order ready, choosing a shop if it has none or its shop is no longer live.
    fn make_ready(&mut self, id: u64) -> Option<u32> {
        self.unqueue(id);
        let h = self.held[&id];
        let keep = h.assigned.filter(|&s| self.assigner.live[s as usize]);
        let to = keep.or_else(|| self.assigner.owner(id, &self.load));
        self.set_assigned(id, to);
        self.enqueue(id);
        to
    }

    fn remove(&mut self, id: u64) -> Option<Held> {
        if !self.held.contains_key(&id) {
            return None;
        }
        self.unqueue(id);
        self.set_assigned(id, None);
        self.held.remove(&id)
    }

    fn try_deliver_to(&mut self, shop: Option<u32>, now: SimTime, out: &mut Outbox) {
        let Some(shop) = shop else { return };
        let s = shop as usize;
        while self.waiting[s].1 > 0 {
            let Some((_, id)) = self.ready[s].pop_first() else { break };
            self.waiting[s].1 -= 1;
            self.deliver(id, shop, self.waiting[s].0, now, out);
        }
    }

    fn deliver(&mut self, id: u64, shop: u32, epoch: u32, now: SimTime, out: &mut Outbox) {
        self.counters.deliveries += 1;
        let h = self.held.get_mut(&id).expect("held");
        h.attempts += 1;
        h.token += 1;
        let (order, token) = (h.order, h.token);
        if self.delivery == Delivery::AtMostOnce {
            // Acknowledged on receipt: from here on only the shop knows about the order.
            self.remove(id);
        } else {
            let deadline = now + self.visibility_us;
            h.state = HeldState::Leased { shop, deadline };
            out.push(deadline, Event::LeaseExpired { order: id, token });
        }
        out.push(now, Event::Deliver { shop, epoch, order, token });
    }

    /// A delivery failed or timed out: back off and retry, or dead-letter after the last attempt.
    fn fail(&mut self, id: u64, now: SimTime, out: &mut Outbox) {
        let h = self.held[&id];
        if h.attempts >= self.max_attempts {
            self.remove(id);
            self.dead_letters.push(id);
            return;
        }
        self.counters.retries += 1;
        let doubled = self.backoff_base_us.saturating_mul(1 << (h.attempts - 1).min(40));
        let delay = doubled.min(self.backoff_cap_us);
        // "Equal jitter": half fixed, half uniform, so retries of a burst spread out but never fire at 0.
        let due = now + delay / 2 + self.jitter.below(delay / 2 + 1);
        let h = self.held.get_mut(&id).expect("held");
        h.state = HeldState::Backoff { due };
        h.token += 1;
        out.push(due, Event::RetryDue { order: id, token: h.token });
    }
}
