//! What a page draws of a replication run at any moment (`ReplSnapshot`) and what it sums up
//! (`ReplReport`: totals, per-shard failures with their sentences, the lost writes, the elections, the
//! lag series), with the report's fingerprint for digests.

use super::repl_config::ReplMode;
use super::replication::{Election, FailReason, LostWrite, ReplSim, Role, ShardCounts, TimelineEvent, Truncation};
use crate::sim::hash::hash_str;
use crate::sim::queue::stats::{nearest_rank, secs};
use serde::Serialize;

/// One node as drawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeView {
    pub node: u32,
    pub up: bool,
    pub role: Role,
    pub term: u64,
    /// The primary it follows in its term.
    pub leader: Option<u32>,
    pub log_len: u64,
    /// Its commit index: what it applies as known committed.
    pub commit: u64,
    /// Entries behind the shard's primary (leaderless: keys behind the newest version).
    pub lag: u64,
    /// Side of the shard's partition (0 when healed).
    pub side: u32,
}

/// One shard as drawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShardView {
    pub shard: u32,
    /// The primary the client routes to, and its term (leaderless: none).
    pub routed_to: Option<u32>,
    pub routed_term: u64,
    /// Length of the shard's committed sequence.
    pub committed: u64,
    pub partitioned: bool,
    pub nodes: Vec<NodeView>,
}

/// The run at a moment: everything a page draws.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplSnapshot {
    pub now_us: u64,
    pub mode: ReplMode,
    pub shards: Vec<ShardView>,
    /// The election timeline so far.
    pub timeline: Vec<TimelineEvent>,
    /// Acknowledged writes lost so far.
    pub lost: Vec<LostWrite>,
    pub writes_acked: u64,
    pub writes_failed: u64,
    pub reads_ok: u64,
    pub reads_failed: u64,
    pub stale_reads: u64,
}

/// Failures of one kind on one shard, with the error clients saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FailureCount {
    pub reason: FailReason,
    pub writes: u64,
    pub reads: u64,
    pub message: String,
}

/// One shard's totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShardReport {
    pub shard: u32,
    #[serde(flatten)]
    pub counts: ShardCounts,
    pub failures: Vec<FailureCount>,
    /// Primaries elected after the start.
    pub elections: u64,
    pub routed_to: Option<u32>,
    pub routed_term: u64,
    pub committed: u64,
}

/// Everything the command line prints about a run, and what the page shows of its end.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplReport {
    pub mode: String,
    pub shards: u32,
    pub nodes_per_shard: u32,
    pub time_s: f64,
    pub events: u64,
    pub writes_issued: u64,
    pub writes_acked: u64,
    pub writes_failed: u64,
    /// Writes neither acknowledged nor failed yet.
    pub writes_in_flight: u64,
    pub reads_issued: u64,
    pub reads_ok: u64,
    pub reads_failed: u64,
    /// Reads that missed the latest write acknowledged before they were sent.
    pub stale_reads: u64,
    /// Acknowledged writes lost at a failover, and each of them.
    pub lost_writes: u64,
    pub lost: Vec<LostWrite>,
    /// Acknowledged writes whose index no primary has committed yet (lost or durable later).
    pub acked_unsettled: u64,
    /// Elections won after the start, and campaigns started.
    pub elections: u64,
    pub campaigns: u64,
    /// Acknowledged writes' latency (nearest rank), ms.
    pub write_latency_p50_ms: f64,
    pub write_latency_p99_ms: f64,
    pub per_shard: Vec<ShardReport>,
    pub election_log: Vec<Election>,
    pub truncations: Vec<Truncation>,
    /// Lag series: the sample times (ms) and, per shard and node, the lag at each.
    pub sample_times_ms: Vec<f64>,
    pub lag_series: Vec<Vec<Vec<u32>>>,
}

impl ReplSim {
    /// The run at this moment, as a page draws it.
    pub fn snapshot(&self) -> ReplSnapshot {
        let leaderless = !self.config.mode.has_primary();
        let shards = self
            .shards
            .iter()
            .enumerate()
            .map(|(s, shard)| {
                let reference = shard
                    .nodes
                    .iter()
                    .filter(|n| n.up && n.role == Role::Primary)
                    .max_by_key(|n| n.term)
                    .or_else(|| shard.nodes.iter().filter(|n| n.up).max_by_key(|n| n.last_index()))
                    .map_or(0, |n| n.last_index());
                let nodes = shard
                    .nodes
                    .iter()
                    .enumerate()
                    .map(|(v, n)| NodeView {
                        node: v as u32,
                        up: n.up,
                        role: n.role,
                        term: n.term,
                        leader: n.leader,
                        log_len: n.last_index(),
                        commit: n.commit,
                        lag: if leaderless { u64::from(n.behind) } else { reference.saturating_sub(n.last_index()) },
                        side: n.side,
                    })
                    .collect();
                ShardView {
                    shard: s as u32,
                    routed_to: (!leaderless).then_some(shard.router.0),
                    routed_term: shard.router.1,
                    committed: shard.committed.len() as u64,
                    partitioned: shard.nodes.iter().any(|n| n.side != 0),
                    nodes,
                }
            })
            .collect();
        let total = |f: fn(&ShardCounts) -> u64| self.shards.iter().map(|s| f(&s.counts)).sum::<u64>();
        ReplSnapshot {
            now_us: self.now,
            mode: self.config.mode,
            shards,
            timeline: self.timeline.to_vec(),
            lost: self.lost.to_vec(),
            writes_acked: total(|c| c.writes_acked),
            writes_failed: total(|c| c.writes_failed),
            reads_ok: total(|c| c.reads_ok),
            reads_failed: total(|c| c.reads_failed),
            stale_reads: total(|c| c.stale_reads),
        }
    }

