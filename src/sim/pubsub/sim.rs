//! The publish/subscribe run: publishers, the broker with its queues, the services, and the in-process
//! event bus fed the same stream.
//!
//! The broker's model is RabbitMQ's topic exchange: a service has at most one durable queue and at most
//! one ephemeral (non-durable, auto-delete) queue, and each subscription of the service is a *binding*
//! of one of them. An event whose topic matches one or more bindings of a queue is enqueued in it once.
//! A service with both kinds gets an event matching both once through each queue. Removing a binding
//! leaves what the queue holds; removing its last binding deletes the queue with what it still holds
//! (`Discarded`): the lab has no separate "delete queue", and a queue with no binding receives nothing. One scheduler; `step` processes one event
//! so the page can animate; everything is a pure function of (seed, config, actions).

use super::bus::Bus;
use super::config::{PubSubAction, PubSubConfig, TimedPubSubAction};
use super::pattern::Pattern;
use crate::sim::hash::splitmix64;
use crate::sim::kernel::{Model, Scheduler, SimRng, SimTime};
use crate::sim::queue::stats::exp_delay_us;
use crate::sim::timeline::{btree_bytes, deque_bytes, vec_bytes};
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;

/// Most lines kept in the event log.
pub const LOG_MAX: usize = 200;

/// What became of one matched event in one queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// Waiting in a queue or a buffer, or being handled.
    Pending,
    /// Handled at least once.
    Handled,
    /// Ephemeral: published while the service was down.
    Missed,
    /// Gone before it was handled: an in-memory broker's crash, or an ephemeral buffer when the service stopped.
    Lost,
    /// Dropped with its queue when its last binding was removed.
    Discarded,
}

/// One published event.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EventRecord {
    pub id: u64,
    pub topic: String,
    pub at_us: SimTime,
    pub by_hand: bool,
    /// False when the broker was down (the publisher got an error).
    pub accepted: bool,
}

/// A finished catch-up: a durable subscription's service restarted with `backlog` events waiting and
/// handled the last of them `took_us` later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CatchUp {
    pub restart_at_us: SimTime,
    pub backlog: u32,
    pub took_us: SimTime,
}

/// One binding (a subscription of a service): a pattern routing matching events to its queue. On the
/// in-process bus the same subscription is one callback.
#[derive(Clone, Debug)]
pub struct Binding {
    /// Index of its queue.
    pub queue: u32,
    pub pattern: Pattern,
    pub active: bool,
    /// Events with ids in `from_event..until_event` were published while it was bound.
    pub from_event: u64,
    pub until_event: Option<u64>,
}

/// One queue of a service: its bindings, its events (durable: at the broker; ephemeral: pushed to the
/// service and not yet handled), and what became of every event it received.
#[derive(Clone, Debug)]
pub struct Queue {
    pub service: u32,
    pub durable: bool,
    /// Indices of its bindings, in the order they were made (removed ones included).
    pub bindings: Vec<u32>,
    /// False once its last binding was removed (the queue is deleted).
    pub active: bool,
    /// Durable: the broker's queue of unacknowledged events (the one being handled stays at its head
    /// until the ack). Ephemeral: the events pushed to the service and not yet handled.
    pub queue: VecDeque<u64>,
    /// The event being handled and its token.
    pub in_flight: Option<(u64, u64)>,
    pub fates: BTreeMap<u64, (Fate, u32)>,
    /// Events in the order they were first handled.
    pub handled_order: Vec<u64>,
    pub delivered: u64,
    pub backlog_max: u32,
    /// Published events (accepted or not) that matched n > 1 of its bindings, summed n − 1.
    pub callbacks_beyond_one: u64,
    /// (restart time, last event waiting then, backlog then) while a catch-up is under way.
    catching_up: Option<(SimTime, u64, u32)>,
    pub catch_ups: Vec<CatchUp>,
}

