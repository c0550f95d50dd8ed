//! The partitioned log's safety properties as plain functions over a report. Each returns `Err` with
//! the first counterexample; `check_all` runs the ones that apply to each group's commit mode.

use super::config::CommitMode;
use super::report::{GroupReport, StreamReport};

/// Within a partition, every consumer sees offsets in increasing order, and so does every key.
pub fn order_kept_within_partitions(g: &GroupReport) -> Result<(), String> {
    if g.ordering.within_partition_violations > 0 {
        return Err(format!(
            "{}: {} out-of-order offsets within a partition ({})",
            g.name,
            g.ordering.within_partition_violations,
            g.ordering.first_violation.clone().unwrap_or_default()
        ));
    }
    if g.ordering.keys_out_of_order > 0 {
        return Err(format!("{}: {} keys handled out of their order", g.name, g.ordering.keys_out_of_order));
    }
    Ok(())
}

/// Commit after the work: nothing is lost, and once everything is committed every record handled but
/// not committed at a crash was handled exactly once more.
pub fn commit_after_work_loses_nothing(g: &GroupReport) -> Result<(), String> {
    if g.commit != CommitMode::AfterWork {
        return Ok(());
    }
    if g.lost > 0 {
        return Err(format!("{}: {} records lost with commit after work", g.name, g.lost));
    }
    let window: u64 = g.crashes.iter().map(|c| c.handled_uncommitted).sum();
    if g.lag_final.iter().all(|&l| l == 0) && g.duplicates != window {
        return Err(format!(
            "{}: {} duplicates but {} handled and uncommitted at crashes",
            g.name, g.duplicates, window
        ));
    }
    Ok(())
}

/// Commit before the work: nothing is handled twice, and exactly the records in flight at crashes
/// are lost.
pub fn commit_before_work_handles_once(g: &GroupReport) -> Result<(), String> {
    if g.commit != CommitMode::BeforeWork {
        return Ok(());
    }
    if g.duplicates > 0 {
        return Err(format!("{}: {} records handled twice with commit before work", g.name, g.duplicates));
    }
    let in_flight: u64 = g.crashes.iter().map(|c| c.in_flight).sum();
    if g.lost != in_flight {
        return Err(format!("{}: {} lost but {} in flight at crashes", g.name, g.lost, in_flight));
    }
    Ok(())
}

/// Every handled, lost or pending record is accounted for once.
pub fn every_record_accounted(g: &GroupReport, produced: u64) -> Result<(), String> {
    if g.consumed + g.lost + g.pending != produced || g.handled != g.consumed + g.duplicates {
        return Err(format!(
            "{}: consumed {} + lost {} + pending {} != produced {produced}",
            g.name, g.consumed, g.lost, g.pending
        ));
    }
    Ok(())
}

/// Every invariant that applies, over every group; the messages of those that fail.
pub fn check_all(r: &StreamReport) -> Vec<String> {
    let mut errors = Vec::new();
    for g in &r.groups {
        for check in [order_kept_within_partitions, commit_after_work_loses_nothing, commit_before_work_handles_once] {
            errors.extend(check(g).err());
        }
        errors.extend(every_record_accounted(g, r.produced).err());
    }
    errors
}
