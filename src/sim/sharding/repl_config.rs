//! Replication's configuration and the live actions a user takes at a virtual time. Every quantity is
//! an integer (ms, per second), so a scenario is exact data.

use crate::sim::check_range;
use serde::{Deserialize, Serialize};

/// Limits on everything a user can set.
pub mod limits {
    /// Shards.
    pub const SHARDS_MAX: u32 = 16;
    /// Replicas per shard besides the primary (a group of at most 7 nodes).
    pub const REPLICAS_MAX: u32 = 6;
    /// Nodes of a leaderless shard (N).
    pub const LEADERLESS_N_MAX: u32 = 9;
    /// Keys per shard.
    pub const KEYS_MAX: u32 = 10_000;
    /// Client writes (or reads) per virtual second, over all shards.
    pub const RATE_PER_S_MAX: u32 = 2_000;
    /// Longest delay setting (network, lag, timeouts), ms.
    pub const DELAY_MS_MAX: u64 = 60_000;
    /// Longest run, ms (ten virtual minutes).
    pub const HORIZON_MS_MAX: u64 = 600_000;
    /// Most samples in a lag series.
    pub const SAMPLES_MAX: u64 = 1_000;
    /// Most log entries one append message carries.
    pub const BATCH_MAX: u32 = 1_000;
    /// Most writes in one burst.
    pub const BURST_MAX: u32 = 10_000;
    pub use crate::limits::ACTIONS_MAX;
}

/// How a write is replicated before the client hears "acknowledged".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum ReplMode {
    /// The primary acknowledges once every replica holds the write (a dead replica blocks writes).
    Sync,
    /// The primary acknowledges at once; each replica receives the write `lag_ms` later, plus a uniform
    /// jitter of up to `jitter_ms`. A failover loses what the new primary had not received.
    Async { lag_ms: u64, jitter_ms: u64 },
    /// The primary acknowledges once a majority of the group (itself included) holds the write: Raft's
    /// commit. No acknowledged write is ever lost.
    Quorum,
    /// No primary: the client sends each write to all `n` nodes and it is acknowledged after `w`
    /// replies; a read asks a random `r` of them (one more for each that refuses) and returns the
    /// newest version they hold (last writer wins).
    Leaderless { n: u32, w: u32, r: u32 },
}

impl ReplMode {
    /// A short name for the page and the report.
    pub fn label(&self) -> String {
        match self {
            Self::Sync => "synchronous".into(),
            Self::Async { lag_ms, jitter_ms } => format!("asynchronous (lag {lag_ms} ms + up to {jitter_ms} ms)"),
            Self::Quorum => "majority quorum".into(),
            Self::Leaderless { n, w, r } => format!("leaderless N={n} W={w} R={r}"),
        }
    }

    /// True for the modes with a primary and elections.
    pub fn has_primary(&self) -> bool {
        !matches!(self, Self::Leaderless { .. })
    }
}

/// Where the client sends reads (modes with a primary; leaderless reads ask every node).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadFrom {
    /// The node the client believes is the primary.
    Primary,
    /// A random node other than the believed primary (the primary when there is no replica).
    Replicas,
}

/// The whole starting configuration.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReplConfig {
    pub shards: u32,
    /// Replicas per shard besides the primary: a group of 1 + R nodes (ignored when leaderless: N).
    pub replicas: u32,
    pub mode: ReplMode,
    pub keys_per_shard: u32,
    /// Client writes per second over all shards (Poisson; shard and key uniform).
    pub writes_per_s: u32,
    /// Client reads per second over all shards (Poisson; shard and key uniform).
    pub reads_per_s: u32,
    pub read_from: ReadFrom,
    /// One-way message delay between any two parties, ms, plus a uniform jitter of up to `jitter_ms`.
    pub network_ms: u64,
    pub network_jitter_ms: u64,
    /// A follower that hears no primary for a random time in `min..=max` starts an election (Raft).
    pub election_timeout_min_ms: u64,
    pub election_timeout_max_ms: u64,
    /// The primary's heartbeat interval.
    pub heartbeat_ms: u64,
    /// A client request not answered within this time fails.
    pub request_timeout_ms: u64,
    /// Most log entries one append message carries (how fast a far-behind replica catches up).
    pub batch_max: u32,
    pub horizon_ms: u64,
    /// Interval of the lag series, ms.
    pub sample_every_ms: u64,
}

impl Default for ReplConfig {
    /// Three shards of a primary and two replicas, majority quorum, 100 writes and 100 reads a second,
    /// Raft's election timeouts (150-300 ms) and a 50 ms heartbeat, for 10 s.
    fn default() -> Self {
        Self {
            shards: 3,
            replicas: 2,
            mode: ReplMode::Quorum,
            keys_per_shard: 20,
            writes_per_s: 100,
            reads_per_s: 100,
            read_from: ReadFrom::Primary,
            network_ms: 5,
            network_jitter_ms: 5,
            election_timeout_min_ms: 150,
            election_timeout_max_ms: 300,
            heartbeat_ms: 50,
            request_timeout_ms: 500,
            batch_max: 64,
            horizon_ms: 10_000,
            sample_every_ms: 100,
        }
    }
}

