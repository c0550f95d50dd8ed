//! The publish/subscribe lab: topics and patterns (exact, prefix, RabbitMQ wildcards), a broker that
//! fans each event out to every matching subscription (a queue per durable one, a direct push to an
//! ephemeral one), services that stop and start, and the notes' in-process event bus fed the same
//! stream, to compare what each loses when a process dies.

pub mod bus;
pub mod config;
pub mod invariants;
pub mod pattern;
pub mod presets;
pub mod report;
pub mod sim;

pub use config::{PubSubAction, PubSubConfig, ServiceSpec, SubscriptionSpec, TimedPubSubAction, TopicWeight, limits};
pub use invariants::check_all;
pub use pattern::{Pattern, PatternKind, validate_topic};
pub use presets::{PubSubPreset, pubsub_preset, pubsub_presets};
pub use report::{PubSubReport, PubSubSnapshot, SubscriptionReport};
pub use sim::{Fate, PubSubSim};
