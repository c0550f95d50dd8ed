//! The resilience lab's core (its page comes with the lab): availability of a structure of parts by
//! algebra and by Monte Carlo ([`availability`]), and a rate limiter with redis-cell's semantics
//! ([`throttle`]).

pub mod availability;
pub mod throttle;
