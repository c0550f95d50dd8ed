//! An upper bound on the work of a replication run, from its configuration and actions alone. With n
//! nodes per shard, T the horizon:
//!
//! - Client requests: the Poisson counts of writes and reads are bounded by their mean, plus eight
//!   standard deviations, plus 20 (exceeded with probability far below 1e-12), plus the bursts. A
//!   request to a primary makes at most the arrival, the request, a redirect (request and reply), the
//!   reply and its timeout: 6 events. Leaderless: the request and reply to each of n nodes (a read asks
//!   R, and one more per refusal), the timeout and, for a read, at most R repairs.
//! - Heartbeats: a primary ticks every interval; per tick a heartbeat per replica, its stale-term
//!   answer and the election timer it moves: 1 + 3 (n - 1). A shard no action touches has one primary at
//!   a time; one an action touches may have up to n (a deposed primary cut off keeps ticking until it
//!   hears of the newer term), and each win starts a new tick chain.
//! - Elections: a node's election timer is drawn at least the shortest timeout ahead and is only
//!   pushed back, so a node campaigns at most T / min + 1 times; each campaign makes the timer event,
//!   a vote request, answer and timer move per other node, and an announcement: 2 + 3 (n - 1). A shard
//!   no action touches never campaigns when the larger of the heartbeat interval and the network delay,
//!   plus the network jitter, is under the shortest timeout (heartbeats reach a follower at most that
//!   far apart, so it always hears the next in time).
//! - Appends, each with its answer and the timer it moves (3 events), the lesser of two bounds. By
//!   cause: one per replica per write (one goes out on a write only when none is in flight), one retry
//!   per replica per tick, and per win and replica at most two refused appends (the second resumes after
//!   the replica's commit index, where its log matches) and one per batch of the log. By pace: a primary
//!   sends a replica an append only once the previous one is answered or presumed lost (the retry waits
//!   longer than any round trip), so its appends to one replica are a round trip apart at least (twice
//!   the network delay, plus the lag when asynchronous): T / round trip + 1 per primary and replica, and
//!   one more per win.
//! - Samples: one event each, plus reading every node's lag.

use super::repl_config::{ReplAction, ReplConfig, ReplMode, TimedReplAction};
use crate::sim::budget::{WorkEstimate, ticks};

/// Nodes read per sample counted as one event's work.
const LAG_READS_PER_EVENT: u64 = 8;

/// An upper bound on the count of a Poisson process of `rate_per_s` over `horizon_ms`.
fn poisson_bound(rate_per_s: u32, horizon_ms: u64) -> u64 {
    let mean = u64::from(rate_per_s).saturating_mul(horizon_ms) / 1000 + 1;
    mean + 8 * (mean as f64).sqrt().ceil() as u64 + 20
}

/// An upper bound on the events (and equivalent work) of running `config` with `actions`.
pub fn estimate_work(config: &ReplConfig, actions: &[TimedReplAction]) -> WorkEstimate {
    let mut w = WorkEstimate::new();
    let n = u64::from(config.group_size());
    let others = n.saturating_sub(1);
    let shards = u64::from(config.shards);
    let mut bursts = 0u64;
    let mut touched = vec![false; config.shards as usize];
    for (_, action) in actions {
        match action {
            ReplAction::WriteBurst { count, .. } => bursts += u64::from(*count),
            a => {
                if let Some(t) = touched.get_mut(a.shard() as usize) {
                    *t = true;
                }
            }
        }
    }
    let writes = poisson_bound(config.writes_per_s, config.horizon_ms) + bursts;
    let reads = poisson_bound(config.reads_per_s, config.horizon_ms);
    w.add("record fewer actions", actions.len() as u64);
    w.add(
        "raise the sample interval",
        ticks(config.horizon_ms, config.sample_every_ms) * (1 + shards * n / LAG_READS_PER_EVENT),
    );

    if let ReplMode::Leaderless { r, .. } = config.mode {
        w.add("lower the writes per second, the bursts or N", writes.saturating_mul(2 + 2 * n));
        w.add("lower the reads per second or N", reads.saturating_mul(2 + 2 * n + u64::from(r)));
        return w;
    }
    w.add("lower the writes per second or the bursts", writes.saturating_mul(6));
    w.add("lower the reads per second", reads.saturating_mul(6));

    let quiet_ok =
        config.heartbeat_ms.max(config.network_ms) + config.network_jitter_ms < config.election_timeout_min_ms;
    let ticks_per_primary = ticks(config.horizon_ms, config.heartbeat_ms);
    let campaigns_per_node = config.horizon_ms / config.election_timeout_min_ms.max(1) + 1;
    let lag_ms = match config.mode {
        ReplMode::Async { lag_ms, .. } => lag_ms,
        _ => 0,
    };
    let round_trip_ms = 2 * config.network_ms + lag_ms;
    let (mut heartbeats, mut elections) = (0u64, 0u64);
    // Appends by cause (the writes' share counted once for all shards) and by pace.
    let (mut by_cause, mut by_pace) = (writes.saturating_mul(others), 0u64);
    for &touched in &touched {
        let (primaries, campaigns) = if touched || !quiet_ok { (n, n * campaigns_per_node) } else { (1, 0) };
        let wins = campaigns + 1;
        let tick_chains = (primaries * ticks_per_primary).saturating_add(wins);
        heartbeats = heartbeats.saturating_add(tick_chains.saturating_mul(1 + 3 * others));
        elections = elections.saturating_add(campaigns.saturating_mul(2 + 3 * others));
        // Entries any log can hold: the writes and one no-op per win.
        let batches = (writes + wins) / u64::from(config.batch_max) + 3;
        by_cause =
            by_cause.saturating_add(tick_chains.saturating_add(wins.saturating_mul(batches)).saturating_mul(others));
        let paced = match round_trip_ms {
            0 => u64::MAX,
            rtt => (primaries * (config.horizon_ms / rtt + 1)).saturating_add(wins).saturating_mul(others),
        };
        by_pace = by_pace.saturating_add(paced);
    }
    w.add("raise the heartbeat interval or shorten the horizon", heartbeats);
    w.add("raise the shortest election timeout or shorten the horizon", elections);
    w.add("lower the writes per second or raise the network delay", by_cause.min(by_pace).saturating_mul(3));
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::WORK_EVENTS_MAX;

    #[test]
    fn the_default_fits_and_a_huge_run_names_a_setting() {
        let c = ReplConfig::default();
        assert!(estimate_work(&c, &[]).total() < WORK_EVENTS_MAX / 100);
        let huge = ReplConfig {
            shards: 8,
            replicas: 6,
            writes_per_s: 2_000,
            reads_per_s: 2_000,
            horizon_ms: 600_000,
            sample_every_ms: 600,
            ..c
        };
        let e = huge.validate().unwrap_err();
        assert!(e.starts_with("too many simulation steps") && e.contains("to fit, "), "{e}");
    }

    #[test]
    fn poisson_bound_exceeds_the_mean_by_eight_deviations() {
        assert_eq!(poisson_bound(100, 10_000), 1001 + 8 * 32 + 20);
        assert_eq!(poisson_bound(0, 10_000), 1 + 8 + 20);
    }
}
