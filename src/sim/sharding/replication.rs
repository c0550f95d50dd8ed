//! Replication of every shard on the kernel's scheduler: S shards, each a group of 1 + R nodes (a
//! primary and its replicas, Raft-style elections in `election.rs`) or N nodes without a leader
//! (`leaderless.rs`), a client workload of writes and reads, and the user's live actions (kills,
//! revivals, partitions). One scheduler drives it all; every number is a pure function of
//! (seed, config, actions).
//!
//! The client (the query router) reaches every node whatever the partitions (they cut node-to-node
//! links only); a request to a dead node is refused after one network delay. The client learns a new
//! primary when the primary announces itself (as a topology monitor would tell it), or from a "not the
//! primary, try X" reply (one redirect per request).
//!
//! Lost writes: an acknowledged write sits at (term, index) in the acknowledging primary's log. Raft's
//! safety makes each shard's committed entries one sequence that never changes, so the write is
//! durable once that sequence reaches its index with it there, and lost, for good, if another entry
//! took the index. Under asynchronous replication a write is acknowledged before a majority holds it,
//! so a failover can lose it; under quorum or synchronous replication it is acknowledged only once
//! committed, so it cannot be lost (the property tests check it).

use super::repl_config::{ReplAction, ReplConfig, ReplMode, TimedReplAction};
pub use super::repl_state::{
    Election, Entry, FailReason, Fate, LostWrite, Role, ShardCounts, TimelineEvent, TimelineKind, Truncation, WritePos,
    WriteRec,
};
use super::repl_state::{Node, Shard};
use crate::sim::cow::CowVec;
use crate::sim::hash::splitmix64;
use crate::sim::kernel::{Model, Scheduler, SimRng, SimTime};
use crate::sim::queue::stats::exp_delay_us;
use crate::sim::timeline::TimedRun;
use std::collections::{BTreeMap, VecDeque};

/// A message between two nodes of a shard (the header's term is the sender's).
#[derive(Clone, Debug)]
pub(crate) struct Msg {
    pub shard: u32,
    pub from: u32,
    pub to: u32,
    pub term: u64,
    pub body: Body,
}

#[derive(Clone, Debug)]
pub(crate) enum Body {
    Heartbeat {
        commit: u64,
    },
    Append {
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry>,
        commit: u64,
    },
    /// `index`: on success the last index matched; on failure where the primary should resume.
    AppendResp {
        ok: bool,
        index: u64,
    },
    Vote {
        last_index: u64,
        last_term: u64,
    },
    VoteResp {
        granted: bool,
    },
    /// "Your term is over": only the header's term matters.
    Stale,
}

/// A node's answer to the client.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reply {
    Refused,
    NotPrimary {
        hint: Option<u32>,
    },
    Written {
        term: u64,
        index: u64,
    },
    Stored,
    /// A read's answer: the version held (write id + 1, 0 for none) and whether it includes the latest
    /// acknowledged write when the read was sent.
    Read {
        version: u64,
        fresh: bool,
    },
}

/// A client request in flight.
#[derive(Clone, Debug)]
pub(super) struct Req {
    pub shard: u32,
    pub key: u32,
    pub write: Option<u64>,
    pub node: u32,
    pub redirected: bool,
    pub ok: u32,
    pub refused: u32,
    /// Leaderless reads: the nodes asked, one bit each.
    pub asked: u32,
    /// Leaderless reads: the replies so far (node, version).
    pub replies: Vec<(u32, u64)>,
    pub latest: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) enum Ev {
    Action(u32),
    Sample,
    NextWrite,
    NextRead,
    Net(Msg),
    Request { req: u64, shard: u32, node: u32, key: u32, write: Option<u64>, latest: Option<u64> },
    Reply { req: u64, node: u32, reply: Reply },
    Repair { shard: u32, node: u32, key: u32, version: u64 },
    Timeout { req: u64 },
    Timer { shard: u32, node: u32, epoch: u32 },
    Tick { shard: u32, node: u32, epoch: u32 },
    Announce { shard: u32, node: u32, term: u64 },
}

