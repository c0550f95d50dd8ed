//! The nodes of a shard with a primary, in the style of Raft (Ongaro and Ousterhout, "In Search of an
//! Understandable Consensus Algorithm", 2014): terms; a follower that hears no primary for a randomised
//! election timeout becomes a candidate and asks for votes; a node grants one vote per term, only to a
//! candidate whose log is at least as up to date as its own (last term, then last index); a majority of
//! the whole group elects; any message of a higher term makes the receiver a follower of that term.
//!
//! The primary heartbeats every interval and ships its log with append messages that carry the
//! previous entry's index and term; a follower accepts only if it holds that entry, removes entries that
//! conflict with the primary's (never one it knows committed) and otherwise keeps its log. An entry is
//! committed once a majority holds it and it is of the primary's term (Raft's rule; a new primary
//! appends a no-op to commit what came before). Under asynchronous replication appends reach replicas
//! after the configured lag; heartbeats do not wait for it.
//!
//! Simplifications, each safe: a failed append is answered with "resume after my commit index" (every
//! committed entry is in the primary's log, so the next append matches), and the commit index is kept
//! on disk with the log. No pre-vote and no leader lease: a primary cut off in a minority stays primary
//! of its old term until it hears of a newer one (and cannot commit there).

use super::repl_config::ReplMode;
use super::replication::{Body, Election, Entry, Ev, Msg, ReplSim, Reply, Role, TimelineKind, Truncation};
use crate::sim::kernel::SimTime;

impl ReplSim {
    fn majority(&self) -> u32 {
        self.n / 2 + 1
    }

    /// Sends `body` from node `from` to node `to` of shard `s` with the sender's term, after one network
    /// delay plus `extra`.
    fn send(&mut self, s: usize, from: usize, to: usize, body: Body, extra: SimTime) {
        let term = self.shards[s].nodes[from].term;
        let msg = Msg { shard: s as u32, from: from as u32, to: to as u32, term, body };
        let at = self.now + self.net_delay() + extra;
        self.scheduler.schedule_at(at, Ev::Net(msg));
    }

    /// Shard `s` at time 0: every node in term 1, node 0 its primary (as if elected unanimously).
    pub(super) fn bootstrap(&mut self, s: usize) {
        let all = (1u32 << self.n) - 1;
        for v in 0..self.n as usize {
            let node = &mut self.shards[s].nodes[v];
            node.term = 1;
            node.voted_for = Some(0);
            if v != 0 {
                node.leader = Some(0);
                self.reset_timer(s, v);
            }
        }
        self.shards[s].nodes[0].votes = all;
        self.become_primary(s, 0);
        self.shards[s].router = (0, 1);
    }

    /// Draws a new election timeout for node `v` (uniform in min..=max) and makes sure a timer event
    /// is pending no later than it.
    pub(super) fn reset_timer(&mut self, s: usize, v: usize) {
        let span = self.d.timeout_max - self.d.timeout_min;
        let deadline = self.now + self.d.timeout_min + self.net.below(span + 1);
        let node = &mut self.shards[s].nodes[v];
        node.deadline = deadline;
        if node.timer_at.is_none_or(|at| at > deadline) {
            node.timer_gen += 1;
            node.timer_at = Some(deadline);
            let (shard, node, epoch) = (s as u32, v as u32, node.timer_gen);
            self.scheduler.schedule_at(deadline, Ev::Timer { shard, node, epoch });
        }
    }

    pub(super) fn on_timer(&mut self, s: usize, v: usize, epoch: u32) {
        let now = self.now;
        let node = &mut self.shards[s].nodes[v];
        if !node.up || node.timer_gen != epoch {
            return;
        }
        node.timer_at = None;
        if node.role == Role::Primary {
            return;
        }
        if now < node.deadline {
            // Reset since this event was scheduled: wait for the new deadline.
            node.timer_at = Some(node.deadline);
            let at = node.deadline;
            self.scheduler.schedule_at(at, Ev::Timer { shard: s as u32, node: v as u32, epoch });
            return;
        }
        self.campaign(s, v);
    }

    fn campaign(&mut self, s: usize, v: usize) {
        let node = &mut self.shards[s].nodes[v];
        node.term += 1;
        node.role = Role::Candidate;
        node.voted_for = Some(v as u32);
        node.votes = 1 << v;
        node.leader = None;
        node.verified = 0;
        let (last_index, last_term) = (node.last_index(), node.term_at(node.last_index()));
        self.mark(s, Some(v), TimelineKind::Campaign);
        self.reset_timer(s, v);
        if self.majority() == 1 {
            return self.become_primary(s, v);
        }
        for u in (0..self.n as usize).filter(|&u| u != v) {
            self.send(s, v, u, Body::Vote { last_index, last_term }, 0);
        }
    }

