//! The pizza shop run: producers, the broker, the shops and the notifier, each a state machine, fed by
//! one scheduler. `step` processes one event and `run_until` advances to a virtual time, so the page can
//! animate a run; `run` goes to the end. Everything is a pure function of (seed, config, actions).

use super::broker::{Broker, Rejection};
use super::config::{ShopAction, ShopConfig, TimedAction};
use super::consumer::Shop;
use super::events::{Event, Kind, Order, Outbox};
use super::ledger::Ledger;
use super::notifier::Notifier;
use super::stats::exp_delay_us;
use crate::sim::cow::CowVec;
use crate::sim::hash::splitmix64;
use crate::sim::kernel::{Model, Scheduler, SimRng, SimTime};
use crate::sim::timeline::vec_bytes;

/// A death the notifier detected: when the shop was killed and when it was declared dead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detection {
    pub shop: u32,
    pub killed_at: SimTime,
    pub declared_at: SimTime,
}

/// A running pizza-shop simulation. A clone is independent and continues exactly as the original would
/// (the timeline's checkpoints are clones).
#[derive(Clone)]
pub struct ShopSim {
    pub(super) config: ShopConfig,
    pub(super) actions: Vec<TimedAction>,
    scheduler: Scheduler<Event>,
    arrivals: SimRng,
    pub(super) orders: CowVec<Order>,
    pub(super) accepted: CowVec<bool>,
    pub(super) rejected_full: u64,
    pub(super) rejected_down: u64,
    pub(super) broker: Broker,
    pub(super) shops: Vec<Shop>,
    pub(super) notifier: Notifier,
    pub(super) ledger: Ledger,
    killed_at: Vec<Option<SimTime>>,
    pub(super) detections: Vec<Detection>,
    pub(super) depth: CowVec<(SimTime, u32)>,
    actions_done: usize,
    pub(super) finished: bool,
    pub(super) events: u64,
    now: SimTime,
}

/// Seeds of the independent random streams, so changing one part (say, retries) leaves the orders alone.
const JITTER_STREAM: u64 = 0x6A17_7E12;

impl ShopSim {
    /// A run ready to start; refuses a configuration or action outside the limits.
    pub fn new(seed: u64, config: &ShopConfig, actions: &[TimedAction]) -> Result<Self, String> {
        config.validate()?;
        config.validate_actions(actions)?;
        super::budget::estimate_work(config, actions).check()?;
        let n = config.shops.len();
        let mut sim = Self {
            config: config.clone(),
            actions: actions.to_vec(),
            scheduler: Scheduler::new(),
            arrivals: SimRng::new(seed),
            orders: CowVec::new(),
            accepted: CowVec::new(),
            rejected_full: 0,
            rejected_down: 0,
            broker: Broker::new(config, SimRng::new(splitmix64(seed ^ JITTER_STREAM))),
            shops: config.shops.iter().map(|s| Shop::new(s, config.delivery)).collect(),
            notifier: Notifier::new(n),
            ledger: Ledger::default(),
            killed_at: vec![None; n],
            detections: Vec::new(),
            depth: CowVec::new(),
            actions_done: 0,
            finished: false,
            events: 0,
            now: 0,
        };
        for (i, (at, _)) in actions.iter().enumerate() {
            sim.scheduler.schedule_at(at * 1000, Event::Action(i as u32));
        }
        let mut out = Outbox::default();
        for (i, shop) in sim.shops.iter_mut().enumerate() {
            shop.start(i as u32, 0, &mut out);
        }
        sim.schedule(out);
        let first = sim.next_gap();
        sim.scheduler.schedule_at(first, Event::Produce);
        sim.scheduler.schedule_at(config.check_every_ms * 1000, Event::Check);
        sim.scheduler.schedule_at(0, Event::Sample);
        Ok(sim)
    }

    /// The virtual time of the last processed event, µs.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// True when every order is settled and every action applied, or the horizon was reached.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Processes the next event; returns its time, or `None` when the run is over.
    pub fn step(&mut self) -> Option<SimTime> {
        self.step_event()
    }

