//! The deterministic simulation core.
//!
//! Nothing in here touches the browser, the wall clock or a global random source: every run is a pure
//! function of its scenario (seed + configuration + recorded actions), so the same scenario gives the
//! same numbers natively and in wasm, bit for bit.

pub mod budget;
pub mod cache;
pub mod cow;
pub mod events;
pub mod hash;
pub mod hashing;
pub mod kernel;
pub mod pubsub;
pub mod queue;
pub mod resilience;
pub mod scaling;
pub mod sharding;
pub mod stream;
pub mod timeline;
pub mod zipf;

pub use budget::{WORK_EVENTS_MAX, WorkEstimate};

/// A run computed a bounded number of steps at a time, from its seed and configuration: a page computes it
/// in slices with its progress, the command line and the tests all at once. (The timed labs' runs, which
/// a page also animates, are `timeline::TimedRun`s.)
pub trait SlicedRun {
    type Report;
    /// Takes about `max_steps` more steps; true once the run is over.
    fn advance(&mut self, max_steps: u64) -> bool;
    /// Steps taken so far (the page's progress).
    fn steps(&self) -> u64;
    /// What the run found so far (all of it once over).
    fn report(&self) -> Self::Report;
}

/// Refuses a value outside `lo..=hi` with a sentence naming it: every lab's configuration checks its
/// limits this way, so a form or a link gets the same kind of message everywhere.
pub(crate) fn check_range(what: &str, v: u64, lo: u64, hi: u64) -> Result<(), String> {
    if (lo..=hi).contains(&v) { Ok(()) } else { Err(format!("{what} must be between {lo} and {hi} (got {v})")) }
}