    /// Node `v` learns of `term`, newer than its own (or, with its own term, that another node leads):
    /// it becomes a follower.
    fn step_down(&mut self, s: usize, v: usize, term: u64) {
        let node = &mut self.shards[s].nodes[v];
        if term > node.term {
            node.term = term;
            node.voted_for = None;
            node.leader = None;
            node.verified = 0;
        }
        let was_primary = node.role == Role::Primary;
        node.role = Role::Follower;
        node.votes = 0;
        if was_primary {
            // Writes waiting for replicas are not acknowledged: their clients time out.
            node.waiting.clear();
            node.tick_gen += 1;
            self.mark(s, Some(v), TimelineKind::SteppedDown);
        }
        if self.shards[s].nodes[v].timer_at.is_none() {
            self.reset_timer(s, v);
        }
    }

    fn become_primary(&mut self, s: usize, v: usize) {
        let n = self.n as usize;
        let now = self.now;
        let node = &mut self.shards[s].nodes[v];
        node.role = Role::Primary;
        node.leader = Some(v as u32);
        let votes = node.votes.count_ones();
        node.votes = 0;
        let term = node.term;
        node.log.push(Entry { term, write: None, key: 0 });
        let last = node.last_index();
        node.next = vec![last + 1; n];
        node.matched = vec![0; n];
        node.inflight = vec![None; n];
        node.waiting.clear();
        node.tick_gen += 1;
        if let Some(other) = self.elections.iter().find(|e| e.shard == s as u32 && e.term == term) {
            let msg = format!("shard {s}: nodes {} and {v} were both elected primary in term {term}", other.node);
            self.broken.push(msg);
        }
        self.elections.push(Election { shard: s as u32, term, node: v as u32, at_us: now, votes });
        self.mark(s, Some(v), TimelineKind::Won { votes });
        let at = now + self.net_delay();
        self.scheduler.schedule_at(at, Ev::Announce { shard: s as u32, node: v as u32, term });
        self.tick(s, v);
    }

    /// The primary's heartbeat: to every other node, plus an append to each that is behind and has none
    /// in flight (or one sent long enough ago to be presumed lost).
    pub(super) fn tick(&mut self, s: usize, p: usize) {
        let retry = 2 * (self.d.net + self.d.jitter + self.d.lag + self.d.lag_jitter) + self.d.heartbeat;
        for f in (0..self.n as usize).filter(|&f| f != p) {
            let node = &self.shards[s].nodes[p];
            let commit = node.commit;
            let behind = node.matched[f] < node.last_index();
            let stalled = node.inflight[f].is_none_or(|at| self.now >= at + retry);
            self.send(s, p, f, Body::Heartbeat { commit }, 0);
            if behind && stalled {
                self.send_append(s, p, f);
            }
        }
        self.advance_commit(s, p);
        let node = &self.shards[s].nodes[p];
        let ev = Ev::Tick { shard: s as u32, node: p as u32, epoch: node.tick_gen };
        self.scheduler.schedule_at(self.now + self.d.heartbeat, ev);
    }

    /// Ships node `f` the primary's entries from its next index (at most a batch).
    fn send_append(&mut self, s: usize, p: usize, f: usize) {
        let batch = u64::from(self.config.batch_max);
        let node = &mut self.shards[s].nodes[p];
        let next = node.next[f];
        let prev_index = next - 1;
        let prev_term = node.term_at(prev_index);
        let end = node.last_index().min(prev_index + batch);
        let entries: Vec<Entry> = (next..=end).map(|i| node.log[i as usize - 1]).collect();
        let commit = node.commit;
        node.inflight[f] = Some(self.now);
        let extra = if matches!(self.config.mode, ReplMode::Async { .. }) {
            self.d.lag + self.net.below(self.d.lag_jitter + 1)
        } else {
            0
        };
        self.send(s, p, f, Body::Append { prev_index, prev_term, entries, commit }, extra);
    }

    /// A client's write reaches primary `p`: appended, then acknowledged at once (asynchronous) or once
    /// enough replicas hold it.
    pub(super) fn primary_write(&mut self, s: usize, p: usize, req: u64, w: u64, key: u32) {
        let node = &mut self.shards[s].nodes[p];
        let term = node.term;
        node.log.push(Entry { term, write: Some(w), key });
        node.kv[key as usize] = w + 1;
        let index = node.last_index();
        if matches!(self.config.mode, ReplMode::Async { .. }) {
            self.reply(req, p as u32, Reply::Written { term, index });
        } else {
            node.waiting.push_back((index, req));
        }
        for f in (0..self.n as usize).filter(|&f| f != p) {
            if self.shards[s].nodes[p].inflight[f].is_none() {
                self.send_append(s, p, f);
            }
        }
        self.advance_commit(s, p);
    }

