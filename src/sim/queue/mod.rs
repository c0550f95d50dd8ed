//! The message-queue lab: queueing theory, a plain M/M/c simulation that checks it, and the pizza shop
//! of the notes (producers, a broker, shops as consumers, heartbeats, redistribution, delivery guarantees).

mod assign;
pub mod broker;
pub mod budget;
pub mod config;
pub mod consumer;
mod contract;
pub mod events;
pub mod invariants;
pub mod ledger;
pub mod mmc;
pub mod notifier;
pub mod presets;
pub mod report;
pub mod shop;
pub mod stats;
pub mod theory;

pub use budget::estimate_work;
pub use config::{Delivery, Redistribution, ShopAction, ShopConfig, ShopSpec, TimedAction, limits};
pub use contract::MessageQueue;
pub use invariants::check_all;
pub use mmc::{MmcConfig, MmcReport, MmcSim, run_mmc};
pub use presets::{ShopPreset, shop_preset, shop_presets};
pub use report::{OrderStatus, ShopReport, ShopSnapshot};
pub use shop::ShopSim;
pub use theory::{MmcTheory, erlang_b, erlang_c, mm1, mmc};
