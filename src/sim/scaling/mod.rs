//! The scaling and load-balancing lab's core: balancing policies in front of N servers measured
//! against queueing theory.
//!
//! - [`theory`]: random (M/M/1 per server), round robin (E_N/M/1), one shared queue (M/M/c), the power
//!   of d choices' limit (Mitzenmacher).
//! - [`lb`]: the balancer simulated on the kernel, every policy on the same kind of arrivals.

pub mod lb;
pub mod theory;

pub use lb::{LbConfig, LbReport, LbRun, Policy, ServerSpec};