    /// Primary `p` commits the highest index a majority holds, if of its term; then acknowledges the
    /// writes now safe (quorum: committed; synchronous: held by every node).
    fn advance_commit(&mut self, s: usize, p: usize) {
        let majority = self.majority() as usize;
        let node = &self.shards[s].nodes[p];
        let last = node.last_index();
        let mut held: Vec<u64> = node.matched.clone();
        held[p] = last;
        held.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = held[majority - 1];
        if candidate > node.commit && node.term_at(candidate) == node.term {
            self.set_commit(s, p, candidate);
            self.settle_older_terms(s, p);
        }
        let node = &self.shards[s].nodes[p];
        let safe = match self.config.mode {
            ReplMode::Quorum => node.commit,
            ReplMode::Sync => (0..self.n as usize).filter(|&f| f != p).map(|f| node.matched[f]).min().unwrap_or(last),
            _ => return,
        };
        let term = node.term;
        while let Some(&(index, req)) = self.shards[s].nodes[p].waiting.front() {
            if index > safe {
                break;
            }
            self.shards[s].nodes[p].waiting.pop_front();
            self.reply(req, p as u32, Reply::Written { term, index });
        }
    }

    /// Node `v`'s commit index moves to `to`: the entries become part of the shard's committed
    /// sequence (checked equal where it already reaches), settling the acknowledged writes there.
    fn set_commit(&mut self, s: usize, v: usize, to: u64) {
        let from = self.shards[s].nodes[v].commit;
        for i in from + 1..=to {
            let shard = &mut self.shards[s];
            let e = shard.nodes[v].log[i as usize - 1];
            match shard.committed.get(i as usize - 1).copied() {
                Some(c) if c != e => {
                    let msg = format!("shard {s}: node {v} committed {e:?} at index {i}, where {c:?} was committed");
                    self.broken.push(msg);
                }
                Some(_) => {}
                None => {
                    shard.committed.push(e);
                    for w in shard.awaiting.remove(&i).unwrap_or_default() {
                        self.resolve(s, w, e);
                    }
                }
            }
        }
        self.shards[s].nodes[v].commit = to;
    }

    /// Primary `p` has committed an entry of its term at its commit index c. Every later leader's log
    /// holds that entry, and terms never decrease along a log, so no entry of an older term past c can
    /// ever be committed: the acknowledged writes waiting there are lost, now (at the failover).
    fn settle_older_terms(&mut self, s: usize, p: usize) {
        let node = &self.shards[s].nodes[p];
        let (commit, term) = (node.commit, node.term);
        let doomed: Vec<(u64, u64)> = self.shards[s]
            .awaiting
            .range(commit + 1..)
            .flat_map(|(&i, ws)| ws.iter().map(move |&w| (i, w)))
            .filter(|&(_, w)| self.writes[w as usize].pos.is_some_and(|pos| pos.term < term))
            .collect();
        for (i, w) in doomed {
            let awaiting = &mut self.shards[s].awaiting;
            if let Some(ws) = awaiting.get_mut(&i) {
                ws.retain(|&x| x != w);
                if ws.is_empty() {
                    awaiting.remove(&i);
                }
            }
            self.lose(s, w);
        }
    }

