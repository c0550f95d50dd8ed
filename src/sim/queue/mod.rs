//! The message-queue lab: queueing theory and a plain M/M/c simulation that checks it.

pub mod mmc;
pub mod stats;
pub mod theory;

pub use mmc::{MmcConfig, MmcReport, MmcSim, run_mmc};
pub use theory::{MmcTheory, erlang_b, erlang_c, mm1, mmc};
