//! The client's side of replication (the query router): writes and reads sent to the believed primary
//! (or to every node when leaderless), answers, redirects, failures with their reason, and the
//! settling of acknowledged writes as durable or lost.

use super::repl_config::ReadFrom;
use super::repl_state::{Entry, FailReason, Fate, LostWrite, Role, WritePos, WriteRec};
use super::replication::Ev;
use super::replication::{ReplSim, Reply, Req};

impl ReplSim {
    pub(super) fn pick_shard_key(&mut self) -> (usize, u32) {
        let s = self.workload.below(u64::from(self.config.shards)) as usize;
        let key = self.workload.below(u64::from(self.config.keys_per_shard)) as u32;
        (s, key)
    }

    pub(super) fn new_req(&mut self, s: usize, key: u32, write: Option<u64>, node: u32) -> u64 {
        let id = self.next_req;
        self.next_req += 1;
        let latest = self.shards[s].latest_acked[key as usize];
        let req = Req {
            shard: s as u32,
            key,
            write,
            node,
            redirected: false,
            ok: 0,
            refused: 0,
            asked: 0,
            replies: Vec::new(),
            latest,
        };
        self.pending.insert(id, req);
        self.scheduler.schedule_at(self.now + self.d.request, Ev::Timeout { req: id });
        id
    }

    /// Sends request `req` to `node` (one network delay).
    pub(super) fn send_request(&mut self, req: u64, node: u32) {
        let r = &self.pending[&req];
        let (shard, key, write, latest) = (r.shard, r.key, r.write, r.latest);
        let at = self.now + self.net_delay();
        self.scheduler.schedule_at(at, Ev::Request { req, shard, node, key, write, latest });
    }

    /// The node answers the client (one network delay).
    pub(super) fn reply(&mut self, req: u64, node: u32, reply: Reply) {
        let at = self.now + self.net_delay();
        self.scheduler.schedule_at(at, Ev::Reply { req, node, reply });
    }

    pub(super) fn issue_write(&mut self, s: usize, key: u32) {
        let id = self.writes.len() as u64;
        self.writes.push(WriteRec {
            shard: s as u32,
            key,
            issued_at: self.now,
            acked_at: None,
            pos: None,
            acked_by: None,
            fate: Fate::Pending,
        });
        self.shards[s].counts.writes_issued += 1;
        let primary = self.shards[s].router.0;
        let req = self.new_req(s, key, Some(id), primary);
        if self.config.mode.has_primary() {
            self.send_request(req, primary);
        } else {
            for v in 0..self.n {
                self.send_request(req, v);
            }
        }
    }

    pub(super) fn issue_read(&mut self, s: usize, key: u32) {
        self.shards[s].counts.reads_issued += 1;
        let primary = self.shards[s].router.0;
        let node = if self.config.read_from == ReadFrom::Replicas && self.n > 1 {
            // A node other than the believed primary, uniformly.
            let k = self.workload.below(u64::from(self.n - 1)) as u32;
            if k >= primary { k + 1 } else { k }
        } else {
            primary
        };
        let req = self.new_req(s, key, None, node);
        if self.config.mode.has_primary() {
            self.send_request(req, node);
        } else {
            // A uniformly random R of the N nodes (Floyd's algorithm: exactly R draws).
            let mut asked = 0u32;
            for j in self.n - self.leaderless_need(false)..self.n {
                let t = self.workload.below(u64::from(j) + 1) as u32;
                asked |= if asked & (1 << t) != 0 { 1 << j } else { 1 << t };
            }
            self.pending.get_mut(&req).expect("pending").asked = asked;
            for v in (0..self.n).filter(|v| asked & (1 << v) != 0) {
                self.send_request(req, v);
            }
        }
    }

    /// A request reaches node `v` of shard `s`.
    pub(super) fn on_request(
        &mut self,
        req: u64,
        s: usize,
        v: usize,
        key: u32,
        write: Option<u64>,
        latest: Option<u64>,
    ) {
        let node = &self.shards[s].nodes[v];
        if !node.up {
            return self.reply(req, v as u32, Reply::Refused);
        }
        if !self.config.mode.has_primary() {
            return self.leaderless_request(req, s, v, key, write);
        }
        let is_primary = node.role == Role::Primary;
        let hint = node.leader.filter(|&l| l != v as u32);
        match write {
            Some(w) if is_primary => self.primary_write(s, v, req, w, key),
            None if is_primary || self.config.read_from == ReadFrom::Replicas => {
                let fresh = latest.is_none_or(|w| self.writes[w as usize].pos.is_none_or(|pos| node.holds(pos)));
                let version = node.kv[key as usize];
                self.reply(req, v as u32, Reply::Read { version, fresh });
            }
            _ => self.reply(req, v as u32, Reply::NotPrimary { hint }),
        }
    }