    /// A message reaches node `msg.to` (up, and on the sender's side of any partition).
    pub(super) fn on_message(&mut self, msg: Msg) {
        let (s, v, from) = (msg.shard as usize, msg.to as usize, msg.from as usize);
        if msg.term > self.shards[s].nodes[v].term {
            self.step_down(s, v, msg.term);
        }
        let term = self.shards[s].nodes[v].term;
        match msg.body {
            Body::Heartbeat { commit } => {
                if msg.term < term {
                    return self.send(s, v, from, Body::Stale, 0);
                }
                self.follow(s, v, from);
                let node = &self.shards[s].nodes[v];
                let to = commit.min(node.verified).min(node.last_index());
                if to > node.commit {
                    self.set_commit(s, v, to);
                }
            }
            Body::Append { prev_index, prev_term, entries, commit } => {
                if msg.term < term {
                    return self.send(s, v, from, Body::Stale, 0);
                }
                self.follow(s, v, from);
                self.accept_append(s, v, from, prev_index, prev_term, &entries, commit);
            }
            Body::AppendResp { ok, index } => {
                let node = &mut self.shards[s].nodes[v];
                if msg.term < term || node.role != Role::Primary {
                    return;
                }
                node.inflight[from] = None;
                if ok {
                    let progress = index > node.matched[from];
                    node.matched[from] = node.matched[from].max(index);
                    node.next[from] = node.next[from].max(index + 1);
                    let more = node.next[from] <= node.last_index();
                    self.advance_commit(s, v);
                    if progress && more {
                        self.send_append(s, v, from);
                    }
                } else {
                    let resume = index.max(node.matched[from] + 1).min(node.last_index() + 1).max(1);
                    let moved = resume < node.next[from];
                    node.next[from] = resume;
                    if moved {
                        self.send_append(s, v, from);
                    }
                }
            }
            Body::Vote { last_index, last_term } => {
                let node = &self.shards[s].nodes[v];
                let mine = (node.term_at(node.last_index()), node.last_index());
                let granted = msg.term == term
                    && node.voted_for.is_none_or(|c| c == from as u32)
                    && (last_term, last_index) >= mine;
                if granted {
                    self.shards[s].nodes[v].voted_for = Some(from as u32);
                    self.reset_timer(s, v);
                }
                self.send(s, v, from, Body::VoteResp { granted }, 0);
            }
            Body::VoteResp { granted } => {
                let node = &mut self.shards[s].nodes[v];
                if granted && msg.term == term && node.role == Role::Candidate {
                    node.votes |= 1 << from;
                    if node.votes.count_ones() >= self.majority() {
                        self.become_primary(s, v);
                    }
                }
            }
            Body::Stale => {}
        }
    }

    /// Node `v` hears from `leader`, the primary of its current term.
    fn follow(&mut self, s: usize, v: usize, leader: usize) {
        let node = &mut self.shards[s].nodes[v];
        if node.role == Role::Primary {
            let msg = format!("shard {s}: nodes {v} and {leader} both acted as primary of term {}", node.term);
            self.broken.push(msg);
        }
        if node.role != Role::Follower {
            node.role = Role::Follower;
            node.votes = 0;
        }
        node.leader = Some(leader as u32);
        self.reset_timer(s, v);
    }

    #[allow(clippy::too_many_arguments)]
    fn accept_append(
        &mut self,
        s: usize,
        v: usize,
        p: usize,
        prev_index: u64,
        prev_term: u64,
        entries: &[Entry],
        commit: u64,
    ) {
        let node = &self.shards[s].nodes[v];
        if prev_index > node.last_index() || node.term_at(prev_index) != prev_term {
            // Resume after this node's commit index: the primary holds every committed entry.
            let resume = node.commit + 1;
            return self.send(s, v, p, Body::AppendResp { ok: false, index: resume }, 0);
        }
        for (k, e) in entries.iter().enumerate() {
            let index = prev_index + 1 + k as u64;
            let node = &self.shards[s].nodes[v];
            if index <= node.last_index() {
                if node.term_at(index) == e.term {
                    continue;
                }
                self.truncate(s, v, index);
            }
            let node = &mut self.shards[s].nodes[v];
            node.log.push(*e);
            if let Some(w) = e.write {
                node.kv[e.key as usize] = w + 1;
            }
        }
        let matched = prev_index + entries.len() as u64;
        let node = &mut self.shards[s].nodes[v];
        node.verified = node.verified.max(matched);
        let to = commit.min(node.verified).min(node.last_index());
        if to > node.commit {
            self.set_commit(s, v, to);
        }
        self.send(s, v, p, Body::AppendResp { ok: true, index: matched }, 0);
    }

    /// Removes node `v`'s entries from `from` on (they conflict with the primary's).
    fn truncate(&mut self, s: usize, v: usize, from: u64) {
        let now = self.now;
        let node = &mut self.shards[s].nodes[v];
        if from <= node.commit {
            let msg = format!("shard {s}: node {v} lost committed entry {from} (commit index {})", node.commit);
            self.broken.push(msg);
        }
        let writes: Vec<u64> = node.log.iter().skip(from as usize - 1).filter_map(|e| e.write).collect();
        let entries = node.last_index() - from + 1;
        node.log.truncate(from as usize - 1);
        // What the node holds per key, from what is left.
        node.kv.iter_mut().for_each(|k| *k = 0);
        for e in node.log.iter() {
            if let Some(w) = e.write {
                node.kv[e.key as usize] = w + 1;
            }
        }
        let (shard, node) = (s as u32, v as u32);
        self.truncations.push(Truncation { at_us: now, shard, node, from_index: from, entries, writes });
    }
}
