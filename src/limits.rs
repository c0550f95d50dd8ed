//! Limits every lab shares. Each lab's own limits (servers, orders, partitions, ...) live in its folder
//! under `src/sim/`; a refusal always says which limit and what to change.

/// Most recorded actions in one scenario, in any lab.
pub const ACTIONS_MAX: usize = 500;

/// Longest share-link payload accepted, in characters (what browsers, chat apps and mail keep intact).
pub const LINK_ENCODED_MAX: usize = 8192;

/// Largest scenario JSON accepted once a link's payload is decompressed, in bytes.
pub const LINK_DECODED_MAX: usize = 64 * 1024;

/// Largest scenario file accepted (the page's "Open scenario file", `sysplay run FILE`, the browser's
/// autosave), in bytes. A session too large for a link travels as a file; the largest scenario the
/// limits accept is far below this (about 150 KB: a thousand servers and 500 actions).
pub const SCENARIO_FILE_MAX: usize = 1024 * 1024;

/// Most events (work) one run may take, in any lab: about ten seconds of native simulation.
pub use crate::sim::WORK_EVENTS_MAX;
