//! Replication's safety properties as plain functions over a run's records. Each returns `Err` with the
//! first counterexample; `check_all` runs those that apply to the run's mode.

use super::repl_config::ReplMode;
use super::replication::{Election, LostWrite, ReplSim};

/// At most one primary per shard per term (Raft's election safety), over every election recorded.
pub fn one_primary_per_term(elections: &[Election]) -> Result<(), String> {
    let mut seen: Vec<(u32, u64, u32)> = elections.iter().map(|e| (e.shard, e.term, e.node)).collect();
    seen.sort_unstable();
    match seen.windows(2).find(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1) {
        Some(w) => {
            Err(format!("shard {}: nodes {} and {} were both primary in term {}", w[0].0, w[0].2, w[1].2, w[0].1))
        }
        None => Ok(()),
    }
}

/// With synchronous or quorum replication a write is acknowledged only once a majority holds it, so no
/// acknowledged write is ever lost.
pub fn no_acknowledged_write_lost(mode: ReplMode, lost: &[LostWrite]) -> Result<(), String> {
    if !matches!(mode, ReplMode::Sync | ReplMode::Quorum) {
        return Ok(());
    }
    match lost.first() {
        Some(l) => Err(format!(
            "write {} (shard {}, acknowledged by node {} at {} µs) was lost at {} µs under {} replication",
            l.write,
            l.shard,
            l.acked_by,
            l.acked_at_us,
            l.lost_at_us,
            mode.label()
        )),
        None => Ok(()),
    }
}

/// Every node's committed prefix is the shard's committed sequence: a committed entry never changes.
/// (The run also records, as it goes, any committed entry removed or committed differently.)
pub fn committed_prefixes_agree(sim: &ReplSim) -> Result<(), String> {
    if let Some(b) = sim.broken.first() {
        return Err(b.clone());
    }
    for (s, shard) in sim.shards.iter().enumerate() {
        for (v, node) in shard.nodes.iter().enumerate() {
            if node.commit > shard.committed.len() as u64 {
                return Err(format!("shard {s}: node {v} commits past the shard's committed sequence"));
            }
            if let Some(i) = (0..node.commit as usize).find(|&i| node.log.get(i) != shard.committed.get(i)) {
                return Err(format!("shard {s}: node {v}'s committed entry {} differs from the shard's", i + 1));
            }
        }
    }
    Ok(())
}

/// Leaderless with R + W > N: every read's R replies come from nodes of which at least one was among
/// the W that stored the latest acknowledged write (nodes keep what they store through a crash), so no
/// read is stale.
pub fn strict_quorum_reads_fresh(mode: ReplMode, stale_reads: u64) -> Result<(), String> {
    match mode {
        ReplMode::Leaderless { n, w, r } if r + w > n && stale_reads > 0 => {
            Err(format!("{stale_reads} reads were stale although R + W > N ({r} + {w} > {n})"))
        }
        _ => Ok(()),
    }
}

/// Every invariant that applies; the messages of those that fail.
pub fn check_all(sim: &ReplSim) -> Vec<String> {
    let elections = sim.elections.to_vec();
    let lost = sim.lost.to_vec();
    let stale: u64 = sim.shards.iter().map(|s| s.counts.stale_reads).sum();
    [
        one_primary_per_term(&elections),
        no_acknowledged_write_lost(sim.config.mode, &lost),
        committed_prefixes_agree(sim),
        strict_quorum_reads_fresh(sim.config.mode, stale),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_primaries_in_one_term_are_caught() {
        let e = |shard, term, node| Election { shard, term, node, at_us: 0, votes: 2 };
        assert!(one_primary_per_term(&[e(0, 1, 0), e(1, 1, 1), e(0, 2, 1)]).is_ok());
        let err = one_primary_per_term(&[e(0, 1, 0), e(0, 2, 1), e(0, 2, 2)]).unwrap_err();
        assert_eq!(err, "shard 0: nodes 1 and 2 were both primary in term 2");
    }

    #[test]
    fn a_lost_write_breaks_quorum_but_not_async() {
        let l = LostWrite { write: 7, shard: 1, key: 3, term: 1, index: 9, acked_by: 0, acked_at_us: 5, lost_at_us: 9 };
        assert!(no_acknowledged_write_lost(ReplMode::Async { lag_ms: 1, jitter_ms: 0 }, &[l]).is_ok());
        assert!(no_acknowledged_write_lost(ReplMode::Quorum, &[l]).unwrap_err().starts_with("write 7 (shard 1"));
    }
}
