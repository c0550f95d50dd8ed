//! The resilience lab's core (its page comes with the lab): availability of a structure of parts by
//! algebra and by Monte Carlo ([`availability`]) and over simulated years of failures and repairs,
//! shared failures included ([`years`]), a rate limiter with redis-cell's semantics
//! ([`throttle`]), a circuit breaker with resilience4j's ([`circuit`]), a retry storm with its
//! defences ([`storm`]), and the notes' services as a monolith or as microservices ([`architecture`]).

pub mod architecture;
pub mod availability;
pub mod cards;
pub mod circuit;
pub mod contract;
pub mod lab;
pub mod lab_presets;
pub mod storm;
pub mod takeover;
pub mod throttle;
pub mod topology;
pub mod years;

pub use contract::Resilience;
pub mod bulkhead;
