//! The caching lab (`contract.rs`, `lab.rs`, `lab_config.rs`, `lab_presets.rs`: requests stepped through
//! every policy beside the optimum), and its core. Cache eviction policies: which key a full cache drops when a new one
//! arrives. Every policy answers one request at a time behind the [`Policy`] trait (hit or miss, what was
//! evicted and why, the cache's lists as the policy names them), so a page can step through a trace
//! and a replay can run millions of requests through the same code.
//!
//! - `policy.rs` — the trait, [`PolicyKind`] with its stable names, [`build`], and [`Access`], one
//!   request's outcome with the reasons a page shows.
//! - `lru.rs`, `lfu.rs`, `fifo.rs` (FIFO and Random), `clock.rs` (CLOCK and SIEVE), `arc.rs`,
//!   `tinylfu.rs` with `sketch.rs` (W-TinyLFU and its frequency sketch), `s3fifo.rs`: one policy each,
//!   each a faithful version of its paper or reference implementation, cited in its documentation with
//!   its cost per access. `slab.rs` is the linked lists under them and `keymap.rs` their hash map.
//! - `optimal.rs` — Belady's MIN, the offline bound: it sees the whole trace.
//! - `workload.rs` — traces generated from a seed, and read from text.
//! - `mrc.rs` — miss-ratio curves (LRU's by stack distances) and hit ratio over time.
//! - `che.rs` — Che's approximation of LRU's hit ratio, the theory LRU's simulation is checked against.
//!
//! Built on the policies, the lab's other parts, each a run computed in slices from (seed,
//! configuration), with presets and limits:
//!
//! - `placement.rs` — where a cache sits: client, server, tier (on the hashing lab's ring) and the
//!   database's buffer on the notes' 100 + 10 + 10 + 100 ms path, the same requests through six setups.
//! - `consistency.rs` with `consistency/` — TTL refresh (`ttl.rs`), write policies with a crash
//!   (`writes.rs`), cache-aside's stale race and the balance that must never be stale (`race.rs`).
//! - `cdn.rs` with `cdn/limiter.rs` — edges per region before an origin in India, and a token bucket.
//! - `store.rs` — a policy with values: each cached key's metadata, invalidation by tombstone.
//! - `stats.rs` — the distributions their reports hold: summaries, percentiles and histograms.

mod arc;
pub mod cdn;
pub mod che;
mod clock;
pub mod consistency;
mod contract;
mod fifo;
mod keymap;
mod lab;
pub mod lab_config;
mod lab_presets;
mod lfu;
mod lru;
pub mod mrc;
mod optimal;
pub mod placement;
mod policy;
mod s3fifo;
mod sketch;
mod slab;
pub mod stats;
mod store;
mod tinylfu;
pub mod workload;

pub use arc::Arc;
pub use clock::{Clock, Sieve};
pub use contract::Caching;
pub use fifo::{Fifo, RandomEviction};
pub use lab::{CacheLabReport, CacheLabSim, CacheSnapshot, PolicyHits, REQUEST_US, Recent, Window};
pub use lab_config::{CacheAction, CacheLabConfig, WorkloadSpec, estimate_work};
pub use lfu::Lfu;
pub use lru::Lru;
pub use optimal::{Optimal, optimal_hit_flags, optimal_hits};
pub use policy::{
    Access, ArcCase, ArcVictim, Duel, Note, Overflow, Policy, PolicyKind, S3Queue, Segment, TinyLfuStep, build,
};
pub use s3fifo::S3Fifo;
pub use sketch::FrequencySketch;
pub use tinylfu::WTinyLfu;
pub use workload::{Workload, parse_trace, read_trace};

/// Limits on what a cache run takes.
pub mod limits {
    /// Most requests in one trace, generated or read: ten million, a few seconds of every policy natively.
    pub const REQUESTS_MAX: u64 = 10_000_000;
    /// Largest cache, in keys: as many as a trace's requests, since a larger cache only holds more of
    /// nothing.
    pub const CAPACITY_MAX: usize = 10_000_000;
    /// Most distinct keys a generated workload draws from.
    pub const KEYS_MAX: u64 = 10_000_000;
    /// Largest Zipf exponent: past it, nearly every request is key 1.
    pub const ZIPF_S_MAX: f64 = 5.0;
    /// Longest line of a trace, in bytes: a key is at most 20 digits, with room for spaces.
    pub const LINE_LEN_MAX: usize = 64;
    /// Most cache sizes in one miss-ratio curve.
    pub const CURVE_SIZES_MAX: usize = 100;
    /// Most requests a curve simulates (the trace's length times its sizes): the caching lab's heaviest
    /// run (a million requests and as many by hand as a scenario records, nine policies and the optimum)
    /// at the page's 20 sizes is 200.1 million, about ten seconds natively.
    pub const CURVE_WORK_MAX: u64 = 210_000_000;
}

/// Refuses a cache larger than [`limits::CAPACITY_MAX`] keys, with a sentence.
pub fn check_capacity(capacity: usize) -> Result<(), String> {
    if capacity > limits::CAPACITY_MAX {
        return Err(format!(
            "a cache holds at most {} keys (asked for {})",
            crate::sim::budget::thousands(limits::CAPACITY_MAX as u64),
            crate::sim::budget::thousands(capacity as u64)
        ));
    }
    Ok(())
}
