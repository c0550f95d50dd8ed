//! The deterministic simulation core.
//!
//! Nothing in here touches the browser, the wall clock or a global random source: every run is a pure
//! function of its scenario (seed + configuration + recorded actions), so the same scenario gives the
//! same numbers natively and in wasm, bit for bit.

pub mod budget;
pub mod cache;
pub mod cow;
pub mod hash;
pub mod hashing;
pub mod kernel;
pub mod pubsub;
pub mod queue;
pub mod sharding;
pub mod stream;
pub mod timeline;
pub mod zipf;

pub use budget::{WORK_EVENTS_MAX, WorkEstimate};

/// Refuses a value outside `lo..=hi` with a sentence naming it: every lab's configuration checks its
/// limits this way, so a form or a link gets the same kind of message everywhere.
pub(crate) fn check_range(what: &str, v: u64, lo: u64, hi: u64) -> Result<(), String> {
    if (lo..=hi).contains(&v) { Ok(()) } else { Err(format!("{what} must be between {lo} and {hi} (got {v})")) }
}
