//! The records of a replication run: nodes and their logs, client writes and what became of them, the
//! election timeline, lost writes and removed entries, per-shard counters.

use crate::sim::cow::CowVec;
use crate::sim::kernel::SimTime;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// One entry of a node's log: a client's write, or the no-op a new primary appends to commit its term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub term: u64,
    /// The write's id (its number among all writes of the run); `None` for a new primary's no-op.
    pub write: Option<u64>,
    pub key: u32,
}

/// What a node is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Follower,
    Candidate,
    Primary,
    /// A node of a leaderless shard.
    Replica,
}

/// A node as the simulation holds it. Term, vote, log and commit index survive a crash (on disk).
#[derive(Clone, Debug)]
pub(super) struct Node {
    pub up: bool,
    pub role: Role,
    pub term: u64,
    pub voted_for: Option<u32>,
    pub log: CowVec<Entry>,
    pub commit: u64,
    /// The primary this node follows in its term.
    pub leader: Option<u32>,
    /// Follower: its log matches the leader's up to here (checked by an append of this term).
    pub verified: u64,
    /// Side of the shard's partition (0 when healed).
    pub side: u32,
    /// Election timer: when it expires, and the pending timer event (a generation and its time).
    pub deadline: SimTime,
    pub timer_at: Option<SimTime>,
    pub timer_gen: u32,
    pub tick_gen: u32,
    /// Candidate: votes received, one bit per node.
    pub votes: u32,
    /// Primary: per node, the next index to send, the highest index known to match, and when the
    /// last append was sent (none in flight: `None`).
    pub next: Vec<u64>,
    pub matched: Vec<u64>,
    pub inflight: Vec<Option<SimTime>>,
    /// Primary: writes waiting for enough replicas before they are acknowledged (index, request).
    pub waiting: VecDeque<(u64, u64)>,
    /// Per key, the version (write id + 1, 0 for none) of the newest write this node holds.
    pub kv: Vec<u64>,
    /// Leaderless: keys whose newest version (on any node) this node lacks.
    pub behind: u32,
}

impl Node {
    pub fn last_index(&self) -> u64 {
        self.log.len() as u64
    }

    /// Term of the entry at `index` (1-based; 0 for index 0 or past the end).
    pub fn term_at(&self, index: u64) -> u64 {
        if index == 0 { 0 } else { self.log.get(index as usize - 1).map_or(0, |e| e.term) }
    }

    /// True when the log holds `write` at `(term, index)`.
    pub fn holds(&self, pos: WritePos) -> bool {
        self.log.get(pos.index as usize - 1).is_some_and(|e| e.term == pos.term && e.write == Some(pos.write))
    }
}

/// Where an acknowledged write sits: its id, and the term and index it had in the acknowledging log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct WritePos {
    pub write: u64,
    pub term: u64,
    pub index: u64,
}

/// What became of a client's write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fate {
    /// Sent, not yet answered.
    Pending,
    /// Refused or timed out: the client knows it did not happen (or may not have).
    Failed,
    /// Acknowledged; not yet known committed.
    Acked,
    /// Acknowledged and committed: it survives every failover.
    Durable,
    /// Acknowledged, then lost at a failover.
    Lost,
}

/// One client write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct WriteRec {
    pub shard: u32,
    pub key: u32,
    pub issued_at: SimTime,
    pub acked_at: Option<SimTime>,
    pub pos: Option<WritePos>,
    /// Leaderless: the node whose reply completed the quorum; otherwise the acknowledging primary.
    pub acked_by: Option<u32>,
    pub fate: Fate,
}

/// An acknowledged write lost at a failover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LostWrite {
    pub write: u64,
    pub shard: u32,
    pub key: u32,
    /// The value written is the write's id; its place in the acknowledging primary's log.
    pub term: u64,
    pub index: u64,
    pub acked_by: u32,
    pub acked_at_us: SimTime,
    /// When another entry was committed at its index.
    pub lost_at_us: SimTime,
}

/// Why a client request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailReason {
    ShardDown,
    NodeDown,
    NoPrimary,
    NotAcknowledged,
    TooFewReplies,
}

impl FailReason {
    /// All reasons, in the order the report lists them.
    pub const ALL: [FailReason; 5] =
        [Self::ShardDown, Self::NodeDown, Self::NoPrimary, Self::NotAcknowledged, Self::TooFewReplies];

    /// The error a client sees, as a sentence about shard `shard`.
    pub fn sentence(self, shard: u32) -> String {
        match self {
            Self::ShardDown => format!("shard {shard} is unavailable: every one of its nodes is down"),
            Self::NodeDown => format!(
                "shard {shard}: the node the client asked is down (the client had not yet learned of a new primary)"
            ),
            Self::NoPrimary => format!("shard {shard}: the node asked is not the primary and knew of none"),
            Self::NotAcknowledged => {
                format!("shard {shard}: not acknowledged in time (the primary could not reach enough replicas)")
            }
            Self::TooFewReplies => format!("shard {shard}: too few nodes answered to make the quorum"),
        }
    }
}

/// A change of a shard's leadership or membership, for the election timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TimelineKind {
    /// The node's election timer ran out: it votes for itself in a new term.
    Campaign,
    /// The node won a majority of votes and is the primary of the term.
    Won {
        votes: u32,
    },
    /// A primary saw a higher term and became a follower.
    SteppedDown,
    Killed,
    Revived,
    Partitioned {
        groups: Vec<Vec<u32>>,
    },
    Healed,
}

