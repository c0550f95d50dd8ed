//! The partitioned log run: producers append keyed records to partitions, consumer groups poll them in
//! batches, commit offsets before or after the work, crash, join and leave; the group coordinator
//! rebalances eagerly (everyone stops). One scheduler drives it all; every number is a pure function
//! of (seed, config, actions).
//!
//! A consumer handles one record at a time (a Kafka consumer's single poll loop): it polls one batch
//! of up to `batch_max` records from the next of its partitions that has any (round-robin), handles
//! them in offset order, then polls again.

use super::assign::assign;
use super::config::{CommitMode, StreamAction, StreamConfig, TimedStreamAction};
use super::murmur2::{customer_key, partition_for};
use crate::sim::cow::CowVec;
use crate::sim::hash::{hash_str, splitmix64};
use crate::sim::kernel::{Model, Scheduler, SimRng, SimTime};
use crate::sim::queue::stats::exp_delay_us;
use crate::sim::timeline::vec_bytes;

/// One record of the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Record {
    /// Global production number (0-based).
    pub id: u64,
    pub partition: u32,
    /// Position in its partition (0-based, contiguous).
    pub offset: u64,
    /// The customer number; the record key is `customer-{key}`.
    pub key: u32,
    /// This key's record number (0-based): the order the customer placed them in.
    pub key_seq: u64,
    pub published_at: SimTime,
}

/// Records one poll returned, from one partition: `start..end`, `next` the one in hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Batch {
    pub partition: u32,
    pub start: u64,
    pub next: u64,
    pub end: u64,
}

/// A consumer as the simulation holds it.
#[derive(Clone, Debug)]
pub(super) struct Consumer {
    pub name: String,
    pub alive: bool,
    /// In the group as the coordinator sees it (a crashed consumer stays until its session times out).
    pub member: bool,
    /// Incarnation: stale timers of an earlier life are ignored.
    pub epoch: u32,
    pub slow_pct: u32,
    pub partitions: Vec<u32>,
    rr: usize,
    pub batch: Option<Batch>,
    poll_pending: bool,
    pub handled: u64,
    /// A member when the partitions were last assigned (shown in the next rebalance's "before").
    in_last_assignment: bool,
    /// Last offset this incarnation handled, per partition (the ordering check).
    last_seen: Vec<Option<u64>>,
}

/// A rebalance in progress.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    pub started: SimTime,
    pub triggers: Vec<String>,
    round: u32,
    /// When every live member had finished its batch (the stop-the-world sync began).
    pub sync_from: Option<SimTime>,
    pub lag_at_sync: u64,
    pub before: Vec<(String, Vec<u32>)>,
}

/// A finished rebalance.
#[derive(Clone, Debug, PartialEq)]
pub struct Rebalance {
    pub started: SimTime,
    pub sync_from: SimTime,
    pub done: SimTime,
    pub triggers: Vec<String>,
    pub generation: u32,
    pub before: Vec<(String, Vec<u32>)>,
    pub after: Vec<(String, Vec<u32>)>,
    /// Total lag (log end minus committed, over all partitions) when the sync began and when it ended.
    pub lag_at_sync: u64,
    pub lag_at_end: u64,
}

/// A crash and what it left behind on the consumer's partitions.
#[derive(Clone, Debug, PartialEq)]
pub struct Crash {
    pub consumer: String,
    pub at: SimTime,
    /// Records committed but not handled (they will never be handled: lost).
    pub in_flight: u64,
    /// Records handled but not committed (the next owner handles them again: duplicates).
    pub handled_uncommitted: u64,
}

/// `CowVec::bytes_beyond` over parallel lists of vectors.
fn beyond_each<T>(vs: &[CowVec<T>], earlier: Option<&[CowVec<T>]>) -> usize {
    vs.iter().enumerate().map(|(i, v)| v.bytes_beyond(earlier.and_then(|e| e.get(i)))).sum()
}