/// Delays in µs, from the configuration's ms.
#[derive(Clone, Copy, Debug)]
pub(super) struct Delays {
    pub net: u64,
    pub jitter: u64,
    pub lag: u64,
    pub lag_jitter: u64,
    pub timeout_min: u64,
    pub timeout_max: u64,
    pub heartbeat: u64,
    pub request: u64,
}

/// A running replication simulation. A clone is independent and continues exactly as the original
/// would (the timeline's checkpoints are clones).
#[derive(Clone)]
pub struct ReplSim {
    pub(super) config: ReplConfig,
    pub(super) actions: Vec<TimedReplAction>,
    pub(super) scheduler: Scheduler<Ev>,
    pub(super) workload: SimRng,
    pub(super) net: SimRng,
    pub(super) d: Delays,
    pub(super) n: u32,
    pub(super) shards: Vec<Shard>,
    pub(super) writes: CowVec<WriteRec>,
    pub(super) pending: BTreeMap<u64, Req>,
    pub(super) next_req: u64,
    pub(super) timeline: CowVec<TimelineEvent>,
    pub(super) elections: CowVec<Election>,
    pub(super) lost: CowVec<LostWrite>,
    pub(super) truncations: Vec<Truncation>,
    /// Safety properties seen broken while running (none unless the core has a bug).
    pub(super) broken: Vec<String>,
    /// Acknowledged writes' latency, µs.
    pub(super) latencies: CowVec<u32>,
    pub(super) sample_times: CowVec<SimTime>,
    pub(super) finished: bool,
    pub(super) events: u64,
    pub(super) now: SimTime,
}

const NET_STREAM: u64 = 0x4E_E7;

impl ReplSim {
    /// A run ready to start; refuses a configuration or action outside the limits, or a run over the
    /// work budget.
    pub fn new(seed: u64, config: &ReplConfig, actions: &[TimedReplAction]) -> Result<Self, String> {
        config.validate()?;
        config.validate_actions(actions)?;
        super::repl_budget::estimate_work(config, actions).check()?;
        let n = config.group_size();
        let keys = config.keys_per_shard as usize;
        let (lag, lag_jitter) = match config.mode {
            ReplMode::Async { lag_ms, jitter_ms } => (lag_ms * 1000, jitter_ms * 1000),
            _ => (0, 0),
        };
        let d = Delays {
            net: config.network_ms * 1000,
            jitter: config.network_jitter_ms * 1000,
            lag,
            lag_jitter,
            timeout_min: config.election_timeout_min_ms * 1000,
            timeout_max: config.election_timeout_max_ms * 1000,
            heartbeat: config.heartbeat_ms * 1000,
            request: config.request_timeout_ms * 1000,
        };
        let leaderless = !config.mode.has_primary();
        let node = Node {
            up: true,
            role: if leaderless { Role::Replica } else { Role::Follower },
            term: 0,
            voted_for: None,
            log: CowVec::new(),
            commit: 0,
            leader: None,
            verified: 0,
            side: 0,
            deadline: 0,
            timer_at: None,
            timer_gen: 0,
            tick_gen: 0,
            votes: 0,
            next: Vec::new(),
            matched: Vec::new(),
            inflight: Vec::new(),
            waiting: VecDeque::new(),
            kv: vec![0; keys],
            behind: 0,
        };
        let shard = Shard {
            nodes: vec![node; n as usize],
            committed: CowVec::new(),
            awaiting: BTreeMap::new(),
            router: (0, 0),
            latest_acked: vec![None; keys],
            newest: if leaderless { vec![0; keys] } else { Vec::new() },
            lag: vec![CowVec::new(); n as usize],
            counts: ShardCounts::default(),
        };
        let mut sim = Self {
            config: config.clone(),
            actions: actions.to_vec(),
            scheduler: Scheduler::new(),
            workload: SimRng::new(seed),
            net: SimRng::new(splitmix64(seed ^ NET_STREAM)),
            d,
            n,
            shards: vec![shard; config.shards as usize],
            writes: CowVec::new(),
            pending: BTreeMap::new(),
            next_req: 0,
            timeline: CowVec::new(),
            elections: CowVec::new(),
            lost: CowVec::new(),
            truncations: Vec::new(),
            broken: Vec::new(),
            latencies: CowVec::new(),
            sample_times: CowVec::new(),
            finished: false,
            events: 0,
            now: 0,
        };
        for (i, (at, _)) in actions.iter().enumerate() {
            sim.scheduler.schedule_at(at * 1000, Ev::Action(i as u32));
        }
        if !leaderless {
            for s in 0..config.shards as usize {
                sim.bootstrap(s);
            }
        }
        if config.writes_per_s > 0 {
            let gap = exp_delay_us(&mut sim.workload, 1e6 / f64::from(config.writes_per_s));
            sim.scheduler.schedule_at(gap, Ev::NextWrite);
        }
        if config.reads_per_s > 0 {
            let gap = exp_delay_us(&mut sim.workload, 1e6 / f64::from(config.reads_per_s));
            sim.scheduler.schedule_at(gap, Ev::NextRead);
        }
        sim.scheduler.schedule_at(0, Ev::Sample);
        Ok(sim)
    }

