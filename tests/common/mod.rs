//! Shared by the property tests: a failing schedule printed as a share link that opens the same run in
//! the page, followed by its JSON; the replication tests' recount of lost writes.
// Each test crate that includes this module uses part of it.
#![allow(dead_code)]

use sysplay::scenario::{LabSetup, SCENARIO_VERSION, Scenario, encode_link};
use sysplay::sim::sharding::ReplSim;

pub fn replay_link(seed: u64, setup: LabSetup) -> String {
    let scenario = Scenario { version: SCENARIO_VERSION, seed, setup };
    format!(
        "http://127.0.0.1:8080/#{} ({})",
        encode_link(&scenario),
        serde_json::to_string(&scenario).unwrap_or_default()
    )
}

/// Lost writes recounted from the end of the run: an acknowledged write at (term, index) is lost when the
/// shard's committed sequence holds another entry at its index, or already ends in an entry of a later
/// term before reaching it (terms never decrease along a log, so it can never be committed); unsettled
/// when the sequence has not reached it.
pub fn recount_lost(sim: &ReplSim) -> (u64, u64) {
    let (mut lost, mut unsettled) = (0, 0);
    for w in sim.writes().iter().filter(|w| w.acked_at.is_some()) {
        let Some(pos) = w.pos else { continue };
        let committed = sim.committed(w.shard as usize);
        match committed.get(pos.index as usize - 1) {
            Some(e) if e.term == pos.term && e.write == Some(pos.write) => {}
            Some(_) => lost += 1,
            None if committed.last().is_some_and(|e| e.term > pos.term) => lost += 1,
            None => unsettled += 1,
        }
    }
    (lost, unsettled)
}