/// A consumer group as the simulation holds it.
#[derive(Clone)]
pub(super) struct Group {
    pub name: String,
    pub commit: CommitMode,
    pub consumers: Vec<Consumer>,
    pub committed: Vec<u64>,
    pub position: Vec<u64>,
    pub owner: Vec<Option<usize>>,
    pub generation: u32,
    pub rebalance: Option<Pending>,
    pub rebalances: Vec<Rebalance>,
    pub crashes: Vec<Crash>,
    rng: SimRng,
    /// Times each record (by id) was handled, and when first.
    pub effects: CowVec<u32>,
    pub first_effect: CowVec<Option<SimTime>>,
    /// Records handled at least once (the `Some`s of `first_effect`), kept so a sample is not a scan.
    handled_once: u64,
    pub order_violations: u64,
    pub first_violation: Option<String>,
    /// Lag per partition at each sample.
    pub lag: Vec<CowVec<u32>>,
    /// Records published and not yet handled, at each sample.
    pub backlog: CowVec<u64>,
}

impl Group {
    /// Bytes held beyond the struct: offsets, effects, lag series, consumers, rebalances and crashes;
    /// the log chunks `earlier` shares left out.
    fn approx_bytes_beyond(&self, earlier: Option<&Self>) -> usize {
        let names = |a: &[(String, Vec<u32>)]| a.iter().map(|(n, p)| n.capacity() + vec_bytes(p)).sum::<usize>();
        vec_bytes(&self.consumers)
            + self
                .consumers
                .iter()
                .map(|c| c.name.capacity() + vec_bytes(&c.partitions) + vec_bytes(&c.last_seen))
                .sum::<usize>()
            + vec_bytes(&self.committed)
            + vec_bytes(&self.position)
            + vec_bytes(&self.owner)
            + vec_bytes(&self.rebalances)
            + self
                .rebalances
                .iter()
                .map(|r| {
                    vec_bytes(&r.triggers)
                        + r.triggers.iter().map(String::capacity).sum::<usize>()
                        + vec_bytes(&r.before)
                        + names(&r.before)
                        + vec_bytes(&r.after)
                        + names(&r.after)
                })
                .sum::<usize>()
            + vec_bytes(&self.crashes)
            + self.crashes.iter().map(|c| c.consumer.capacity()).sum::<usize>()
            + self.effects.bytes_beyond(earlier.map(|e| &e.effects))
            + self.first_effect.bytes_beyond(earlier.map(|e| &e.first_effect))
            + self.first_violation.as_ref().map_or(0, String::capacity)
            + vec_bytes(&self.lag)
            + beyond_each(&self.lag, earlier.map(|e| &e.lag[..]))
            + self.backlog.bytes_beyond(earlier.map(|e| &e.backlog))
    }

    /// Total lag now: log end minus committed offset, over all partitions.
    pub fn lag_total(&self, log: &[CowVec<Record>]) -> u64 {
        log.iter().zip(&self.committed).map(|(l, &c)| l.len() as u64 - c).sum()
    }