    /// The report of the run as it stands (the whole run once finished).
    pub fn report(&self) -> ReplReport {
        let total = |f: fn(&ShardCounts) -> u64| self.shards.iter().map(|s| f(&s.counts)).sum::<u64>();
        let per_shard = self
            .shards
            .iter()
            .enumerate()
            .map(|(s, shard)| {
                let c = &shard.counts;
                let failures = FailReason::ALL
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| c.write_failures[i] + c.read_failures[i] > 0)
                    .map(|(i, &reason)| FailureCount {
                        reason,
                        writes: c.write_failures[i],
                        reads: c.read_failures[i],
                        message: reason.sentence(s as u32),
                    })
                    .collect();
                let elections = self.elections.iter().filter(|e| e.shard == s as u32 && e.at_us > 0).count();
                ShardReport {
                    shard: s as u32,
                    counts: c.clone(),
                    failures,
                    elections: elections as u64,
                    routed_to: self.config.mode.has_primary().then_some(shard.router.0),
                    routed_term: shard.router.1,
                    committed: shard.committed.len() as u64,
                }
            })
            .collect();
        let mut latencies: Vec<u64> = self.latencies.iter().map(|&l| u64::from(l)).collect();
        latencies.sort_unstable();
        let ms = |p: f64| nearest_rank(&latencies, p).map_or(0.0, |us| us as f64 / 1000.0);
        let (issued, acked, failed) =
            (total(|c| c.writes_issued), total(|c| c.writes_acked), total(|c| c.writes_failed));
        ReplReport {
            mode: self.config.mode.label(),
            shards: self.config.shards,
            nodes_per_shard: self.n,
            time_s: secs(self.now),
            events: self.events,
            writes_issued: issued,
            writes_acked: acked,
            writes_failed: failed,
            writes_in_flight: issued - acked - failed,
            reads_issued: total(|c| c.reads_issued),
            reads_ok: total(|c| c.reads_ok),
            reads_failed: total(|c| c.reads_failed),
            stale_reads: total(|c| c.stale_reads),
            lost_writes: self.lost.len() as u64,
            lost: self.lost.to_vec(),
            acked_unsettled: self.shards.iter().map(|s| s.awaiting.values().map(Vec::len).sum::<usize>() as u64).sum(),
            elections: self.elections.iter().filter(|e| e.at_us > 0).count() as u64,
            campaigns: self
                .timeline
                .iter()
                .filter(|e| matches!(e.kind, super::replication::TimelineKind::Campaign))
                .count() as u64,
            write_latency_p50_ms: ms(50.0),
            write_latency_p99_ms: ms(99.0),
            per_shard,
            election_log: self.elections.to_vec(),
            truncations: self.truncations.clone(),
            sample_times_ms: self.sample_times.iter().map(|&t| t as f64 / 1000.0).collect(),
            lag_series: self.shards.iter().map(|s| s.lag.iter().map(|l| l.to_vec()).collect()).collect(),
        }
    }
}

impl ReplReport {
    /// The numbers the page shows, as bytes in a fixed order: counts as u64 little-endian, times as the
    /// bits of their f64. Adding a field to the report does not change it.
    pub fn fingerprint(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut put = |v: u64| out.extend_from_slice(&v.to_le_bytes());
        put(hash_str(&self.mode));
        for v in [u64::from(self.shards), u64::from(self.nodes_per_shard), self.events] {
            put(v);
        }
        put(self.time_s.to_bits());
        for v in [
            self.writes_issued,
            self.writes_acked,
            self.writes_failed,
            self.reads_issued,
            self.reads_ok,
            self.reads_failed,
            self.stale_reads,
            self.lost_writes,
            self.acked_unsettled,
            self.elections,
            self.campaigns,
        ] {
            put(v);
        }
        put(self.write_latency_p50_ms.to_bits());
        put(self.write_latency_p99_ms.to_bits());
        for l in &self.lost {
            for v in [l.write, u64::from(l.shard), l.term, l.index, l.acked_at_us, l.lost_at_us] {
                put(v);
            }
        }
        for e in &self.election_log {
            for v in [u64::from(e.shard), e.term, u64::from(e.node), e.at_us] {
                put(v);
            }
        }
        for s in &self.per_shard {
            for v in [
                s.counts.writes_acked,
                s.counts.writes_failed,
                s.counts.reads_failed,
                s.counts.stale_reads,
                s.committed,
            ] {
                put(v);
            }
        }
        for shard in &self.lag_series {
            for series in shard {
                for &l in series {
                    put(u64::from(l));
                }
            }
        }
        out
    }
}