    /// The configuration of the run.
    pub fn config(&self) -> &ReplConfig {
        &self.config
    }

    /// The virtual time of the last processed event, µs.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Events processed so far.
    pub fn steps(&self) -> u64 {
        self.events
    }

    /// True once the horizon is reached.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Processes the next event; returns its virtual time (µs), or `None` when the run is over.
    pub fn step(&mut self) -> Option<SimTime> {
        self.step_event()
    }

    /// The time of the next event (`None` once the run is over). One past the horizon is where the next
    /// step ends the run.
    pub fn next_event_us(&self) -> Option<SimTime> {
        if self.finished {
            return None;
        }
        self.scheduler.peek_time()
    }

    /// Processes every event up to and including virtual time `t_us`.
    pub fn run_until(&mut self, t_us: SimTime) {
        self.run_events_until(t_us);
    }

    /// Runs to the horizon.
    pub fn run(&mut self) {
        self.run_to_end();
    }

    /// Every client write so far, by id.
    pub fn writes(&self) -> &CowVec<WriteRec> {
        &self.writes
    }

    /// Every primary elected so far (the bootstrap primaries of term 1 included).
    pub fn elections(&self) -> &CowVec<Election> {
        &self.elections
    }

    /// Shard `s`'s committed entries.
    pub fn committed(&self, s: usize) -> &CowVec<Entry> {
        &self.shards[s].committed
    }

    /// The log of node `v` of shard `s`.
    pub fn log(&self, s: usize, v: usize) -> &CowVec<Entry> {
        &self.shards[s].nodes[v].log
    }

    /// Whether shard `s` can serve a query now, for the query router: `Ok` with the node the client routes
    /// to (an up primary of the newest term it knows; leaderless: any up node), or the error a query
    /// needing the shard gets, as a sentence.
    pub fn serving(&self, s: usize) -> Result<u32, String> {
        let shard = &self.shards[s];
        if self.shard_down(s) {
            return Err(FailReason::ShardDown.sentence(s as u32));
        }
        if !self.config.mode.has_primary() {
            let up = shard.nodes.iter().filter(|n| n.up).count() as u32;
            let need = self.leaderless_need(false).max(self.leaderless_need(true));
            let v = shard.nodes.iter().position(|n| n.up).expect("a node is up") as u32;
            return if up >= need { Ok(v) } else { Err(FailReason::TooFewReplies.sentence(s as u32)) };
        }
        let (v, _) = shard.router;
        let node = &shard.nodes[v as usize];
        match (node.up, node.role) {
            (true, Role::Primary) => Ok(v),
            (false, _) => Err(FailReason::NodeDown.sentence(s as u32)),
            _ => Err(FailReason::NoPrimary.sentence(s as u32)),
        }
    }