    /// An answer reaches the client.
    pub(super) fn on_reply(&mut self, req: u64, node: u32, reply: Reply) {
        let leaderless = !self.config.mode.has_primary();
        let (need_write, need_read) = (self.leaderless_need(true), self.leaderless_need(false));
        let n = self.n;
        let Some(r) = self.pending.get_mut(&req) else { return };
        let s = r.shard as usize;
        match reply {
            Reply::Refused if leaderless => {
                r.refused += 1;
                let need = if r.write.is_some() { need_write } else { need_read };
                if r.refused > n - need {
                    self.fail(req, if self.shard_down(s) { FailReason::ShardDown } else { FailReason::TooFewReplies });
                } else if r.write.is_none() {
                    // A read asks one more node, the first not yet asked.
                    let next = (0..n).find(|v| r.asked & (1 << v) == 0).expect("fewer refusals than N - R");
                    r.asked |= 1 << next;
                    self.send_request(req, next);
                }
            }
            Reply::Refused => {
                self.fail(req, if self.shard_down(s) { FailReason::ShardDown } else { FailReason::NodeDown });
            }
            Reply::NotPrimary { hint: Some(h) } if !r.redirected => {
                r.redirected = true;
                r.node = h;
                self.shards[s].router.0 = h;
                self.send_request(req, h);
            }
            Reply::NotPrimary { .. } => self.fail(req, FailReason::NoPrimary),
            Reply::Written { term, index } => {
                let r = self.pending.remove(&req).expect("pending");
                let w = r.write.expect("a write");
                self.acknowledge(s, w, node, Some(WritePos { write: w, term, index }));
            }
            Reply::Stored => {
                r.ok += 1;
                if r.ok == need_write {
                    let r = self.pending.remove(&req).expect("pending");
                    self.acknowledge(s, r.write.expect("a write"), node, None);
                }
            }
            Reply::Read { fresh, .. } if !leaderless => {
                self.pending.remove(&req);
                let counts = &mut self.shards[s].counts;
                counts.reads_ok += 1;
                counts.stale_reads += u64::from(!fresh);
            }
            Reply::Read { version, .. } => self.leaderless_read_reply(req, node, version),
        }
    }

    /// The client hears "acknowledged" for write `w`.
    pub(super) fn acknowledge(&mut self, s: usize, w: u64, by: u32, pos: Option<WritePos>) {
        let now = self.now;
        let rec = &mut self.writes[w as usize];
        rec.acked_at = Some(now);
        rec.pos = pos;
        rec.acked_by = Some(by);
        rec.fate = Fate::Acked;
        let (key, issued) = (rec.key as usize, rec.issued_at);
        self.latencies.push((now - issued).min(u64::from(u32::MAX)) as u32);
        let shard = &mut self.shards[s];
        shard.counts.writes_acked += 1;
        match pos {
            // Leaderless: last writer wins by version, so the latest acknowledged is the highest.
            None => shard.latest_acked[key] = shard.latest_acked[key].max(Some(w)),
            Some(pos) => {
                shard.latest_acked[key] = Some(w);
                if let Some(e) = shard.committed.get(pos.index as usize - 1).copied() {
                    self.resolve(s, w, e);
                } else if shard.committed.last().is_some_and(|e| e.term > pos.term) {
                    // A deposed primary's acknowledgement: a later term has committed, so this entry of
                    // an older term past the committed end can never be committed.
                    self.lose(s, w);
                } else {
                    shard.awaiting.entry(pos.index).or_default().push(w);
                }
            }
        }
    }

    /// The committed entry at an acknowledged write's index is known: the write is durable or lost.
    pub(super) fn resolve(&mut self, s: usize, w: u64, committed: Entry) {
        let rec = &mut self.writes[w as usize];
        let pos = rec.pos.expect("acknowledged with a position");
        if committed.write == Some(w) && committed.term == pos.term {
            rec.fate = Fate::Durable;
        } else {
            self.lose(s, w);
        }
    }

    /// Acknowledged write `w` can never be committed: it is lost.
    pub(super) fn lose(&mut self, s: usize, w: u64) {
        let rec = &mut self.writes[w as usize];
        let pos = rec.pos.expect("acknowledged with a position");
        rec.fate = Fate::Lost;
        let lost = LostWrite {
            write: w,
            shard: s as u32,
            key: rec.key,
            term: pos.term,
            index: pos.index,
            acked_by: rec.acked_by.unwrap_or(0),
            acked_at_us: rec.acked_at.unwrap_or(0),
            lost_at_us: self.now,
        };
        self.lost.push(lost);
        self.shards[s].counts.lost_writes += 1;
    }

    pub(super) fn fail(&mut self, req: u64, reason: FailReason) {
        let Some(r) = self.pending.remove(&req) else { return };
        let counts = &mut self.shards[r.shard as usize].counts;
        let i = FailReason::ALL.iter().position(|&x| x == reason).expect("listed");
        match r.write {
            Some(w) => {
                counts.writes_failed += 1;
                counts.write_failures[i] += 1;
                self.writes[w as usize].fate = Fate::Failed;
            }
            None => {
                counts.reads_failed += 1;
                counts.read_failures[i] += 1;
            }
        }
    }
}
