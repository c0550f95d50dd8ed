//! The lab's named runs: the notes' walk to an architecture without single points of failure, and the
//! failure handling real services add.

use super::architecture::Design;
use super::contract::Resilience;
use super::lab::{BreakerCard, ResilienceAction, ResilienceConfig, ServicesCard};
use super::storm::StormConfig;
use super::topology::{Step, Topology};
use crate::scenario::LabPreset;

/// The seed every preset uses.
pub const SEED: u64 = 16;

/// The notes' whole architecture: every step taken.
pub fn full_topology() -> Topology {
    Step::ALL.into_iter().fold(Topology::default(), |t, s| t.with_step(s).expect("the notes' steps apply in turn"))
}

/// Every preset of the lab, in the order the page lists them.
pub fn resilience_presets() -> Vec<LabPreset<Resilience>> {
    let base = ResilienceConfig::default();
    let full = ResilienceConfig { topology: full_topology(), ..base.clone() };
    let steps = |at: u64| -> Vec<(u64, ResilienceAction)> {
        Step::ALL.into_iter().enumerate().map(|(i, step)| (at + i as u64, ResilienceAction::Add { step })).collect()
    };
    vec![
        LabPreset {
            name: "node-db-spof",
            title: "Node → Database: two single points of failure",
            explains: "The notes' start: one node, one database, in one region. Each is a single point of \
                       failure: kill either and every request fails until it is repaired. Together, in one \
                       region, they are up 99.61% of the time: about 34 hours down a year.",
            seed: SEED,
            config: base.clone(),
            actions: vec![],
        },
        LabPreset {
            name: "notes-walkthrough",
            title: "The notes' steps, in order",
            explains: "From Node → Database: a backup database, more nodes, a load balancer (the nodes were idle \
                       until it came: clients knew one address), a second load balancer (idle too until DNS lists \
                       both), DNS, a coordinator that promotes a backup in 30 s instead of a person in 15 minutes, \
                       and a second region. Only DNS is left a single point of failure.",
            seed: SEED,
            config: base.clone(),
            actions: steps(0),
        },
        LabPreset {
            name: "region-down",
            title: "A whole region goes down",
            explains: "The notes' architecture in two regions, and region a, with the primary database, is lost. \
                       For 90 s every request fails: clients still hold region a's addresses until DNS drops them \
                       and their cached answers expire, and the coordinator promotes db-b1 meanwhile. Then \
                       region b serves everything.",
            seed: SEED,
            config: full.clone(),
            actions: vec![(0, ResilienceAction::Kill { part: "region-a".into() })],
        },
        LabPreset {
            name: "retry-storm",
            title: "A retry storm: a 5 s outage that never ends",
            explains: "800 requests a second against a capacity of 1,000; clients time out after 1 s and retry 3 \
                       times without jitter or budget. After the 5 s outage the queue holds more than a timeout's \
                       worth of work: everything served was already abandoned, each request comes back four \
                       times, and the service stays stuck at 100% busy, answering nobody in time. Switch on the \
                       retry budget to see it recover at 59 s; jitter or shedding alone do not: the retries \
                       still offer four times the requests.",
            seed: SEED,
            config: full.clone(),
            actions: vec![],
        },
        LabPreset {
            name: "circuit-breaker",
            title: "A circuit breaker with resilience4j's defaults",
            explains: "20 calls a second to a service that fails from 30 s to 150 s. The breaker needs 100 calls in \
                       its window and opens at 50% failures, at 32.45 s; it refuses calls for 60 s, lets 10 \
                       through half-open, opens again while the service is still down, and closes at the first \
                       half-open after it is back.",
            seed: SEED,
            config: ResilienceConfig { breaker: BreakerCard::default(), ..full.clone() },
            actions: vec![],
        },
        LabPreset {
            name: "monolith-crash",
            title: "The payment module crashes the monolith",
            explains: "The notes' five services as one process: a crash of the payment module takes the process, \
                       and every request fails, browsing included.",
            seed: SEED,
            config: ResilienceConfig {
                services: ServicesCard { deployed: Design::Monolith, crashed: Some(3), ..ServicesCard::default() },
                ..full.clone()
            },
            actions: vec![],
        },
        LabPreset {
            name: "microservice-crash",
            title: "The payment service crashes alone",
            explains: "The same five as services, each with its own database: the payment service's crash fails \
                       checkouts only; users still log in, browse products and read their order history.",
            seed: SEED,
            config: ResilienceConfig {
                services: ServicesCard { deployed: Design::Microservices, crashed: Some(3), ..ServicesCard::default() },
                storm: StormConfig::default(),
                ..full
            },
            actions: vec![],
        },
    ]
}
