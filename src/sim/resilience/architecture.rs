//! Monolith against microservices with the notes' services (user, product, order, payment, email), each
//! with its own database: what a crash takes down, what a request costs, what scaling the hot part
//! costs, and the distributed monolith as the counter-example.
//!
//! **Requests.** Each kind of request has a share of the traffic and the services it needs answered
//! synchronously (the email of an order goes through a queue: the order does not wait for it).
//! - **Monolith**: one process with every module; a request needs the process; a call between modules
//!   is a function call.
//! - **Microservices**: a request needs exactly the services on its synchronous path; each call
//!   between services is a network round trip.
//! - **Distributed monolith**: services deployed apart but every request calls every service
//!   synchronously: the worst of both (a request needs them all, and pays a round trip for each).
//!
//! **Availability** of a request is the product of what it needs (independent failures); the design's
//! is the traffic-weighted mean. **Blast radius** of a crashed service: the share of requests that fail.
//! **Scaling the hot service**: to serve `scale`× the traffic of the hottest kind of request, a monolith
//! adds whole copies (every module), microservices add instances of the services that kind needs.

use serde::Serialize;

/// The notes' services.
pub const SERVICES: [&str; 5] = ["user", "product", "order", "payment", "email"];

/// A kind of request: its name, its share of the traffic, and the services it needs synchronously (by
/// their numbers in [`SERVICES`]), in call order from the first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestKind {
    pub name: &'static str,
    pub share: f64,
    pub needs: Vec<usize>,
}

/// The notes' shop: browsing products most of the time, signing in, placing orders (user, product,
/// order and payment; the email sent through a queue), looking at past orders.
pub fn shop() -> Vec<RequestKind> {
    vec![
        RequestKind { name: "browse products", share: 0.70, needs: vec![1] },
        RequestKind { name: "sign in", share: 0.15, needs: vec![0] },
        RequestKind { name: "place an order", share: 0.05, needs: vec![2, 0, 1, 3] },
        RequestKind { name: "order history", share: 0.10, needs: vec![2, 0] },
    ]
}

/// The three ways to deploy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Design {
    Monolith,
    Microservices,
    DistributedMonolith,
}

/// What each design gives.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DesignReport {
    pub design: Design,
    /// Share of requests answered, from the parts' availabilities.
    pub availability: f64,
    /// For each service crashed alone, the share of requests that fail.
    pub blast_radius: Vec<f64>,
    /// Mean time a request spends in calls between services or modules, µs.
    pub call_overhead_us: f64,
    /// Copies of modules to run to serve `scale` times the hottest request's traffic (a monolith's
    /// copy carries every module; a service's instance, one).
    pub module_copies_to_scale: u32,
}

/// The services (or modules) `kind` calls under `design`: its own path, or every service in a
/// distributed monolith.
fn path(design: Design, kind: &RequestKind) -> Vec<usize> {
    match design {
        Design::Monolith | Design::Microservices => kind.needs.clone(),
        Design::DistributedMonolith => (0..SERVICES.len()).collect(),
    }
}

/// Each design on `kinds`: services up with `service_availability` (each with its database), the
/// monolith's process with `monolith_availability`; a network round trip `rtt_us`, a function call
/// `call_ns`; scaling the hottest kind of request `scale` times over.
pub fn compare(
    kinds: &[RequestKind],
    service_availability: f64,
    monolith_availability: f64,
    rtt_us: f64,
    call_ns: f64,
    scale: u32,
) -> Vec<DesignReport> {
    let hottest = kinds.iter().max_by(|a, b| a.share.total_cmp(&b.share)).expect("at least one kind of request");
    [Design::Monolith, Design::Microservices, Design::DistributedMonolith]
        .into_iter()
        .map(|design| {
            let up = |kind: &RequestKind| match design {
                // One process: up or down as a whole, whatever the request needs.
                Design::Monolith => monolith_availability,
                _ => service_availability.powi(path(design, kind).len() as i32),
            };
            let availability = kinds.iter().map(|k| k.share * up(k)).sum();
            let blast_radius = (0..SERVICES.len())
                .map(|s| match design {
                    // One process: a crash of any module takes every request.
                    Design::Monolith => 1.0,
                    // A sum of nothing is -0.0 in Rust: + 0.0 shows it as 0.
                    _ => kinds.iter().filter(|k| path(design, k).contains(&s)).map(|k| k.share).sum::<f64>() + 0.0,
                })
                .collect();
            // Calls beyond the first service a request reaches.
            let calls = |k: &RequestKind| path(design, k).len().saturating_sub(1) as f64;
            let per_call_us = if design == Design::Monolith { call_ns / 1000.0 } else { rtt_us };
            let call_overhead_us = kinds.iter().map(|k| k.share * calls(k) * per_call_us).sum();
            let n = SERVICES.len() as u32;
            let module_copies_to_scale = match design {
                // Whole copies: every module comes along.
                Design::Monolith => n * scale,
                // One instance of each, plus more of what the hot request needs.
                Design::Microservices => n + (scale.max(1) - 1) * hottest.needs.len() as u32,
                // The hot request needs every service.
                Design::DistributedMonolith => n * scale,
            };
            DesignReport { design, availability, blast_radius, call_overhead_us, module_copies_to_scale }
        })
        .collect()
}
