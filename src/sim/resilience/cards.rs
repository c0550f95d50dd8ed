//! The runs of the lab's other cards, from their settings: the circuit breaker in front of a failing
//! service, and the notes' five services deployed three ways with one crashed.

use super::architecture::{self, Design, DesignReport, SERVICES};
use super::circuit::{Breaker, State, Transition};
use super::lab::{BreakerCard, ServicesCard};
use serde::Serialize;

/// One second of the breaker's run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BreakerSecond {
    pub t_s: u32,
    /// The state at the second's end.
    pub state: State,
    /// Calls let through that the service answered.
    pub succeeded: u32,
    /// Calls let through that failed (the service was down).
    pub failed: u32,
    /// Calls the breaker refused at once.
    pub refused: u32,
}

/// The breaker's whole run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreakerRun {
    pub seconds: Vec<BreakerSecond>,
    pub transitions: Vec<Transition>,
    pub calls: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub refused: u64,
    /// Calls that reached the service while it was down: without a breaker every one of the outage's
    /// calls would.
    pub failed_during_outage: u64,
    pub outage_calls: u64,
    /// Seconds from the outage's end until the breaker closed again (none if it never did).
    pub closed_after_outage_s: Option<f64>,
}

/// Calls at a steady rate (one every 1000 / rate ms, the result back at once) through a breaker, to a
/// service that fails every call during the outage.
pub fn breaker_run(card: &BreakerCard) -> Result<BreakerRun, String> {
    card.validate()?;
    let mut b = Breaker::new(card.breaker);
    let rate = u64::from(card.calls_per_s);
    let total = u64::from(card.duration_s) * rate;
    let (from_ms, to_ms) = (u64::from(card.outage_from_s) * 1000, u64::from(card.outage_to_s) * 1000);
    let mut seconds: Vec<BreakerSecond> = (0..card.duration_s)
        .map(|t_s| BreakerSecond { t_s, state: State::Closed, succeeded: 0, failed: 0, refused: 0 })
        .collect();
    let (mut succeeded, mut failed, mut refused, mut failed_out, mut outage_calls) = (0, 0, 0, 0, 0);
    for k in 0..total {
        let t = k * 1000 / rate;
        let down = (from_ms..to_ms).contains(&t);
        outage_calls += u64::from(down);
        let s = &mut seconds[(t / 1000) as usize];
        if b.try_acquire(t) {
            b.on_result(t, down);
            if down {
                s.failed += 1;
                failed += 1;
                failed_out += 1;
            } else {
                s.succeeded += 1;
                succeeded += 1;
            }
        } else {
            s.refused += 1;
            refused += 1;
        }
        s.state = b.state();
    }
    let transitions = b.transitions().to_vec();
    let closed_after_outage_s = transitions
        .iter()
        .find(|tr| tr.to == State::Closed && tr.at_ms >= to_ms)
        .map(|tr| (tr.at_ms - to_ms) as f64 / 1000.0)
        .or_else(|| (b.state() == State::Closed && transitions.is_empty()).then_some(0.0));
    Ok(BreakerRun {
        seconds,
        transitions,
        calls: total,
        succeeded,
        failed,
        refused,
        failed_during_outage: failed_out,
        outage_calls,
        closed_after_outage_s,
    })
}

/// The services card's outcome: each design, and the crash's effect under the design deployed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServicesRun {
    pub designs: Vec<DesignReport>,
    pub deployed: Design,
    /// The crashed service's name, and the share of requests its crash fails under each design.
    pub crashed: Option<&'static str>,
    pub crash_fails: Option<f64>,
    /// Each kind of request and whether it still works with the crash, under the design deployed.
    pub requests: Vec<(&'static str, f64, bool)>,
}

pub fn services_run(card: &ServicesCard) -> Result<ServicesRun, String> {
    card.validate()?;
    let kinds = architecture::shop();
    let designs = architecture::compare(
        &kinds,
        f64::from(card.service_pcm) / 100_000.0,
        f64::from(card.monolith_pcm) / 100_000.0,
        f64::from(card.rtt_us),
        f64::from(card.call_ns),
        card.scale,
    );
    let crashed = card.crashed.map(|c| c as usize).filter(|&c| c < SERVICES.len());
    let deployed = designs.iter().find(|d| d.design == card.deployed).expect("every design is compared");
    let requests = kinds
        .iter()
        .map(|k| {
            let works = match (crashed, card.deployed) {
                (None, _) => true,
                (Some(_), Design::Monolith) => false,
                (Some(_), Design::DistributedMonolith) => false,
                (Some(c), Design::Microservices) => !k.needs.contains(&c),
            };
            (k.name, k.share, works)
        })
        .collect();
    Ok(ServicesRun {
        deployed: card.deployed,
        crashed: crashed.map(|c| SERVICES[c]),
        crash_fails: crashed.map(|c| deployed.blast_radius[c]),
        designs,
        requests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::resilience::circuit::BreakerConfig;

    #[test]
    fn the_breaker_opens_after_its_window_and_closes_after_the_outage() {
        let r = breaker_run(&BreakerCard::default()).unwrap();
        // 20 calls a second; down from 30 s: the window of 100 holds 50 failures at 32.5 s (calls 600 to
        // 649 succeeded, 650 on failed) and the breaker opens on the 50th failure.
        let first = r.transitions[0];
        assert_eq!((first.from, first.to), (State::Closed, State::Open));
        assert_eq!(first.at_ms, 32_450);
        // Open 60 s, then half-open: 10 calls, all failing (still down): open again, and so on until the
        // outage ends at 150 s; the first half-open after it closes.
        assert!(r.transitions.iter().all(|t| t.at_ms < 150_000 || t.to != State::Open));
        let closed = r.transitions.iter().find(|t| t.to == State::Closed).unwrap();
        assert!(closed.at_ms >= 150_000);
        // Every call is accounted for, and the breaker spared the service most of the outage's calls.
        assert_eq!(r.succeeded + r.failed + r.refused, r.calls);
        assert_eq!(r.outage_calls, 120 * 20);
        assert!(r.failed_during_outage < r.outage_calls / 4, "{} of {}", r.failed_during_outage, r.outage_calls);
        // No outage: it never opens.
        let calm = breaker_run(&BreakerCard { outage_to_s: 30, ..BreakerCard::default() }).unwrap();
        assert!(calm.transitions.is_empty() && calm.refused == 0);
        assert!(
            breaker_run(&BreakerCard {
                breaker: BreakerConfig { window: 0, ..BreakerConfig::default() },
                ..BreakerCard::default()
            })
            .is_err()
        );
    }

    #[test]
    fn a_crash_fails_what_the_design_says() {
        let card = ServicesCard { crashed: Some(4), deployed: Design::Microservices, ..ServicesCard::default() };
        let r = services_run(&card).unwrap();
        // Email is needed only by the orders' requests that send one.
        assert_eq!(r.crashed, Some("email"));
        let failing: f64 = r.requests.iter().filter(|(_, _, w)| !w).map(|(_, s, _)| s).sum();
        assert!((failing - r.crash_fails.unwrap()).abs() < 1e-12);
        assert!(failing < 1.0);
        let mono = services_run(&ServicesCard { deployed: Design::Monolith, ..card }).unwrap();
        assert_eq!(mono.crash_fails, Some(1.0));
        assert!(mono.requests.iter().all(|(_, _, w)| !w));
    }
}