    /// The consumers of the last assignment with their partitions, sorted by name.
    pub fn assignment(&self) -> Vec<(String, Vec<u32>)> {
        let mut a: Vec<_> = self
            .consumers
            .iter()
            .filter(|c| c.in_last_assignment)
            .map(|c| (c.name.clone(), c.partitions.clone()))
            .collect();
        a.sort();
        a
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Ev {
    Produce,
    Action(u32),
    Sample,
    Poll { g: u32, c: u32, epoch: u32 },
    Handled { g: u32, c: u32, epoch: u32 },
    SessionExpired { g: u32, c: u32, epoch: u32 },
    AutoCommit { g: u32, c: u32, epoch: u32 },
    RebalanceDone { g: u32, round: u32 },
}

/// A running partitioned-log simulation. A clone is independent and continues exactly as the original
/// would (the timeline's checkpoints are clones).
#[derive(Clone)]
pub struct StreamSim {
    pub(super) config: StreamConfig,
    actions: Vec<TimedStreamAction>,
    scheduler: Scheduler<Ev>,
    arrivals: SimRng,
    bursts: SimRng,
    key_partition: Vec<u32>,
    key_next_seq: Vec<u64>,
    pub(super) records: CowVec<Record>,
    pub(super) log: Vec<CowVec<Record>>,
    pub(super) groups: Vec<Group>,
    poisson_sent: u32,
    actions_done: usize,
    pub(super) finished: bool,
    pub(super) events: u64,
    pub(super) samples: u64,
    now: SimTime,
}

const BURST_STREAM: u64 = 0xB0_257;
const GROUP_STREAM: u64 = 0x6_7009;

impl StreamSim {
    /// A run ready to start; refuses a configuration or action outside the limits.
    pub fn new(seed: u64, config: &StreamConfig, actions: &[TimedStreamAction]) -> Result<Self, String> {
        config.validate()?;
        config.validate_actions(actions)?;
        super::budget::estimate_work(config, actions).check()?;
        let p = config.partitions as usize;
        let key_partition =
            (0..config.keys).map(|k| partition_for(customer_key(k).as_bytes(), config.partitions)).collect();
        let groups = config
            .groups
            .iter()
            .map(|spec| Group {
                name: spec.name.clone(),
                commit: spec.commit,
                consumers: spec.consumers.iter().map(|n| new_consumer(n, p)).collect(),
                committed: vec![0; p],
                position: vec![0; p],
                owner: vec![None; p],
                generation: 0,
                rebalance: None,
                rebalances: Vec::new(),
                crashes: Vec::new(),
                rng: SimRng::new(splitmix64(seed ^ GROUP_STREAM ^ hash_str(&spec.name))),
                effects: CowVec::new(),
                first_effect: CowVec::new(),
                handled_once: 0,
                order_violations: 0,
                first_violation: None,
                lag: vec![CowVec::new(); p],
                backlog: CowVec::new(),
            })
            .collect();
        let mut sim = Self {
            config: config.clone(),
            actions: actions.to_vec(),
            scheduler: Scheduler::new(),
            arrivals: SimRng::new(seed),
            bursts: SimRng::new(splitmix64(seed ^ BURST_STREAM)),
            key_partition,
            key_next_seq: vec![0; config.keys as usize],
            records: CowVec::new(),
            log: vec![CowVec::new(); p],
            groups,
            poisson_sent: 0,
            actions_done: 0,
            finished: false,
            events: 0,
            samples: 0,
            now: 0,
        };
        for (i, (at, _)) in actions.iter().enumerate() {
            sim.scheduler.schedule_at(at * 1000, Ev::Action(i as u32));
        }
        for g in 0..sim.groups.len() {
            sim.install_assignment(g);
            for c in 0..sim.groups[g].consumers.len() {
                sim.start_auto_commit(g, c, 0);
            }
        }
        let first = sim.next_gap();
        sim.scheduler.schedule_at(first, Ev::Produce);
        sim.scheduler.schedule_at(0, Ev::Sample);
        Ok(sim)
    }

    /// The virtual time of the last processed event, µs.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// True when every record is produced and committed by every group and every action applied, or
    /// the horizon was reached.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Every record produced so far, in production order.
    pub fn records(&self) -> &CowVec<Record> {
        &self.records
    }

    /// The finished rebalances of group `g` (index in the configuration), in µs.
    pub fn rebalances(&self, g: usize) -> &[Rebalance] {
        &self.groups[g].rebalances
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
    /// every collection that grows with the run, by capacity × element size (see `sim::timeline`),
    /// leaving out the log chunks `earlier` (a copy this run continues) shares with it.
    pub fn approx_bytes_beyond(&self, earlier: Option<&Self>) -> usize {
        size_of::<Self>()
            + self.scheduler.approx_bytes()
            + vec_bytes(&self.actions)
            + vec_bytes(&self.key_partition)
            + vec_bytes(&self.key_next_seq)
            + self.records.bytes_beyond(earlier.map(|e| &e.records))
            + vec_bytes(&self.log)
            + beyond_each(&self.log, earlier.map(|e| &e.log[..]))
            + vec_bytes(&self.groups)
            + self
                .groups
                .iter()
                .enumerate()
                .map(|(g, group)| group.approx_bytes_beyond(earlier.and_then(|e| e.groups.get(g))))
                .sum::<usize>()
    }

    /// `approx_bytes_beyond(None)`: everything the run holds.
    pub fn approx_bytes(&self) -> usize {
        self.approx_bytes_beyond(None)
    }

    fn finish(&mut self, at: SimTime) {
        self.finished = true;
        self.now = self.now.max(at);
        self.sample();
    }

    fn is_settled(&self) -> bool {
        self.poisson_sent == self.config.records
            && self.actions_done == self.actions.len()
            && self.groups.iter().all(|g| {
                g.rebalance.is_none()
                    && g.consumers.iter().all(|c| c.batch.is_none())
                    && g.committed.iter().zip(&self.log).all(|(&c, l)| c == l.len() as u64)
            })
    }

    fn next_gap(&mut self) -> SimTime {
        exp_delay_us(&mut self.arrivals, 60_000_000.0 / f64::from(self.config.rate_per_min))
    }

    fn handle(&mut self, ev: Ev, now: SimTime) {
        match ev {
            Ev::Produce => {
                let key = self.arrivals.below(u64::from(self.config.keys)) as u32;
                self.append(key, now);
                self.poisson_sent += 1;
                if self.poisson_sent < self.config.records {
                    let gap = self.next_gap();
                    self.scheduler.schedule_at(now + gap, Ev::Produce);
                }
            }
            Ev::Action(i) => self.apply(i as usize, now),
            Ev::Sample => {
                self.sample();
                self.scheduler.schedule_at(now + self.config.sample_every_ms * 1000, Ev::Sample);
            }
            Ev::Poll { g, c, epoch } => self.poll(g as usize, c as usize, epoch, now),
            Ev::Handled { g, c, epoch } => self.handled(g as usize, c as usize, epoch, now),
            Ev::SessionExpired { g, c, epoch } => {
                let (g, c) = (g as usize, c as usize);
                let cons = &mut self.groups[g].consumers[c];
                if cons.epoch == epoch && !cons.alive && cons.member {
                    cons.member = false;
                    let why = format!("{}'s session timed out", cons.name);
                    self.trigger(g, why, now);
                }
            }
            Ev::AutoCommit { g, c, epoch } => {
                let (g, c) = (g as usize, c as usize);
                let group = &mut self.groups[g];
                let CommitMode::Auto { every_ms } = group.commit else { return };
                let cons = &group.consumers[c];
                if cons.epoch != epoch || !cons.alive {
                    return;
                }
                for &p in &cons.partitions {
                    group.committed[p as usize] = group.position[p as usize];
                }
                self.scheduler.schedule_at(now + every_ms * 1000, Ev::AutoCommit { g: g as u32, c: c as u32, epoch });
            }
            Ev::RebalanceDone { g, round } => self.rebalance_done(g as usize, round, now),
        }
    }

    fn sample(&mut self) {
        if self.samples >= crate::sim::stream::limits::SAMPLES_MAX + 2 {
            return;
        }
        self.samples += 1;
        let produced = self.records.len() as u64;
        for g in &mut self.groups {
            for (p, l) in self.log.iter().enumerate() {
                g.lag[p].push((l.len() as u64 - g.committed[p]) as u32);
            }
            g.backlog.push(produced - g.handled_once);
        }
    }

    fn append(&mut self, key: u32, now: SimTime) {
        let partition = self.key_partition[key as usize];
        let p = partition as usize;
        let key_seq = self.key_next_seq[key as usize];
        self.key_next_seq[key as usize] += 1;
        let record = Record {
            id: self.records.len() as u64,
            partition,
            offset: self.log[p].len() as u64,
            key,
            key_seq,
            published_at: now,
        };
        self.records.push(record);
        self.log[p].push(record);
        for (g, group) in self.groups.iter_mut().enumerate() {
            group.effects.push(0);
            group.first_effect.push(None);
            if group.rebalance.is_some() {
                continue;
            }
            if let Some(c) = group.owner[p] {
                let cons = &mut group.consumers[c];
                if cons.alive && cons.member && cons.batch.is_none() && !cons.poll_pending {
                    cons.poll_pending = true;
                    self.scheduler.schedule_at(now, Ev::Poll { g: g as u32, c: c as u32, epoch: cons.epoch });
                }
            }
        }
    }

    fn handle_time(&mut self, g: usize, c: usize) -> SimTime {
        let slow = f64::from(self.groups[g].consumers[c].slow_pct) / 100.0;
        exp_delay_us(&mut self.groups[g].rng, self.config.handle_ms as f64 * 1000.0 * slow)
    }

    fn poll(&mut self, g: usize, c: usize, epoch: u32, now: SimTime) {
        let batch_max = u64::from(self.config.batch_max);
        let group = &mut self.groups[g];
        let cons = &mut group.consumers[c];
        if cons.epoch != epoch {
            return;
        }
        cons.poll_pending = false;
        if !cons.alive || !cons.member || cons.batch.is_some() || group.rebalance.is_some() {
            return;
        }
        let n = cons.partitions.len();
        for k in 0..n {
            let p = cons.partitions[(cons.rr + k) % n] as usize;
            let (pos, log_end) = (group.position[p], self.log[p].len() as u64);
            if pos < log_end {
                cons.rr = (cons.rr + k + 1) % n;
                let end = (pos + batch_max).min(log_end);
                group.position[p] = end;
                if group.commit == CommitMode::BeforeWork {
                    group.committed[p] = end;
                }
                cons.batch = Some(Batch { partition: p as u32, start: pos, next: pos, end });
                let t = self.handle_time(g, c);
                self.scheduler.schedule_at(now + t, Ev::Handled { g: g as u32, c: c as u32, epoch });
                return;
            }
        }
    }

    fn handled(&mut self, g: usize, c: usize, epoch: u32, now: SimTime) {
        let group = &mut self.groups[g];
        let cons = &mut group.consumers[c];
        if cons.epoch != epoch || !cons.alive {
            return;
        }
        let Some(b) = cons.batch.as_mut() else { return };
        let p = b.partition as usize;
        let record = self.log[p][b.next as usize];
        let id = record.id as usize;
        group.effects[id] += 1;
        if group.first_effect[id].is_none() {
            group.first_effect[id] = Some(now);
            group.handled_once += 1;
        }
        if cons.last_seen[p].is_some_and(|last| record.offset <= last) {
            group.order_violations += 1;
            group.first_violation.get_or_insert_with(|| {
                format!("{} handled offset {} of P{p} after offset {:?}", cons.name, record.offset, cons.last_seen[p])
            });
        }
        cons.last_seen[p] = Some(record.offset);
        cons.handled += 1;
        b.next += 1;
        if b.next < b.end {
            let t = self.handle_time(g, c);
            self.scheduler.schedule_at(now + t, Ev::Handled { g: g as u32, c: c as u32, epoch });
            return;
        }
        let end = b.end;
        cons.batch = None;
        let leaving = !cons.member;
        match group.commit {
            CommitMode::AfterWork => group.committed[p] = end,
            CommitMode::BeforeWork => {}
            CommitMode::Auto { .. } => {
                // On a rebalance (or a leave) the consumer commits its position before giving up its
                // partitions, as Kafka's auto-commit does in `onPartitionsRevoked`.
                if group.rebalance.is_some() || leaving {
                    for &q in &cons.partitions {
                        group.committed[q as usize] = group.position[q as usize];
                    }
                }
            }
        }
        if group.rebalance.is_some() {
            self.check_join(g, now);
        } else if !leaving {
            cons.poll_pending = true;
            self.scheduler.schedule_at(now, Ev::Poll { g: g as u32, c: c as u32, epoch });
        }
    }

    /// The group stops: every live member finishes its batch, then the sync takes `rebalance_ms`.
    fn trigger(&mut self, g: usize, why: String, now: SimTime) {
        let rebalance_us = self.config.rebalance_ms * 1000;
        let group = &mut self.groups[g];
        if matches!(group.commit, CommitMode::Auto { .. }) {
            // Members between batches commit their position as they join (Kafka's auto-commit on
            // revocation); those with a batch in hand do it when the batch is done.
            for cons in group.consumers.iter().filter(|c| c.alive && c.batch.is_none()) {
                for &p in &cons.partitions {
                    group.committed[p as usize] = group.position[p as usize];
                }
            }
        }
        match &mut group.rebalance {
            None => {
                let before = group.assignment();
                group.rebalance = Some(Pending {
                    started: now,
                    triggers: vec![why],
                    round: 0,
                    sync_from: None,
                    lag_at_sync: 0,
                    before,
                });
            }
            Some(r) => {
                r.triggers.push(why);
                r.round += 1;
                if r.sync_from.is_some() {
                    let round = r.round;
                    self.scheduler.schedule_at(now + rebalance_us, Ev::RebalanceDone { g: g as u32, round });
                }
            }
        }
        self.check_join(g, now);
    }

    fn check_join(&mut self, g: usize, now: SimTime) {
        let lag = self.groups[g].lag_total(&self.log);
        let group = &mut self.groups[g];
        let Some(r) = group.rebalance.as_mut() else { return };
        if r.sync_from.is_some() || group.consumers.iter().any(|c| c.alive && c.batch.is_some()) {
            return;
        }
        r.sync_from = Some(now);
        r.lag_at_sync = lag;
        let round = r.round;
        self.scheduler.schedule_at(now + self.config.rebalance_ms * 1000, Ev::RebalanceDone { g: g as u32, round });
    }

    fn rebalance_done(&mut self, g: usize, round: u32, now: SimTime) {
        if self.groups[g].rebalance.as_ref().is_none_or(|r| r.round != round) {
            return;
        }
        let pending = self.groups[g].rebalance.take().expect("checked");
        self.install_assignment(g);
        let lag_at_end = self.groups[g].lag_total(&self.log);
        let group = &mut self.groups[g];
        group.rebalances.push(Rebalance {
            started: pending.started,
            sync_from: pending.sync_from.unwrap_or(now),
            done: now,
            triggers: pending.triggers,
            generation: group.generation,
            before: pending.before,
            after: group.assignment(),
            lag_at_sync: pending.lag_at_sync,
            lag_at_end,
        });
        for (c, cons) in group.consumers.iter_mut().enumerate() {
            if cons.alive && cons.member && !cons.partitions.is_empty() && !cons.poll_pending {
                cons.poll_pending = true;
                self.scheduler.schedule_at(now, Ev::Poll { g: g as u32, c: c as u32, epoch: cons.epoch });
            }
        }
    }

    /// The leader's assignment over the current members (sorted by name); positions restart at the
    /// committed offsets.
    fn install_assignment(&mut self, g: usize) {
        let (assignor, partitions) = (self.config.assignor, self.config.partitions);
        let group = &mut self.groups[g];
        let mut members: Vec<usize> = (0..group.consumers.len()).filter(|&c| group.consumers[c].member).collect();
        members.sort_by(|&a, &b| group.consumers[a].name.cmp(&group.consumers[b].name));
        for cons in &mut group.consumers {
            cons.partitions.clear();
            cons.rr = 0;
            cons.in_last_assignment = cons.member;
        }
        group.owner.iter_mut().for_each(|o| *o = None);
        for (m, parts) in members.iter().zip(assign(assignor, partitions, members.len())) {
            for &p in &parts {
                group.owner[p as usize] = Some(*m);
            }
            group.consumers[*m].partitions = parts;
        }
        group.position.clone_from(&group.committed);
        group.generation += 1;
    }

    fn start_auto_commit(&mut self, g: usize, c: usize, now: SimTime) {
        if let CommitMode::Auto { every_ms } = self.groups[g].commit {
            let epoch = self.groups[g].consumers[c].epoch;
            self.scheduler.schedule_at(now + every_ms * 1000, Ev::AutoCommit { g: g as u32, c: c as u32, epoch });
        }
    }

    fn apply(&mut self, i: usize, now: SimTime) {
        self.actions_done += 1;
        let action = self.actions[i].1.clone();
        let p = self.config.partitions as usize;
        let find = |sim: &Self, group: &str, name: &str| {
            let g = sim.config.group_index(group).expect("validated");
            (g, sim.groups[g].consumers.iter().position(|c| c.name == name))
        };
        match action {
            StreamAction::AddConsumer { group, name } => {
                let (g, c) = find(self, &group, &name);
                let c = match c {
                    Some(c) => {
                        let cons = &mut self.groups[g].consumers[c];
                        if cons.alive && cons.member {
                            return;
                        }
                        if cons.alive {
                            // It left and comes back: the same process, batch in hand and all.
                            cons.member = true;
                            self.trigger(g, format!("{name} rejoined"), now);
                            return;
                        }
                        renew(cons, p);
                        c
                    }
                    None => {
                        self.groups[g].consumers.push(new_consumer(&name, p));
                        self.groups[g].consumers.len() - 1
                    }
                };
                self.start_auto_commit(g, c, now);
                self.trigger(g, format!("{name} joined"), now);
            }
            StreamAction::RemoveConsumer { group, name } => {
                let (g, Some(c)) = find(self, &group, &name) else { return };
                let cons = &mut self.groups[g].consumers[c];
                if cons.member {
                    cons.member = false;
                    self.trigger(g, format!("{name} left"), now);
                }
            }
            StreamAction::CrashConsumer { group, name } => {
                let (g, Some(c)) = find(self, &group, &name) else { return };
                self.crash(g, c, now);
            }
            StreamAction::RestartConsumer { group, name } => {
                let (g, Some(c)) = find(self, &group, &name) else { return };
                let cons = &mut self.groups[g].consumers[c];
                if cons.alive {
                    return;
                }
                renew(cons, p);
                self.start_auto_commit(g, c, now);
                self.trigger(g, format!("{name} restarted and rejoined"), now);
            }
            StreamAction::SlowConsumer { group, name, factor_pct } => {
                let (g, Some(c)) = find(self, &group, &name) else { return };
                self.groups[g].consumers[c].slow_pct = factor_pct;
            }
            StreamAction::Burst { count } => {
                for _ in 0..count {
                    let key = self.bursts.below(u64::from(self.config.keys)) as u32;
                    self.append(key, now);
                }
            }
        }
    }

    fn crash(&mut self, g: usize, c: usize, now: SimTime) {
        let session_us = self.config.session_timeout_ms * 1000;
        let group = &mut self.groups[g];
        let cons = &mut group.consumers[c];
        if !cons.alive {
            return;
        }
        let (mut in_flight, mut handled_uncommitted) = (0, 0);
        for &q in &cons.partitions {
            let q = q as usize;
            let handled_end = match cons.batch {
                Some(b) if b.partition as usize == q => b.next,
                _ => group.position[q],
            };
            in_flight += group.committed[q].saturating_sub(handled_end);
            handled_uncommitted += handled_end.saturating_sub(group.committed[q]);
        }
        group.crashes.push(Crash { consumer: cons.name.clone(), at: now, in_flight, handled_uncommitted });
        cons.alive = false;
        cons.epoch += 1;
        cons.batch = None;
        cons.poll_pending = false;
        if cons.member {
            let epoch = cons.epoch;
            self.scheduler.schedule_at(now + session_us, Ev::SessionExpired { g: g as u32, c: c as u32, epoch });
        }
        self.check_join(g, now);
    }
}

fn new_consumer(name: &str, partitions: usize) -> Consumer {
    Consumer {
        name: name.to_string(),
        alive: true,
        member: true,
        epoch: 0,
        slow_pct: 100,
        partitions: Vec::new(),
        rr: 0,
        batch: None,
        poll_pending: false,
        handled: 0,
        in_last_assignment: false,
        last_seen: vec![None; partitions],
    }
}

/// A consumer (re)joins as a new incarnation.
fn renew(cons: &mut Consumer, partitions: usize) {
    cons.alive = true;
    cons.member = true;
    cons.epoch += 1;
    cons.batch = None;
    cons.poll_pending = false;
    cons.last_seen = vec![None; partitions];
    // A new incarnation owns nothing until the rebalance it triggers assigns it partitions.
    cons.partitions.clear();
}

impl Model for StreamSim {
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
        self.events += 1;
        self.handle(event, now);
    }
    fn is_settled(&self) -> bool {
        StreamSim::is_settled(self)
    }
}