    /// Processes every event up to and including virtual time `t` (µs).
    pub fn run_until(&mut self, t: SimTime) {
        self.run_events_until(t);
    }

    /// Processes at most `max_events` events; returns true once the run is over. The page runs a long
    /// shop this way, a slice per timer tick, so the tab stays responsive.
    pub fn run_for(&mut self, max_events: u64) -> bool {
        for _ in 0..max_events {
            if self.step().is_none() {
                break;
            }
        }
        self.finished
    }

    /// The configuration the run started from.
    pub fn config(&self) -> &ShopConfig {
        &self.config
    }

    /// Orders the producers have sent so far (of `config.orders`).
    pub fn produced(&self) -> u64 {
        self.orders.len() as u64
    }

    /// Runs to the end (settled or horizon).
    pub fn run(&mut self) {
        self.run_to_end();
    }

    /// An estimate of the bytes this run holds (what one timeline checkpoint costs): the struct and
    /// every collection that grows with the run, by capacity × element size (see `sim::timeline`),
    /// leaving out the log chunks `earlier` (a copy this run continues) shares with it.
    pub fn approx_bytes_beyond(&self, earlier: Option<&Self>) -> usize {
        size_of::<Self>()
            + self.scheduler.approx_bytes()
            + vec_bytes(&self.actions)
            + self.orders.bytes_beyond(earlier.map(|e| &e.orders))
            + self.accepted.bytes_beyond(earlier.map(|e| &e.accepted))
            + self.broker.approx_bytes_beyond(earlier.map(|e| &e.broker))
            + vec_bytes(&self.shops)
            + self.shops.iter().map(|s| s.name.capacity() + vec_bytes(&s.making)).sum::<usize>()
            + self.notifier.approx_bytes()
            + self.ledger.approx_bytes_beyond(earlier.map(|e| &e.ledger))
            + vec_bytes(&self.killed_at)
            + vec_bytes(&self.detections)
            + self.depth.bytes_beyond(earlier.map(|e| &e.depth))
    }

    /// `approx_bytes_beyond(None)`: everything the run holds.
    pub fn approx_bytes(&self) -> usize {
        self.approx_bytes_beyond(None)
    }

    fn finish(&mut self, at: SimTime) {
        self.finished = true;
        self.now = self.now.max(at);
        self.depth.push((self.now, self.broker.depth() as u32));
    }

    fn is_settled(&self) -> bool {
        self.orders.len() == self.config.orders as usize
            && self.actions_done == self.actions.len()
            && self.broker.depth() == 0
            && self.shops.iter().all(|s| s.making.is_empty())
    }

    fn schedule(&mut self, out: Outbox) {
        for (at, event) in out.0 {
            self.scheduler.schedule_at(at, event);
        }
    }

    fn next_gap(&mut self) -> SimTime {
        exp_delay_us(&mut self.arrivals, 60_000_000.0 / f64::from(self.config.order_rate_per_min))
    }

    fn handle(&mut self, event: Event, now: SimTime, out: &mut Outbox) {
        match event {
            Event::Produce => self.produce(now, out),
            Event::Action(i) => self.apply(i as usize, now, out),
            Event::Sample => {
                self.depth.push((now, self.broker.depth() as u32));
                out.push(now + self.config.sample_every_ms * 1000, Event::Sample);
            }
            Event::Check => {
                let dead = self.notifier.on_check(now);
                for &s in &dead {
                    if let Some(killed_at) = self.killed_at[s as usize] {
                        self.detections.push(Detection { shop: s, killed_at, declared_at: now });
                    }
                }
                if !dead.is_empty() {
                    self.broker.set_live(self.notifier.live(), now, out);
                }
                out.push(now + self.config.check_every_ms * 1000, Event::Check);
            }
            Event::Heartbeat { shop, epoch } => {
                if self.shops[shop as usize].is_current(epoch) {
                    if self.notifier.on_heartbeat(shop) {
                        self.broker.set_live(self.notifier.live(), now, out);
                    }
                    out.push(now + self.config.heartbeat_every_ms * 1000, Event::Heartbeat { shop, epoch });
                }
            }
            Event::Pull { shop, epoch } => {
                if self.shops[shop as usize].is_current(epoch) {
                    self.broker.pull(shop, epoch, now, out);
                }
            }
            Event::Deliver { shop, epoch, order, token } => {
                self.shops[shop as usize].on_deliver(shop, epoch, order, token, now, out);
            }
            Event::WorkDone { shop, epoch, order, token } => {
                let s = &mut self.shops[shop as usize];
                if s.is_current(epoch) {
                    s.on_work_done(shop, order, token, now, &mut self.ledger, out);
                }
            }
            Event::Ack { order } => self.broker.ack(order),
            Event::Nack { order, token } => self.broker.nack(order, token, now, out),
            Event::LeaseExpired { order, token } => self.broker.lease_expired(order, token, now, out),
            Event::RetryDue { order, token } => self.broker.retry_due(order, token, now, out),
        }
    }

