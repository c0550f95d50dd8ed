//! A discrete-event M/M/c simulation on the kernel's scheduler: Poisson arrivals, exponential service,
//! `c` identical servers, one FIFO queue, no failures. The plain model the theory tests check.
//!
//! Measurement: the first 10% of orders (by arrival) are a warm-up and left out of every average. The
//! time averages (number in system, utilization) integrate over the window from the arrival of the first
//! measured order to the arrival of the last order. Percentiles are exact (all sojourns sorted) and use
//! the nearest-rank definition.

use super::stats::{exp_delay_for_rate, percentiles_s, secs};
use super::theory::{MmcTheory, check_mmc, mmc};
use crate::sim::kernel::{Scheduler, SimRng, SimTime};
use serde::Serialize;
use std::collections::VecDeque;

/// Most orders in one run (memory: one sojourn per measured order).
pub const ORDERS_MAX: u64 = 10_000_000;
/// Highest arrival or service rate per second: a mean of at least 100 µs keeps whole-µs rounding of
/// every drawn delay below 0.5% of it.
pub const RATE_MAX_PER_S: f64 = 10_000.0;
/// Share of orders (the first ones) treated as warm-up, in percent.
pub const WARMUP_PCT: u64 = 10;

/// An M/M/c configuration; rates are per second.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MmcConfig {
    pub servers: u32,
    pub arrival_rate_per_s: f64,
    pub service_rate_per_s: f64,
    pub orders: u64,
}

impl MmcConfig {
    /// Refuses unstable or out-of-range parameters with a sentence saying why.
    pub fn validate(&self) -> Result<MmcTheory, String> {
        check_mmc(self.servers, self.arrival_rate_per_s, self.service_rate_per_s)?;
        if self.arrival_rate_per_s > RATE_MAX_PER_S || self.service_rate_per_s > RATE_MAX_PER_S {
            return Err(format!("rates are limited to {RATE_MAX_PER_S} per second (time is kept in whole µs)"));
        }
        if self.orders == 0 {
            return Err("at least one order is needed".into());
        }
        if self.orders > ORDERS_MAX {
            return Err(format!("at most {ORDERS_MAX} orders per run (got {})", self.orders));
        }
        mmc(self.servers, self.arrival_rate_per_s, self.service_rate_per_s)
    }
}

/// What one run measured; times in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MmcReport {
    pub orders: u64,
    /// Orders left out of the averages as warm-up (the first 10%).
    pub warmup_orders: u64,
    pub mean_wait_s: f64,
    pub mean_sojourn_s: f64,
    /// Time average of the number of orders in the system over the window.
    pub mean_in_system: f64,
    /// Time average of busy servers / c over the window.
    pub utilization: f64,
    /// Measured orders / window length: the lambda of Little's law on the measured data.
    pub arrival_rate_measured_per_s: f64,
    pub window_s: f64,
    pub p50_sojourn_s: f64,
    pub p95_sojourn_s: f64,
    pub p99_sojourn_s: f64,
    /// Events the scheduler processed (two per order).
    pub events: u64,
}

#[derive(Clone, Copy, Debug)]
enum MmcEvent {
    Arrival,
    Departure { order: u64, arrived_at: SimTime, started_at: SimTime },
}

/// The running simulation; `run` drives it to the end.
pub struct MmcSim {
    config: MmcConfig,
    scheduler: Scheduler<MmcEvent>,
    rng: SimRng,
    queue: VecDeque<(u64, SimTime)>,
    busy: u32,
    arrived: u64,
    warmup: u64,
    in_system: u64,
    window: Window,
    wait_sum_us: u128,
    sojourn_sum_us: u128,
    sojourns: Vec<SimTime>,
    events: u64,
}

/// Integrals of the number in system and of busy servers over the measurement window.
#[derive(Default)]
struct Window {
    open: bool,
    start: SimTime,
    end: SimTime,
    last: SimTime,
    area_in_system: u128,
    area_busy: u128,
}

impl MmcSim {
    /// A simulation ready to run; the seed fixes every arrival and service time.
    pub fn new(seed: u64, config: MmcConfig) -> Result<Self, String> {
        config.validate()?;
        let warmup = config.orders * WARMUP_PCT / 100;
        let mut sim = Self {
            config,
            scheduler: Scheduler::new(),
            rng: SimRng::new(seed),
            queue: VecDeque::new(),
            busy: 0,
            arrived: 0,
            warmup,
            in_system: 0,
            window: Window::default(),
            wait_sum_us: 0,
            sojourn_sum_us: 0,
            sojourns: Vec::with_capacity((config.orders - warmup) as usize),
            events: 0,
        };
        let first = exp_delay_for_rate(&mut sim.rng, config.arrival_rate_per_s);
        sim.scheduler.schedule_at(first, MmcEvent::Arrival);
        Ok(sim)
    }

    /// Processes one event; false when nothing is left.
    pub fn step(&mut self) -> bool {
        let Some((now, event)) = self.scheduler.pop() else { return false };
        self.events += 1;
        self.integrate(now);
        match event {
            MmcEvent::Arrival => self.on_arrival(now),
            MmcEvent::Departure { order, arrived_at, started_at } => {
                self.on_departure(now, order, arrived_at, started_at)
            }
        }
        true
    }