    /// A one-way network delay: the base plus a uniform jitter.
    pub(super) fn net_delay(&mut self) -> SimTime {
        self.d.net + self.net.below(self.d.jitter + 1)
    }

    /// True when no node of shard `s` is up.
    pub(super) fn shard_down(&self, s: usize) -> bool {
        self.shards[s].nodes.iter().all(|n| !n.up)
    }

    fn handle(&mut self, ev: Ev, now: SimTime) {
        match ev {
            Ev::Action(i) => self.apply(i as usize),
            Ev::Sample => {
                self.sample();
                self.scheduler.schedule_at(now + self.config.sample_every_ms * 1000, Ev::Sample);
            }
            Ev::NextWrite => {
                let (s, key) = self.pick_shard_key();
                self.issue_write(s, key);
                let gap = exp_delay_us(&mut self.workload, 1e6 / f64::from(self.config.writes_per_s));
                self.scheduler.schedule_at(now + gap, Ev::NextWrite);
            }
            Ev::NextRead => {
                let (s, key) = self.pick_shard_key();
                self.issue_read(s, key);
                let gap = exp_delay_us(&mut self.workload, 1e6 / f64::from(self.config.reads_per_s));
                self.scheduler.schedule_at(now + gap, Ev::NextRead);
            }
            Ev::Net(msg) => {
                let shard = &self.shards[msg.shard as usize];
                let (from, to) = (&shard.nodes[msg.from as usize], &shard.nodes[msg.to as usize]);
                // Dropped: the receiver is down, or the link is cut by a partition.
                if to.up && from.side == to.side {
                    self.on_message(msg);
                }
            }
            Ev::Request { req, shard, node, key, write, latest } => {
                self.on_request(req, shard as usize, node as usize, key, write, latest);
            }
            Ev::Reply { req, node, reply } => self.on_reply(req, node, reply),
            Ev::Repair { shard, node, key, version } => {
                if self.shards[shard as usize].nodes[node as usize].up {
                    self.store(shard as usize, node as usize, key, version);
                }
            }
            Ev::Timeout { req } => {
                if let Some(r) = self.pending.get(&req) {
                    let (s, v) = (r.shard as usize, r.node as usize);
                    let reason = if !self.config.mode.has_primary() {
                        FailReason::TooFewReplies
                    } else if self.shard_down(s) {
                        FailReason::ShardDown
                    } else if !self.shards[s].nodes[v].up {
                        FailReason::NodeDown
                    } else {
                        FailReason::NotAcknowledged
                    };
                    self.fail(req, reason);
                }
            }
            Ev::Timer { shard, node, epoch } => self.on_timer(shard as usize, node as usize, epoch),
            Ev::Tick { shard, node, epoch } => {
                let n = &self.shards[shard as usize].nodes[node as usize];
                if n.up && n.role == Role::Primary && n.tick_gen == epoch {
                    self.tick(shard as usize, node as usize);
                }
            }
            Ev::Announce { shard, node, term } => {
                let router = &mut self.shards[shard as usize].router;
                if term > router.1 {
                    *router = (node, term);
                }
            }
        }
    }

    fn apply(&mut self, i: usize) {
        let action = self.actions[i].1.clone();
        let s = action.shard() as usize;
        match action {
            ReplAction::KillNode { node, .. } => self.kill(s, node as usize),
            ReplAction::ReviveNode { node, .. } => self.revive(s, node as usize),
            ReplAction::KillPrimary { .. } => {
                let primary = (0..self.n as usize)
                    .filter(|&v| self.shards[s].nodes[v].up && self.shards[s].nodes[v].role == Role::Primary)
                    .max_by_key(|&v| (self.shards[s].nodes[v].term, std::cmp::Reverse(v)));
                if let Some(v) = primary {
                    self.kill(s, v);
                }
            }
            ReplAction::KillShard { .. } => (0..self.n as usize).for_each(|v| self.kill(s, v)),
            ReplAction::ReviveShard { .. } => (0..self.n as usize).for_each(|v| self.revive(s, v)),
            ReplAction::Partition { groups, .. } => {
                for (v, node) in self.shards[s].nodes.iter_mut().enumerate() {
                    node.side = groups.iter().position(|g| g.contains(&(v as u32))).unwrap_or(groups.len()) as u32;
                }
                self.mark(s, None, TimelineKind::Partitioned { groups });
            }
            ReplAction::Heal { .. } => {
                self.shards[s].nodes.iter_mut().for_each(|n| n.side = 0);
                self.mark(s, None, TimelineKind::Healed);
            }
            ReplAction::WriteBurst { count, .. } => {
                for _ in 0..count {
                    let key = self.workload.below(u64::from(self.config.keys_per_shard)) as u32;
                    self.issue_write(s, key);
                }
            }
        }
    }