    fn produce(&mut self, now: SimTime, out: &mut Outbox) {
        let id = self.orders.len() as u64;
        let r = &mut self.arrivals;
        let kind = if r.below(100) < u64::from(self.config.coke_pct) { Kind::Coke } else { Kind::Pizza };
        let urgent = r.below(100) < u64::from(self.config.urgent_pct);
        let mean_ms = match kind {
            Kind::Pizza => self.config.pizza_ms,
            Kind::Coke => self.config.coke_ms,
        };
        let work_us = exp_delay_us(r, mean_ms as f64 * 1000.0);
        let poison = self.config.poison_orders.contains(&id);
        let order = Order { id, kind, urgent, poison, work_us, created_at: now };
        self.orders.push(order);
        self.ledger.add_order();
        match self.broker.publish(order, now, out) {
            Ok(()) => self.accepted.push(true),
            Err(rejection) => {
                self.accepted.push(false);
                match rejection {
                    Rejection::Full => self.rejected_full += 1,
                    Rejection::BrokerDown => self.rejected_down += 1,
                }
            }
        }
        if self.orders.len() < self.config.orders as usize {
            let gap = self.next_gap();
            out.push(now + gap, Event::Produce);
        }
    }

    fn apply(&mut self, i: usize, now: SimTime, out: &mut Outbox) {
        self.actions_done += 1;
        let action = self.actions[i].1.clone();
        let index = |name: &str| self.config.shop_index(name).expect("validated") as u32;
        match action {
            ShopAction::KillShop { shop } => {
                let s = index(&shop);
                if self.shops[s as usize].alive {
                    self.shops[s as usize].kill();
                    self.killed_at[s as usize] = Some(now);
                }
            }
            ShopAction::RestartShop { shop } => {
                let s = index(&shop);
                if !self.shops[s as usize].alive {
                    self.shops[s as usize].start(s, now, out);
                    self.killed_at[s as usize] = None;
                }
            }
            ShopAction::SlowShop { shop, factor_pct } => self.shops[index(&shop) as usize].slow_pct = factor_pct,
            ShopAction::CrashBroker => {
                if self.broker.is_up() {
                    self.broker.crash();
                }
            }
            ShopAction::RestartBroker => {
                if !self.broker.is_up() {
                    self.broker.restart(now, out);
                    self.broker.set_live(self.notifier.live(), now, out);
                    for (s, shop) in self.shops.iter().enumerate() {
                        shop.on_broker_up(s as u32, now, out);
                    }
                }
            }
        }
    }
}

impl Model for ShopSim {
    type Event = Event;
    fn scheduler(&mut self) -> &mut Scheduler<Event> {
        &mut self.scheduler
    }
    fn horizon_us(&self) -> SimTime {
        self.config.horizon_ms * 1000
    }
    fn is_over(&self) -> bool {
        self.finished
    }
    fn end_at(&mut self, at: SimTime) {
        self.finish(at);
    }
    fn on_event(&mut self, event: Event, now: SimTime) {
        self.now = now;
        self.events += 1;
        let mut out = Outbox::default();
        self.handle(event, now, &mut out);
        self.schedule(out);
    }
    fn is_settled(&self) -> bool {
        ShopSim::is_settled(self)
    }
}
