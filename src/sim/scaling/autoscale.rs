//! Traffic that changes with time, and a target-utilisation autoscaler in front of it.
//!
//! **Load steps.** The arrival rate is piecewise constant: the configuration's rate until the first step,
//! then each step's from its moment on. Arrivals stay Poisson within each piece: a gap that would cross a
//! step is drawn again from the step at its rate (exact, the exponential having no memory).
//!
//! **The autoscaler** is Kubernetes' horizontal pod autoscaler's rule. Every `interval_s` it measures the
//! utilisation of the servers in service over the last interval (busy core-time over core-time) and wants
//! `ceil(in service × utilisation / target)` servers, leaving things as they are while the ratio is
//! within the tolerance (10% by default, as Kubernetes'). It scales out at once: it starts the servers
//! missing beyond those in service and those still booting, each joining the pool `boot_s` later. It
//! scales in only to the largest number wanted over the last `scale_in_window_s` (Kubernetes' scale-down
//! stabilisation window, 300 s by default), and not while a server boots: a server scaled in leaves the
//! pool at once, finishes what it holds and stops. Servers cost from the moment they start booting to the
//! moment they stop.
//!
//! Utilisation cannot exceed 100%, so one decision grows the fleet by at most 1 / target (×1.67 at 60%):
//! a spike of several times the capacity takes several boots to absorb, and the queue that builds
//! meanwhile is the price of a fleet sized for the average.

use crate::sim::kernel::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// From `from_s` on, requests arrive at `arrival_rate_per_s`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadStep {
    pub from_s: f64,
    pub arrival_rate_per_s: f64,
}

/// The autoscaler's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Autoscale {
    /// Utilisation it aims at, percent.
    pub target_util_pct: u32,
    /// Seconds between decisions (Kubernetes: 15).
    pub interval_s: f64,
    /// Seconds from starting a server to its first request.
    pub boot_s: f64,
    pub min_servers: u32,
    pub max_servers: u32,
    /// Scale in only to the most servers wanted over this many seconds (Kubernetes: 300).
    pub scale_in_window_s: f64,
    /// No change while utilisation / target is within this many percent of 1 (Kubernetes: 10).
    pub tolerance_pct: u32,
}

impl Autoscale {
    /// Checks the settings for a fleet starting with `initial` servers.
    pub fn validate(&self, initial: u32, servers_max: u32) -> Result<(), String> {
        if !(5..=100).contains(&self.target_util_pct) {
            return Err(format!(
                "the autoscaler's target utilisation must be between 5% and 100% (got {}%)",
                self.target_util_pct
            ));
        }
        if !(self.interval_s.is_finite() && (1.0..=3600.0).contains(&self.interval_s)) {
            return Err(format!("the autoscaler decides every 1 s to an hour (got every {} s)", self.interval_s));
        }
        for (what, v) in [("a server's boot", self.boot_s), ("the scale-in window", self.scale_in_window_s)] {
            if !(v.is_finite() && (0.0..=3600.0).contains(&v)) {
                return Err(format!("{what} lasts 0 s to an hour (got {v} s)"));
            }
        }
        if self.tolerance_pct > 50 {
            return Err(format!("the autoscaler's tolerance is at most 50% (got {}%)", self.tolerance_pct));
        }
        if self.min_servers == 0 || self.min_servers > self.max_servers || self.max_servers > servers_max {
            return Err(format!(
                "the autoscaler needs 1 <= least servers <= most servers <= {servers_max} (got {} and {})",
                self.min_servers, self.max_servers
            ));
        }
        if !(self.min_servers..=self.max_servers).contains(&initial) {
            return Err(format!(
                "the fleet starts with {initial} servers, outside the autoscaler's {} to {}",
                self.min_servers, self.max_servers
            ));
        }
        Ok(())
    }
}

/// Checks load steps: rates in range, moments in order.
pub fn validate_steps(steps: &[LoadStep], rate_max: f64, steps_max: usize) -> Result<(), String> {
    if steps.len() > steps_max {
        return Err(format!("at most {steps_max} load steps (got {})", steps.len()));
    }
    let mut last = -1.0;
    for s in steps {
        if !(s.from_s.is_finite() && s.from_s > last && s.from_s >= 0.0) {
            return Err(format!("the load steps must come in order of time, from 0 s on (one at {} s)", s.from_s));
        }
        if !(s.arrival_rate_per_s.is_finite() && s.arrival_rate_per_s > 0.0 && s.arrival_rate_per_s <= rate_max) {
            return Err(format!(
                "a load step's rate must be above 0 and at most {rate_max} a second (got {} at {} s)",
                s.arrival_rate_per_s, s.from_s
            ));
        }
        last = s.from_s;
    }
    Ok(())
}

/// The arrival rate at `t_us`, and the moment of the next step after it.
pub fn rate_at(base: f64, steps: &[LoadStep], t_us: SimTime) -> (f64, Option<SimTime>) {
    let at = |s: &LoadStep| (s.from_s * 1e6).round() as SimTime;
    let k = steps.partition_point(|s| at(s) <= t_us);
    let rate = if k == 0 { base } else { steps[k - 1].arrival_rate_per_s };
    (rate, steps.get(k).map(at))
}