    /// Adds a moment to the timeline.
    pub(super) fn mark(&mut self, s: usize, v: Option<usize>, kind: TimelineKind) {
        let term = v.map_or(0, |v| self.shards[s].nodes[v].term);
        let event = TimelineEvent { at_us: self.now, shard: s as u32, node: v.map(|v| v as u32), term, kind };
        self.timeline.push(event);
    }

    fn kill(&mut self, s: usize, v: usize) {
        let node = &mut self.shards[s].nodes[v];
        if !node.up {
            return;
        }
        node.up = false;
        if node.role != Role::Replica {
            node.role = Role::Follower;
        }
        node.waiting.clear();
        node.votes = 0;
        node.timer_gen += 1;
        node.tick_gen += 1;
        node.timer_at = None;
        self.mark(s, Some(v), TimelineKind::Killed);
    }

    fn revive(&mut self, s: usize, v: usize) {
        let node = &mut self.shards[s].nodes[v];
        if node.up {
            return;
        }
        node.up = true;
        node.leader = None;
        node.verified = 0;
        self.mark(s, Some(v), TimelineKind::Revived);
        if self.config.mode.has_primary() {
            self.reset_timer(s, v);
        }
    }

    /// Records every node's lag.
    fn sample(&mut self) {
        if self.sample_times.last() == Some(&self.now) {
            return;
        }
        self.sample_times.push(self.now);
        let leaderless = !self.config.mode.has_primary();
        for shard in &mut self.shards {
            // The reference log: the up primary of the highest term, else the longest up log.
            let reference = shard
                .nodes
                .iter()
                .filter(|n| n.up && n.role == Role::Primary)
                .max_by_key(|n| n.term)
                .or_else(|| shard.nodes.iter().filter(|n| n.up).max_by_key(|n| n.last_index()))
                .map_or(0, Node::last_index);
            for (node, series) in shard.nodes.iter().zip(shard.lag.iter_mut()) {
                let lag = if leaderless { u64::from(node.behind) } else { reference.saturating_sub(node.last_index()) };
                series.push(lag.min(u64::from(u32::MAX)) as u32);
            }
        }
    }
}

impl Model for ReplSim {
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
        self.finished = true;
        self.now = self.now.max(at);
        self.sample();
    }
    fn on_event(&mut self, event: Ev, now: SimTime) {
        self.now = now;
        self.events += 1;
        self.handle(event, now);
    }
    fn is_settled(&self) -> bool {
        // Timers and the workload run to the horizon.
        false
    }
}

/// The timeline's view of the run (checkpoints, seeks).
impl TimedRun for ReplSim {
    fn step(&mut self) -> Option<SimTime> {
        ReplSim::step(self)
    }
    fn run_until(&mut self, t_us: SimTime) {
        ReplSim::run_until(self, t_us)
    }
    fn now(&self) -> SimTime {
        ReplSim::now(self)
    }
    fn events(&self) -> u64 {
        ReplSim::steps(self)
    }
    fn is_finished(&self) -> bool {
        ReplSim::is_finished(self)
    }
    fn approx_bytes(&self) -> usize {
        ReplSim::approx_bytes(self)
    }
    fn approx_bytes_beyond(&self, earlier: &Self) -> usize {
        ReplSim::approx_bytes_beyond(self, Some(earlier))
    }
}