impl Queue {
    fn new(service: u32, durable: bool) -> Self {
        Self {
            service,
            durable,
            bindings: Vec::new(),
            active: true,
            queue: VecDeque::new(),
            in_flight: None,
            fates: BTreeMap::new(),
            handled_order: Vec::new(),
            delivered: 0,
            backlog_max: 0,
            callbacks_beyond_one: 0,
            catching_up: None,
            catch_ups: Vec::new(),
        }
    }

    /// Bytes held beyond the struct.
    fn approx_bytes(&self) -> usize {
        vec_bytes(&self.bindings)
            + deque_bytes(&self.queue)
            + btree_bytes::<u64, (Fate, u32)>(self.fates.len())
            + vec_bytes(&self.handled_order)
            + vec_bytes(&self.catch_ups)
    }

    /// Marks every pending event of the queue as `fate` (those already handled once keep `Handled`).
    fn drop_queue(&mut self, fate: Fate) {
        for e in self.queue.drain(..) {
            if let Some(f) = self.fates.get_mut(&e).filter(|f| f.0 == Fate::Pending) {
                f.0 = fate;
            }
        }
    }

    fn set_fate_if_pending(&mut self, e: u64, fate: Fate) {
        if let Some(f) = self.fates.get_mut(&e).filter(|f| f.0 == Fate::Pending) {
            f.0 = fate;
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Ev {
    Produce,
    Action(u32),
    Sample,
    Done { queue: u32, token: u64 },
    BusDone { token: u64 },
}

/// A running publish/subscribe simulation. A clone is independent and continues exactly as the original
/// would (the timeline's checkpoints are clones).
#[derive(Clone)]
pub struct PubSubSim {
    pub(super) config: PubSubConfig,
    actions: Vec<TimedPubSubAction>,
    scheduler: Scheduler<Ev>,
    arrivals: SimRng,
    handling: SimRng,
    pub(super) events: Vec<EventRecord>,
    pub(super) produced: u32,
    pub(super) queues: Vec<Queue>,
    pub(super) bindings: Vec<Binding>,
    pub(super) service_up: Vec<bool>,
    pub(super) broker_up: bool,
    pub(super) bus: Bus,
    pub(super) samples: Vec<SimTime>,
    /// Per queue, its backlog at each sample (0 before it existed).
    pub(super) backlog_series: Vec<Vec<u32>>,
    pub(super) bus_series: Vec<u32>,
    pub(super) log: VecDeque<(SimTime, String)>,
    pub(super) broker_lost: u64,
    actions_done: usize,
    next_token: u64,
    pub(super) finished: bool,
    pub(super) steps: u64,
    now: SimTime,
}

const HANDLING_STREAM: u64 = 0x5AB5_0B5E;

impl PubSubSim {
    /// A run ready to start; refuses a configuration or action outside the limits.
    pub fn new(seed: u64, config: &PubSubConfig, actions: &[TimedPubSubAction]) -> Result<Self, String> {
        config.validate()?;
        config.validate_actions(actions)?;
        super::budget::estimate_work(config, actions).check()?;
        let mut sim = Self {
            config: config.clone(),
            actions: actions.to_vec(),
            scheduler: Scheduler::new(),
            arrivals: SimRng::new(seed),
            handling: SimRng::new(splitmix64(seed ^ HANDLING_STREAM)),
            events: Vec::new(),
            produced: 0,
            queues: Vec::new(),
            bindings: Vec::new(),
            service_up: vec![true; config.services.len()],
            broker_up: true,
            bus: Bus::new(),
            samples: Vec::new(),
            backlog_series: Vec::new(),
            bus_series: Vec::new(),
            log: VecDeque::new(),
            broker_lost: 0,
            actions_done: 0,
            next_token: 0,
            finished: false,
            steps: 0,
            now: 0,
        };
        for (i, s) in config.services.iter().enumerate() {
            for sub in &s.subscriptions {
                sim.bind(i as u32, sub.pattern.clone(), sub.durable);
            }
        }
        for (i, (at, _)) in actions.iter().enumerate() {
            sim.scheduler.schedule_at(at * 1000, Ev::Action(i as u32));
        }
        if config.events > 0 {
            let first = sim.next_gap();
            sim.scheduler.schedule_at(first, Ev::Produce);
        }
        sim.scheduler.schedule_at(0, Ev::Sample);
        Ok(sim)
    }

    /// The virtual time of the last processed event, µs.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// True when everything is published, handled and every action applied, or the horizon was reached.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Scheduler events processed so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The configuration the run started from.
    pub fn config(&self) -> &PubSubConfig {
        &self.config
    }

    /// Processes the next event; returns its time, or `None` when the run is over.
    pub fn step(&mut self) -> Option<SimTime> {
        self.step_event()
    }

    /// Processes every event up to and including virtual time `t` (µs).
    pub fn run_until(&mut self, t: SimTime) {
        self.run_events_until(t);
    }

    /// Runs to the end (settled or horizon).
    pub fn run(&mut self) {
        self.run_to_end();
    }

    /// An estimate of the bytes this run holds (what one timeline checkpoint costs): the struct and
    /// every collection that grows with the run, by capacity × element size (see `sim::timeline`).
    pub fn approx_bytes(&self) -> usize {
        size_of::<Self>()
            + self.scheduler.approx_bytes()
            + vec_bytes(&self.actions)
            + vec_bytes(&self.events)
            + self.events.iter().map(|e| e.topic.capacity()).sum::<usize>()
            + vec_bytes(&self.queues)
            + self.queues.iter().map(Queue::approx_bytes).sum::<usize>()
            + vec_bytes(&self.bindings)
            + self.bindings.iter().map(|b| b.pattern.text.capacity()).sum::<usize>()
            + vec_bytes(&self.service_up)
            + self.bus.approx_bytes()
            + vec_bytes(&self.samples)
            + vec_bytes(&self.backlog_series)
            + self.backlog_series.iter().map(vec_bytes).sum::<usize>()
            + vec_bytes(&self.bus_series)
            + deque_bytes(&self.log)
            + self.log.iter().map(|(_, line)| line.capacity()).sum::<usize>()
    }

    fn finish(&mut self, at: SimTime) {
        self.finished = true;
        self.now = self.now.max(at);
        self.sample(self.now);
    }

    fn is_settled(&self) -> bool {
        self.produced == self.config.events
            && self.actions_done == self.actions.len()
            && self.queues.iter().all(|q| q.queue.is_empty() && q.in_flight.is_none())
            && self.bus.backlog() == 0
    }

    fn next_gap(&mut self) -> SimTime {
        exp_delay_us(&mut self.arrivals, 60_000_000.0 / f64::from(self.config.rate_per_min))
    }

    fn handle_time(&mut self, service: u32) -> SimTime {
        let s = &self.config.services[service as usize];
        let mean_us = s.handle_ms * 1000;
        if s.fixed { mean_us } else { exp_delay_us(&mut self.handling, mean_us as f64).max(1) }
    }

    fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    fn note(&mut self, at: SimTime, text: String) {
        if self.log.len() == LOG_MAX {
            self.log.pop_front();
        }
        self.log.push_back((at, text));
    }

    fn name(&self, service: u32) -> &str {
        &self.config.services[service as usize].name
    }

    /// The service's live queue of this kind, if any.
    fn queue_of(&self, service: u32, durable: bool) -> Option<u32> {
        self.queues.iter().position(|q| q.active && q.service == service && q.durable == durable).map(|q| q as u32)
    }

    /// A new binding of the service's queue of this kind (declaring the queue when it has none).
    fn bind(&mut self, service: u32, pattern: Pattern, durable: bool) {
        let queue = self.queue_of(service, durable).unwrap_or_else(|| {
            self.queues.push(Queue::new(service, durable));
            self.backlog_series.push(vec![0; self.samples.len()]);
            self.queues.len() as u32 - 1
        });
        let from_event = self.events.len() as u64;
        self.queues[queue as usize].bindings.push(self.bindings.len() as u32);
        self.bindings.push(Binding { queue, pattern, active: true, from_event, until_event: None });
        self.bus.counts.push(Default::default());
    }

    /// How many of the queue's live bindings match `topic`.
    fn routes(&self, q: u32, topic: &str) -> usize {
        self.queues[q as usize]
            .bindings
            .iter()
            .filter(|&&b| self.bindings[b as usize].active && self.bindings[b as usize].pattern.matches(topic))
            .count()
    }

    fn handle(&mut self, ev: Ev, now: SimTime) {
        match ev {
            Ev::Produce => {
                let topic = self.pick_topic();
                self.publish(topic, false, now);
                self.produced += 1;
                if self.produced < self.config.events {
                    let gap = self.next_gap();
                    self.scheduler.schedule_at(now + gap, Ev::Produce);
                }
            }
            Ev::Action(i) => self.apply(i as usize, now),
            Ev::Sample => {
                self.sample(now);
                self.scheduler.schedule_at(now + self.config.sample_every_ms * 1000, Ev::Sample);
            }
            Ev::Done { queue, token } => self.on_done(queue, token, now),
            Ev::BusDone { token } => {
                if self.bus.done(token) {
                    self.bus_next(now);
                }
            }
        }
    }

    fn sample(&mut self, now: SimTime) {
        if self.samples.last() == Some(&now) {
            return;
        }
        self.samples.push(now);
        for (q, series) in self.queues.iter().zip(self.backlog_series.iter_mut()) {
            series.push(q.queue.len() as u32);
        }
        self.bus_series.push(self.bus.backlog());
    }

    fn pick_topic(&mut self) -> String {
        let total: u64 = self.config.topics.iter().map(|t| u64::from(t.weight)).sum();
        let mut r = self.arrivals.below(total);
        for t in &self.config.topics {
            if r < u64::from(t.weight) {
                return t.topic.clone();
            }
            r -= u64::from(t.weight);
        }
        unreachable!("the weights sum to total")
    }

    /// One event published on `topic`: the broker enqueues it once in every queue with a matching binding
    /// (or refuses it when down), and the bus runs one callback per matching subscription.
    fn publish(&mut self, topic: String, by_hand: bool, now: SimTime) {
        let id = self.events.len() as u64;
        let matching: Vec<(u32, usize)> = (0..self.queues.len() as u32)
            .filter(|&q| self.queues[q as usize].active)
            .map(|q| (q, self.routes(q, &topic)))
            .filter(|&(_, n)| n > 0)
            .collect();
        let callbacks: Vec<u32> = (0..self.bindings.len() as u32)
            .filter(|&b| self.bindings[b as usize].active && self.bindings[b as usize].pattern.matches(&topic))
            .collect();
        let accepted = self.broker_up;
        for &(q, n) in &matching {
            self.queues[q as usize].callbacks_beyond_one += n as u64 - 1;
        }
        // The log line's list of queues, written in one buffer: "Email (queued), Push (pushed), ...".
        let mut parts = String::new();
        if accepted {
            for &(q, n) in &matching {
                let up = self.service_up[self.queues[q as usize].service as usize];
                let queue = &mut self.queues[q as usize];
                let what = if queue.durable {
                    queue.fates.insert(id, (Fate::Pending, 0));
                    queue.queue.push_back(id);
                    if up { "queued" } else { "queued, service down" }
                } else if up {
                    queue.fates.insert(id, (Fate::Pending, 0));
                    queue.queue.push_back(id);
                    queue.delivered += 1;
                    "pushed"
                } else {
                    queue.fates.insert(id, (Fate::Missed, 0));
                    "MISSED, service down"
                };
                queue.backlog_max = queue.backlog_max.max(queue.queue.len() as u32);
                if !parts.is_empty() {
                    parts.push_str(", ");
                }
                let _ = write!(parts, "{} ({what}", self.name(self.queues[q as usize].service));
                if n > 1 {
                    let _ = write!(parts, ", once for {n} bindings");
                }
                parts.push(')');
            }
        }
        self.events.push(EventRecord { id, topic: topic.clone(), at_us: now, by_hand, accepted });
        self.bus.publish(id, &callbacks);
        let text = if !accepted {
            format!("#{id} {topic}: REJECTED, the broker is down")
        } else if parts.is_empty() {
            format!("#{id} {topic}: no subscriber")
        } else {
            format!("#{id} {topic} → {parts}")
        };
        self.note(now, text);
        for &(q, _) in &matching {
            self.try_deliver(q, now);
        }
        self.bus_next(now);
    }

    /// Starts handling the next event of a queue when it can.
    fn try_deliver(&mut self, s: u32, now: SimTime) {
        let sub = &self.queues[s as usize];
        let service = sub.service;
        if !sub.active || sub.in_flight.is_some() || !self.service_up[service as usize] {
            return;
        }
        // A durable queue lives at the broker: nothing is delivered while it is down. What an ephemeral
        // queue pushed is already in the service.
        if sub.durable && !self.broker_up {
            return;
        }
        let Some(&e) = sub.queue.front() else { return };
        let token = self.token();
        let took = self.handle_time(service);
        let sub = &mut self.queues[s as usize];
        sub.in_flight = Some((e, token));
        if sub.durable {
            sub.delivered += 1;
        }
        self.scheduler.schedule_at(now + took, Ev::Done { queue: s, token });
    }

    fn on_done(&mut self, s: u32, token: u64, now: SimTime) {
        let broker_up = self.broker_up;
        let sub = &mut self.queues[s as usize];
        let Some((e, t)) = sub.in_flight else { return };
        if t != token {
            return;
        }
        sub.in_flight = None;
        let f = sub.fates.get_mut(&e).expect("a handled event was matched");
        f.1 += 1;
        if f.1 == 1 {
            f.0 = Fate::Handled;
            sub.handled_order.push(e);
        }
        let mut note = None;
        if !sub.durable {
            sub.queue.pop_front();
        } else if broker_up {
            // The ack: the broker forgets the event.
            if sub.queue.front() == Some(&e) {
                sub.queue.pop_front();
            }
            if let Some((at, _, backlog)) = sub.catching_up.filter(|c| c.1 == e) {
                sub.catching_up = None;
                sub.catch_ups.push(CatchUp { restart_at_us: at, backlog, took_us: now - at });
                note = Some(format!("caught up: {backlog} waiting events handled in {:.1} s", (now - at) as f64 / 1e6));
            }
        } else if sub.queue.front() == Some(&e) {
            // The ack cannot reach the broker: the event stays queued and will be delivered again.
            note = Some(format!("ack of #{e} lost (broker down): it will be delivered again"));
        }
        if let Some(text) = note {
            let name = self.name(self.queues[s as usize].service).to_string();
            self.note(now, format!("{name}: {text}"));
        }
        self.try_deliver(s, now);
    }

    fn bus_next(&mut self, now: SimTime) {
        let token = self.next_token + 1;
        if let Some((b, _)) = self.bus.next(token) {
            self.next_token = token;
            let queue = self.bindings[b as usize].queue;
            let took = self.handle_time(self.queues[queue as usize].service);
            self.scheduler.schedule_at(now + took, Ev::BusDone { token });
        }
    }

    fn apply(&mut self, i: usize, now: SimTime) {
        self.actions_done += 1;
        let action = self.actions[i].1.clone();
        self.note(now, format!("you: {}", action.describe()));
        let index = |name: &str| self.config.service_index(name).expect("validated") as u32;
        match action {
            PubSubAction::Publish { topic, count } => {
                for _ in 0..count {
                    self.publish(topic.clone(), true, now);
                }
            }
            PubSubAction::Subscribe { service, kind, pattern, durable } => {
                self.bind(index(&service), Pattern::new(kind, pattern), durable);
            }
            PubSubAction::Unsubscribe { service, pattern } => {
                let svc = index(&service);
                let until = self.events.len() as u64;
                let found = self.bindings.iter().position(|b| {
                    b.active && self.queues[b.queue as usize].service == svc && b.pattern.text == pattern
                });
                if let Some(b) = found {
                    let binding = &mut self.bindings[b];
                    binding.active = false;
                    binding.until_event = Some(until);
                    let q = binding.queue as usize;
                    let left = self.queues[q].bindings.iter().any(|&o| self.bindings[o as usize].active);
                    if !left {
                        // Its last binding: the queue is deleted with what it still holds.
                        let queue = &mut self.queues[q];
                        queue.active = false;
                        queue.in_flight = None;
                        queue.catching_up = None;
                        queue.drop_queue(Fate::Discarded);
                    }
                }
            }
            PubSubAction::StopService { service } => {
                let svc = index(&service);
                if self.service_up[svc as usize] {
                    self.service_up[svc as usize] = false;
                    for sub in self.queues.iter_mut().filter(|s| s.service == svc) {
                        sub.catching_up = None;
                        if let Some((e, _)) = sub.in_flight.take() {
                            // Not acknowledged: a durable event still queued is delivered again later; one
                            // an in-memory broker already forgot is gone.
                            if !sub.queue.contains(&e) {
                                sub.set_fate_if_pending(e, Fate::Lost);
                            }
                        }
                        if !sub.durable {
                            sub.drop_queue(Fate::Lost);
                        }
                    }
                }
            }
            PubSubAction::StartService { service } => {
                let svc = index(&service);
                if !self.service_up[svc as usize] {
                    self.service_up[svc as usize] = true;
                    for s in 0..self.queues.len() {
                        let sub = &mut self.queues[s];
                        if sub.service == svc && sub.durable && sub.active {
                            if let Some(&last) = sub.queue.back() {
                                sub.catching_up = Some((now, last, sub.queue.len() as u32));
                            }
                            self.try_deliver(s as u32, now);
                        }
                    }
                }
            }
            PubSubAction::CrashBroker => {
                if self.broker_up {
                    self.broker_up = false;
                    if !self.config.persistent {
                        let mut lost = 0;
                        for sub in self.queues.iter_mut().filter(|s| s.durable) {
                            sub.catching_up = None;
                            // The event being handled is at the service: it can still be handled (its ack
                            // will find nothing to remove).
                            let keep = sub.in_flight.map(|(e, _)| e);
                            let queue: Vec<u64> = sub.queue.drain(..).collect();
                            for e in queue {
                                if Some(e) != keep && sub.fates.get(&e).is_some_and(|f| f.0 == Fate::Pending) {
                                    sub.set_fate_if_pending(e, Fate::Lost);
                                    lost += 1;
                                }
                            }
                        }
                        self.broker_lost += lost as u64;
                        self.note(now, format!("the in-memory broker lost {lost} queued events"));
                    }
                }
            }
            PubSubAction::RestartBroker => {
                if !self.broker_up {
                    self.broker_up = true;
                    for s in 0..self.queues.len() as u32 {
                        self.try_deliver(s, now);
                    }
                }
            }
            PubSubAction::CrashBusProcess => {
                let before = self.bus.backlog();
                self.bus.crash();
                if before > 0 {
                    self.note(now, format!("the event-bus process lost {before} callbacks not yet run"));
                }
            }
            PubSubAction::RestartBusProcess => {
                self.bus.up = true;
                self.bus_next(now);
            }
        }
    }
}

impl Model for PubSubSim {
    type Event = Ev;
    fn scheduler(&mut self) -> &mut Scheduler<Ev> {
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
    fn on_event(&mut self, event: Ev, now: SimTime) {
        self.now = now;
        self.steps += 1;
        self.handle(event, now);
    }
    fn is_settled(&self) -> bool {
        PubSubSim::is_settled(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_publish_logs_every_queue_it_reached_in_one_line() {
        let actions = [(1000, PubSubAction::Publish { topic: "order_created".into(), count: 1 })];
        let config = PubSubConfig { events: 0, ..PubSubConfig::default() };
        let mut sim = PubSubSim::new(1, &config, &actions).expect("valid");
        sim.run_until(1_000_000);
        let line = sim.log.iter().find(|(_, l)| l.starts_with("#0")).map(|(_, l)| l.as_str());
        assert_eq!(
            line,
            Some("#0 order_created → Email (queued), Inventory (queued), Push (pushed), Analytics (pushed)")
        );
    }
}
