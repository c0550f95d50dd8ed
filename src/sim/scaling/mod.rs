//! The scaling and load-balancing lab's core: balancing policies in front of N servers measured
//! against queueing theory.
//!
//! - [`theory`]: random (M/M/1 per server), round robin (E_N/M/1), one shared queue (M/M/c), the power
//!   of d choices' limit (Mitzenmacher).
//! - [`lb`]: the balancer simulated on the kernel, every policy on the same jobs.
//! - [`lab`]: the lab's configuration, actions (kill and revive a server), timed run, the policies
//!   compared in slices, one big machine against many; [`lab_presets`]; the contract (`Scaling`).

pub mod autoscale;
pub mod calls;
mod contract;
pub mod lab;
pub mod lab_presets;
pub mod lb;
pub mod theory;

pub use contract::Scaling;
pub use lab::{ScalingAction, ScalingConfig, ScalingReport, ScalingSim};
pub use lb::{LbConfig, LbLive, LbReport, LbRun, Policy, ServerLive, ServerSpec};