/// One thing a user does to the running system.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReplAction {
    /// A node crashes (it keeps its log, term and vote on disk).
    KillNode { shard: u32, node: u32 },
    /// A dead node restarts as a follower and catches up.
    ReviveNode { shard: u32, node: u32 },
    /// Kills whichever node is the shard's primary now (of the highest term); nothing if none is.
    KillPrimary { shard: u32 },
    /// Every node of the shard crashes.
    KillShard { shard: u32 },
    /// Every node of the shard restarts.
    ReviveShard { shard: u32 },
    /// Cuts the network between the groups of the shard's nodes (nodes listed nowhere form one more
    /// group); messages across are dropped. The client still reaches every node.
    Partition { shard: u32, groups: Vec<Vec<u32>> },
    /// Restores every link of the shard.
    Heal { shard: u32 },
    /// The client sends `count` writes to the shard at once.
    WriteBurst { shard: u32, count: u32 },
}

impl ReplAction {
    /// One line saying what the action does, for the history.
    pub fn describe(&self) -> String {
        match self {
            Self::KillNode { shard, node } => format!("kill node {node} of shard {shard}"),
            Self::ReviveNode { shard, node } => format!("revive node {node} of shard {shard}"),
            Self::KillPrimary { shard } => format!("kill the primary of shard {shard}"),
            Self::KillShard { shard } => format!("kill every node of shard {shard}"),
            Self::ReviveShard { shard } => format!("revive every node of shard {shard}"),
            Self::Partition { shard, groups } => {
                let sides: Vec<String> = groups
                    .iter()
                    .map(|g| format!("{{{}}}", g.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")))
                    .collect();
                format!("partition shard {shard}: {} | the rest", sides.join(" | "))
            }
            Self::Heal { shard } => format!("heal the network of shard {shard}"),
            Self::WriteBurst { shard, count } => format!("burst of {count} writes to shard {shard}"),
        }
    }

    /// The shard the action touches.
    pub fn shard(&self) -> u32 {
        match self {
            Self::KillNode { shard, .. }
            | Self::ReviveNode { shard, .. }
            | Self::KillPrimary { shard }
            | Self::KillShard { shard }
            | Self::ReviveShard { shard }
            | Self::Partition { shard, .. }
            | Self::Heal { shard }
            | Self::WriteBurst { shard, .. } => *shard,
        }
    }
}

/// An action and its virtual time in ms since the start.
pub type TimedReplAction = (u64, ReplAction);

impl ReplConfig {
    /// Nodes in each shard's group: 1 + R with a primary, N leaderless.
    pub fn group_size(&self) -> u32 {
        match self.mode {
            ReplMode::Leaderless { n, .. } => n,
            _ => 1 + self.replicas,
        }
    }

    /// Refuses anything outside the limits, with a sentence saying which.
    pub fn validate(&self) -> Result<(), String> {
        use limits::*;
        check_range("shards", u64::from(self.shards), 1, u64::from(SHARDS_MAX))?;
        match self.mode {
            ReplMode::Leaderless { n, w, r } => {
                check_range("N (nodes of a leaderless shard)", u64::from(n), 1, u64::from(LEADERLESS_N_MAX))?;
                check_range("W (write quorum)", u64::from(w), 1, u64::from(n))?;
                check_range("R (read quorum)", u64::from(r), 1, u64::from(n))?;
            }
            ReplMode::Async { lag_ms, jitter_ms } => {
                check_range("replicas per shard", u64::from(self.replicas), 0, u64::from(REPLICAS_MAX))?;
                check_range("replication lag (ms)", lag_ms, 0, DELAY_MS_MAX)?;
                check_range("replication lag jitter (ms)", jitter_ms, 0, DELAY_MS_MAX)?;
            }
            ReplMode::Sync | ReplMode::Quorum => {
                check_range("replicas per shard", u64::from(self.replicas), 0, u64::from(REPLICAS_MAX))?;
            }
        }
        check_range("keys per shard", u64::from(self.keys_per_shard), 1, u64::from(KEYS_MAX))?;
        check_range("writes per second", u64::from(self.writes_per_s), 0, u64::from(RATE_PER_S_MAX))?;
        check_range("reads per second", u64::from(self.reads_per_s), 0, u64::from(RATE_PER_S_MAX))?;
        check_range("network delay (ms)", self.network_ms, 0, DELAY_MS_MAX)?;
        check_range("network jitter (ms)", self.network_jitter_ms, 0, DELAY_MS_MAX)?;
        check_range("heartbeat interval (ms)", self.heartbeat_ms, 1, DELAY_MS_MAX)?;
        // A follower must hear at least one heartbeat before it gives up on the primary.
        let min_timeout = self.heartbeat_ms.saturating_add(1);
        check_range("shortest election timeout (ms)", self.election_timeout_min_ms, min_timeout, DELAY_MS_MAX)
            .map_err(|e| format!("{e}; it must exceed the heartbeat interval"))?;
        check_range(
            "longest election timeout (ms)",
            self.election_timeout_max_ms,
            self.election_timeout_min_ms,
            DELAY_MS_MAX,
        )?;
        check_range("request timeout (ms)", self.request_timeout_ms, 1, DELAY_MS_MAX)?;
        check_range("entries per append message", u64::from(self.batch_max), 1, u64::from(BATCH_MAX))?;
        check_range("horizon (ms)", self.horizon_ms, 1, HORIZON_MS_MAX)?;
        let min_sample = self.horizon_ms.div_ceil(SAMPLES_MAX).max(1);
        check_range("sample interval (ms)", self.sample_every_ms, min_sample, HORIZON_MS_MAX)?;
        // The work of the run without actions: actions only add to it (`ReplSim::new` checks all).
        super::repl_budget::estimate_work(self, &[]).check()
    }

    /// Checks timed actions against this configuration: known shards and nodes, sane partitions and
    /// bursts, in time order.
    pub fn validate_actions(&self, actions: &[TimedReplAction]) -> Result<(), String> {
        if actions.len() > limits::ACTIONS_MAX {
            return Err(format!("too many actions: {} (the limit is {})", actions.len(), limits::ACTIONS_MAX));
        }
        let n = self.group_size();
        let mut last = 0;
        for (i, (at, action)) in actions.iter().enumerate() {
            let place = |e: String| format!("action {} ({}): {e}", i + 1, action.describe());
            if *at < last {
                return Err(place("happens before the action preceding it".into()));
            }
            last = *at;
            check_range("action time (ms)", *at, 0, self.horizon_ms).map_err(place)?;
            let shard = action.shard();
            if shard >= self.shards {
                return Err(place(format!("there are {} shards, numbered from 0", self.shards)));
            }
            let node_ok = |node: u32| {
                if node < n { Ok(()) } else { Err(place(format!("a shard has {n} nodes, numbered from 0"))) }
            };
            match action {
                ReplAction::KillNode { node, .. } | ReplAction::ReviveNode { node, .. } => node_ok(*node)?,
                ReplAction::KillPrimary { .. } if !self.mode.has_primary() => {
                    return Err(place("a leaderless shard has no primary; kill a node instead".into()));
                }
                ReplAction::Partition { groups, .. } => {
                    if !self.mode.has_primary() {
                        return Err(place(
                            "the nodes of a leaderless shard never talk to each other, so a partition between \
                             them changes nothing; kill nodes instead"
                                .into(),
                        ));
                    }
                    let mut seen = vec![false; n as usize];
                    for &node in groups.iter().flatten() {
                        node_ok(node)?;
                        if std::mem::replace(&mut seen[node as usize], true) {
                            return Err(place(format!("node {node} is on two sides")));
                        }
                    }
                    if groups.iter().any(Vec::is_empty) {
                        return Err(place("a side of a partition has no node".into()));
                    }
                }
                ReplAction::WriteBurst { count, .. } => {
                    check_range("burst size", u64::from(*count), 1, u64::from(limits::BURST_MAX)).map_err(place)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_valid_and_limits_are_sentences() {
        assert_eq!(ReplConfig::default().validate(), Ok(()));
        let bad = ReplConfig { shards: 0, ..ReplConfig::default() };
        assert_eq!(bad.validate().unwrap_err(), "shards must be between 1 and 16 (got 0)");
        let bad = ReplConfig { election_timeout_min_ms: 50, ..ReplConfig::default() };
        assert!(bad.validate().unwrap_err().contains("must exceed the heartbeat interval"));
        let bad = ReplConfig { mode: ReplMode::Leaderless { n: 3, w: 4, r: 1 }, ..ReplConfig::default() };
        assert_eq!(bad.validate().unwrap_err(), "W (write quorum) must be between 1 and 3 (got 4)");
    }

    #[test]
    fn actions_are_checked_against_the_shards_and_nodes() {
        let c = ReplConfig::default();
        assert!(c.validate_actions(&[(10, ReplAction::KillNode { shard: 2, node: 2 })]).is_ok());
        let e = c.validate_actions(&[(10, ReplAction::KillNode { shard: 3, node: 0 })]).unwrap_err();
        assert!(e.contains("there are 3 shards"), "{e}");
        let e = c.validate_actions(&[(10, ReplAction::KillNode { shard: 0, node: 3 })]).unwrap_err();
        assert!(e.contains("a shard has 3 nodes"), "{e}");
        let twice = ReplAction::Partition { shard: 0, groups: vec![vec![0], vec![0, 1]] };
        assert!(c.validate_actions(&[(10, twice)]).unwrap_err().contains("on two sides"));
        let order = [(20, ReplAction::Heal { shard: 0 }), (10, ReplAction::Heal { shard: 0 })];
        assert!(c.validate_actions(&order).unwrap_err().contains("before the action preceding it"));
        let leaderless = ReplConfig { mode: ReplMode::Leaderless { n: 3, w: 2, r: 2 }, ..c };
        let cut = ReplAction::Partition { shard: 0, groups: vec![vec![0]] };
        assert!(leaderless.validate_actions(&[(0, cut)]).unwrap_err().contains("changes nothing"));
    }
}