/// One moment of the election timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    pub at_us: SimTime,
    pub shard: u32,
    /// The node concerned (`None` for a whole shard's network).
    pub node: Option<u32>,
    /// The node's term after the event.
    pub term: u64,
    #[serde(flatten)]
    pub kind: TimelineKind,
}

/// A primary elected: the record behind "at most one primary per shard per term".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Election {
    pub shard: u32,
    pub term: u64,
    pub node: u32,
    pub at_us: SimTime,
    pub votes: u32,
}

/// An old primary's (or a replica's) divergent entries removed when it rejoined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Truncation {
    pub at_us: SimTime,
    pub shard: u32,
    pub node: u32,
    /// First index removed.
    pub from_index: u64,
    pub entries: u64,
    /// The client writes among them.
    pub writes: Vec<u64>,
}

/// Per-shard counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ShardCounts {
    pub writes_issued: u64,
    pub writes_acked: u64,
    pub writes_failed: u64,
    pub reads_issued: u64,
    pub reads_ok: u64,
    pub reads_failed: u64,
    pub stale_reads: u64,
    pub lost_writes: u64,
    /// Failures by reason (`FailReason::ALL` order): writes, reads.
    pub write_failures: [u64; 5],
    pub read_failures: [u64; 5],
}

/// A shard as the simulation holds it.
#[derive(Clone)]
pub(super) struct Shard {
    pub nodes: Vec<Node>,
    /// The committed entries (one sequence for the shard, by Raft's safety).
    pub committed: CowVec<Entry>,
    /// Acknowledged writes whose index is not yet committed, by index.
    pub awaiting: BTreeMap<u64, Vec<u64>>,
    /// The primary the client believes in, and its term.
    pub router: (u32, u64),
    /// Per key, the latest acknowledged write (by the time of its acknowledgement; leaderless: the
    /// highest version acknowledged).
    pub latest_acked: Vec<Option<u64>>,
    /// Leaderless: per key, the newest version any node holds.
    pub newest: Vec<u64>,
    /// Per node, replication lag at each sample (entries behind the primary; leaderless: keys behind).
    pub lag: Vec<CowVec<u32>>,
    pub counts: ShardCounts,
}

impl super::ReplSim {
    /// An estimate of the bytes this run holds (what one timeline checkpoint costs; see `sim::timeline`),
    /// leaving out the chunks of the logs `earlier` (a copy this run continues) shares with it. The
    /// entries carried by append messages in flight (at most a batch each) are not counted.
    pub fn approx_bytes_beyond(&self, earlier: Option<&Self>) -> usize {
        use crate::sim::timeline::{btree_bytes, deque_bytes, vec_bytes};
        let nodes = |s: usize, shard: &Shard| -> usize {
            shard
                .nodes
                .iter()
                .enumerate()
                .map(|(v, n)| {
                    let before = earlier.map(|e| &e.shards[s].nodes[v].log);
                    n.log.bytes_beyond(before)
                        + vec_bytes(&n.next)
                        + vec_bytes(&n.matched)
                        + vec_bytes(&n.inflight)
                        + deque_bytes(&n.waiting)
                        + vec_bytes(&n.kv)
                })
                .sum::<usize>()
        };
        let shards: usize = self
            .shards
            .iter()
            .enumerate()
            .map(|(s, shard)| {
                let before = earlier.map(|e| &e.shards[s]);
                vec_bytes(&shard.nodes)
                    + nodes(s, shard)
                    + shard.committed.bytes_beyond(before.map(|b| &b.committed))
                    + btree_bytes::<u64, Vec<u64>>(shard.awaiting.len())
                    + shard.awaiting.values().map(vec_bytes).sum::<usize>()
                    + vec_bytes(&shard.latest_acked)
                    + vec_bytes(&shard.newest)
                    + vec_bytes(&shard.lag)
                    + shard
                        .lag
                        .iter()
                        .enumerate()
                        .map(|(v, l)| l.bytes_beyond(before.map(|b| &b.lag[v])))
                        .sum::<usize>()
            })
            .sum();
        std::mem::size_of::<Self>()
            + self.scheduler.approx_bytes()
            + vec_bytes(&self.actions)
            + vec_bytes(&self.shards)
            + shards
            + self.writes.bytes_beyond(earlier.map(|e| &e.writes))
            + btree_bytes::<u64, super::replication::Req>(self.pending.len())
            + self.timeline.bytes_beyond(earlier.map(|e| &e.timeline))
            + self.elections.bytes_beyond(earlier.map(|e| &e.elections))
            + self.lost.bytes_beyond(earlier.map(|e| &e.lost))
            + vec_bytes(&self.truncations)
            + self.truncations.iter().map(|t| vec_bytes(&t.writes)).sum::<usize>()
            + vec_bytes(&self.broken)
            + self.latencies.bytes_beyond(earlier.map(|e| &e.latencies))
            + self.sample_times.bytes_beyond(earlier.map(|e| &e.sample_times))
    }

    /// `approx_bytes_beyond(None)`: everything the run holds.
    pub fn approx_bytes(&self) -> usize {
        self.approx_bytes_beyond(None)
    }
}
