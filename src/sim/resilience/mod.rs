//! The resilience lab's core (its page comes with the lab): availability of a structure of parts by
//! algebra and by Monte Carlo ([`availability`]) and over simulated years of failures and repairs,
//! shared failures included ([`years`]), a rate limiter with redis-cell's semantics
//! ([`throttle`]), a circuit breaker with resilience4j's ([`circuit`]), and a retry storm with its
//! defences ([`storm`]).

pub mod availability;
pub mod circuit;
pub mod storm;
pub mod throttle;
pub mod years;
