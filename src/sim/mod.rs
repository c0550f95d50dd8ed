//! The deterministic simulation core.
//!
//! Nothing in here touches the browser, the wall clock or a global random source: every run is a pure
//! function of its scenario (seed + configuration + recorded actions), so the same scenario gives the
//! same numbers natively and in wasm, bit for bit.

pub mod hash;
pub mod hashing;
pub mod kernel;
pub mod pubsub;
pub mod queue;
pub mod stream;