    /// Runs every order to completion and reports.
    pub fn run(mut self) -> MmcReport {
        while self.step() {}
        self.report()
    }

    fn integrate(&mut self, now: SimTime) {
        let w = &mut self.window;
        if w.open {
            let dt = u128::from(now - w.last);
            w.area_in_system += u128::from(self.in_system) * dt;
            w.area_busy += u128::from(self.busy) * dt;
            w.last = now;
        }
    }

    fn on_arrival(&mut self, now: SimTime) {
        let order = self.arrived;
        self.arrived += 1;
        self.in_system += 1;
        if order == self.warmup {
            self.window = Window { open: true, start: now, end: now, last: now, ..Window::default() };
        }
        if self.arrived == self.config.orders {
            // Close the window at the last arrival: beyond it the system only drains.
            self.window.open = false;
            self.window.end = now;
            // The integral so far covers up to `now`, counted before this arrival.
        } else {
            let gap = exp_delay_for_rate(&mut self.rng, self.config.arrival_rate_per_s);
            self.scheduler.schedule_in(gap, MmcEvent::Arrival);
        }
        if self.busy < self.config.servers {
            self.start(now, order, now);
        } else {
            self.queue.push_back((order, now));
        }
    }

    fn start(&mut self, now: SimTime, order: u64, arrived_at: SimTime) {
        self.busy += 1;
        let service = exp_delay_for_rate(&mut self.rng, self.config.service_rate_per_s);
        self.scheduler.schedule_in(service, MmcEvent::Departure { order, arrived_at, started_at: now });
    }

    fn on_departure(&mut self, now: SimTime, order: u64, arrived_at: SimTime, started_at: SimTime) {
        self.busy -= 1;
        self.in_system -= 1;
        if order >= self.warmup {
            self.wait_sum_us += u128::from(started_at - arrived_at);
            self.sojourn_sum_us += u128::from(now - arrived_at);
            self.sojourns.push(now - arrived_at);
        }
        if let Some((next, at)) = self.queue.pop_front() {
            self.start(now, next, at);
        }
    }

    fn report(mut self) -> MmcReport {
        let measured = self.sojourns.len() as f64;
        let per_order = |sum: u128| if measured > 0.0 { sum as f64 / measured / 1e6 } else { 0.0 };
        let window_us = (self.window.end - self.window.start) as f64;
        let per_time = |area: u128| if window_us > 0.0 { area as f64 / window_us } else { 0.0 };
        let [p50, p95, p99] = percentiles_s(&mut self.sojourns);
        MmcReport {
            orders: self.config.orders,
            warmup_orders: self.warmup,
            mean_wait_s: per_order(self.wait_sum_us),
            mean_sojourn_s: per_order(self.sojourn_sum_us),
            mean_in_system: per_time(self.window.area_in_system),
            utilization: per_time(self.window.area_busy) / f64::from(self.config.servers),
            arrival_rate_measured_per_s: if window_us > 0.0 { measured / (window_us / 1e6) } else { 0.0 },
            window_s: secs(self.window.end - self.window.start),
            p50_sojourn_s: p50,
            p95_sojourn_s: p95,
            p99_sojourn_s: p99,
            events: self.events,
        }
    }
}

/// Runs M/M/c for `config.orders` orders from `seed`.
pub fn run_mmc(seed: u64, config: MmcConfig) -> Result<MmcReport, String> {
    Ok(MmcSim::new(seed, config)?.run())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(servers: u32, lambda: f64, mu: f64, orders: u64) -> MmcConfig {
        MmcConfig { servers, arrival_rate_per_s: lambda, service_rate_per_s: mu, orders }
    }

    #[test]
    fn same_seed_same_report() {
        let a = run_mmc(5, cfg(2, 1.0, 0.75, 5000)).unwrap();
        let b = run_mmc(5, cfg(2, 1.0, 0.75, 5000)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, run_mmc(6, cfg(2, 1.0, 0.75, 5000)).unwrap());
        assert_eq!(a.events, 10_000);
        assert_eq!(a.warmup_orders, 500);
    }

    #[test]
    fn light_load_rarely_waits() {
        let r = run_mmc(1, cfg(8, 0.1, 1.0, 2000)).unwrap();
        assert!(r.mean_wait_s < 1e-3, "{r:?}");
        assert!((r.mean_sojourn_s - 1.0).abs() < 0.1, "{r:?}");
        assert!(r.p50_sojourn_s <= r.p95_sojourn_s && r.p95_sojourn_s <= r.p99_sojourn_s);
    }

    #[test]
    fn invalid_configurations_are_refused() {
        assert!(run_mmc(0, cfg(1, 2.0, 1.0, 10)).is_err());
        assert!(run_mmc(0, cfg(1, 0.5, 1.0, 0)).is_err());
        assert!(run_mmc(0, cfg(1, 0.5, 1.0, ORDERS_MAX + 1)).is_err());
        assert!(run_mmc(0, cfg(1, 0.5, 1e6, 10)).is_err());
        assert!(run_mmc(0, cfg(1, 0.5, 1.0, 1)).is_ok());
    }
}