/// The fleet at one of the autoscaler's decisions.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ScaleSample {
    pub t_s: f64,
    /// Servers in service, booting, and leaving (finishing what they hold).
    pub in_service: u32,
    pub booting: u32,
    pub draining: u32,
    /// Requests at the servers, in service or waiting.
    pub requests_at_servers: u64,
    /// Utilisation of the servers in service over the last interval.
    pub utilization: f64,
    /// Servers it wants.
    pub desired: u32,
    pub arrival_rate_per_s: f64,
}

/// What a decision does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Hold,
    /// Start this many servers.
    Boot(u32),
    /// Take this many out of service.
    Drain(u32),
}

/// The autoscaler's memory: the servers it wanted at each recent decision.
#[derive(Clone, Debug)]
pub struct Autoscaler {
    pub settings: Autoscale,
    recent: VecDeque<(SimTime, u32)>,
}

impl Autoscaler {
    pub fn new(settings: Autoscale) -> Self {
        Self { settings, recent: VecDeque::new() }
    }

    /// The servers wanted with `in_service` servers at `utilization`, by the rule.
    pub fn desired(&self, in_service: u32, utilization: f64) -> u32 {
        let a = &self.settings;
        let ratio = utilization / (f64::from(a.target_util_pct) / 100.0);
        let want = if (ratio - 1.0).abs() <= f64::from(a.tolerance_pct) / 100.0 {
            in_service
        } else {
            // A hair under an integer (3.0000000001 from rounding) does not start a server.
            (f64::from(in_service) * ratio - 1e-9).ceil().max(0.0) as u32
        };
        want.clamp(a.min_servers, a.max_servers)
    }

    /// A decision at `now`; returns the servers wanted and what to do.
    pub fn decide(&mut self, now: SimTime, in_service: u32, booting: u32, utilization: f64) -> (u32, Decision) {
        let want = self.desired(in_service, utilization);
        let window = (self.settings.scale_in_window_s * 1e6).round() as SimTime;
        self.recent.push_back((now, want));
        while self.recent.front().is_some_and(|&(t, _)| t + window < now) {
            self.recent.pop_front();
        }
        let coming = in_service + booting;
        if want > coming {
            return (want, Decision::Boot(want - coming));
        }
        let keep = self.recent.iter().map(|&(_, w)| w).max().unwrap_or(want);
        if booting == 0 && keep < in_service {
            return (want, Decision::Drain(in_service - keep));
        }
        (want, Decision::Hold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hpa() -> Autoscale {
        Autoscale {
            target_util_pct: 50,
            interval_s: 15.0,
            boot_s: 60.0,
            min_servers: 1,
            max_servers: 100,
            scale_in_window_s: 300.0,
            tolerance_pct: 10,
        }
    }

    #[test]
    fn the_rule_is_kubernetes_ceil_of_current_times_ratio() {
        let a = Autoscaler::new(hpa());
        // Kubernetes' documentation: 200m used against a 100m target doubles the replicas.
        assert_eq!(a.desired(4, 1.0), 8);
        assert_eq!(a.desired(3, 0.8), 5); // ceil(4.8)
        assert_eq!(a.desired(10, 0.53), 10); // within 10% of the target: no change
        assert_eq!(a.desired(10, 0.2), 4);
        assert_eq!(a.desired(10, 0.0), 1); // the floor
        assert_eq!(a.desired(80, 1.0), 100); // the ceiling
    }

    #[test]
    fn scale_in_waits_for_the_window_and_for_booting_servers() {
        let mut a = Autoscaler::new(hpa());
        let s = 1_000_000;
        assert_eq!(a.decide(0, 4, 0, 1.0), (8, Decision::Boot(4)));
        assert_eq!(a.decide(15 * s, 4, 4, 1.0), (8, Decision::Hold));
        // The load falls: 8 servers at 10% want 2, but 8 were wanted within the last 300 s.
        assert_eq!(a.decide(100 * s, 8, 0, 0.1), (2, Decision::Hold));
        assert_eq!(a.decide(299 * s, 8, 0, 0.1), (2, Decision::Hold));
        // Past the window from the last decision that wanted 8 (at 15 s), the largest wanted is 2.
        assert_eq!(a.decide(316 * s, 8, 0, 0.1), (2, Decision::Drain(6)));
    }

    #[test]
    fn rates_follow_the_steps() {
        let steps =
            [LoadStep { from_s: 10.0, arrival_rate_per_s: 5.0 }, LoadStep { from_s: 20.0, arrival_rate_per_s: 1.0 }];
        assert_eq!(rate_at(2.0, &steps, 0), (2.0, Some(10_000_000)));
        assert_eq!(rate_at(2.0, &steps, 10_000_000), (5.0, Some(20_000_000)));
        assert_eq!(rate_at(2.0, &steps, 25_000_000), (1.0, None));
        assert!(validate_steps(&steps, 100.0, 10).is_ok());
        let backwards = [steps[1], steps[0]];
        assert!(validate_steps(&backwards, 100.0, 10).unwrap_err().contains("order"));
    }
}
