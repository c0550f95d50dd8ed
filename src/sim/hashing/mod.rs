//! The hashing & load-balancing lab: modulo hashing and a consistent-hashing ring over one key set.

pub mod cache;
pub mod compare;
mod contract;
mod lab;
mod modulo;
pub mod presets;
mod report;
mod ring;

pub mod algos;

pub use contract::{Hashing, HashingReplay};
pub use lab::{HashingAction, HashingConfig, HashingLab, Membership, Server, ServerSpec, check_replay, limits};
pub use modulo::{modulo_share, modulo_space_moved};
pub use report::{ChangeReport, Flow, HashingReport, HistoryEntry, Movement, ProbeReport, ServerReport, Spread};
pub use ring::Ring;
