//! The publish/subscribe lab: topics and patterns (exact, prefix, RabbitMQ wildcards), a broker that
//! fans each event out to the queues whose bindings match it (per service at most one durable queue and
//! one ephemeral queue, each getting an event once however many of its bindings match), services that stop and start, and the notes' in-process event bus fed the same
//! stream, to compare what each loses when a process dies.

pub mod budget;
pub mod bus;
pub mod config;
mod contract;
pub mod invariants;
pub mod pattern;
pub mod presets;
pub mod report;
pub mod sim;

pub use budget::estimate_work;
pub use config::{PubSubAction, PubSubConfig, ServiceSpec, SubscriptionSpec, TimedPubSubAction, TopicWeight, limits};
pub use contract::PubSub;
pub use invariants::check_all;
pub use pattern::{Pattern, PatternKind, validate_topic};
pub use presets::{PubSubPreset, pubsub_preset, pubsub_presets};
pub use report::{BindingReport, PubSubReport, PubSubSnapshot, QueueReport};
pub use sim::{Fate, PubSubSim};
