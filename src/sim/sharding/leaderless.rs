//! Leaderless replication (Dynamo-style): the client sends a write to all N nodes of the shard and calls
//! it acknowledged after W replies; a read asks a uniformly random R of the N (as Cassandra sends a read
//! to R replicas, and as in PBS's model; a node that refuses, being down, is replaced by one not yet
//! asked) and returns the newest version among the R replies. Versions are write ids (the client numbers writes in the order it sends them), and a node
//! keeps the highest version it has seen per key: last writer wins. After a read, the client sends the
//! newest version to those of the R that answered with an older one (read repair), which is how a
//! revived node catches up on the keys that are read. A read is stale when it returns a version older
//! than the latest write acknowledged before the read was sent; with R + W > N every read set meets
//! every acknowledged write's W nodes, so (with no node dying) it cannot be.

use super::repl_config::ReplMode;
use super::replication::{Ev, ReplSim, Reply};

impl ReplSim {
    /// Replies needed: W for a write, R for a read.
    pub(super) fn leaderless_need(&self, write: bool) -> u32 {
        match self.config.mode {
            ReplMode::Leaderless { w, r, .. } => {
                if write {
                    w
                } else {
                    r
                }
            }
            _ => 1,
        }
    }

    /// A write or read reaches node `v` (up).
    pub(super) fn leaderless_request(&mut self, req: u64, s: usize, v: usize, key: u32, write: Option<u64>) {
        match write {
            Some(w) => {
                self.store(s, v, key, w + 1);
                self.reply(req, v as u32, Reply::Stored);
            }
            None => {
                let version = self.shards[s].nodes[v].kv[key as usize];
                self.reply(req, v as u32, Reply::Read { version, fresh: true });
            }
        }
    }

    /// Node `v` stores `version` of `key` if it is newer than what it holds, keeping every node's count
    /// of keys behind the newest version up to date.
    pub(super) fn store(&mut self, s: usize, v: usize, key: u32, version: u64) {
        let k = key as usize;
        let shard = &mut self.shards[s];
        let held = shard.nodes[v].kv[k];
        if version <= held {
            return;
        }
        let newest = shard.newest[k];
        let was_behind = held < newest;
        shard.nodes[v].kv[k] = version;
        if version > newest {
            // Every other node that was up to date on this key is now behind.
            for (u, node) in shard.nodes.iter_mut().enumerate() {
                if u != v && node.kv[k] == newest {
                    node.behind += 1;
                }
            }
            shard.newest[k] = version;
        }
        if was_behind && version >= shard.newest[k] {
            shard.nodes[v].behind -= 1;
        }
    }

    /// A read's reply reaches the client: with R replies the read completes, stale or not, and the
    /// repliers holding an older version are repaired.
    pub(super) fn leaderless_read_reply(&mut self, req: u64, node: u32, version: u64) {
        let need = self.leaderless_need(false);
        let r = self.pending.get_mut(&req).expect("pending");
        r.ok += 1;
        r.replies.push((node, version));
        if r.ok < need {
            return;
        }
        let r = self.pending.remove(&req).expect("pending");
        let best = r.replies.iter().map(|&(_, v)| v).max().unwrap_or(0);
        let stale = r.latest.is_some_and(|w| best < w + 1);
        let s = r.shard as usize;
        let counts = &mut self.shards[s].counts;
        counts.reads_ok += 1;
        counts.stale_reads += u64::from(stale);
        for &(v, held) in &r.replies {
            if held < best {
                let at = self.now + self.net_delay();
                let ev = Ev::Repair { shard: r.shard, node: v, key: r.key, version: best };
                self.scheduler.schedule_at(at, ev);
            }
        }
    }
}
