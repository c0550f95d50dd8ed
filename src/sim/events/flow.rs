//! The same flow event-driven (the notes' redesign): S1 writes, publishes an event to queue A and
//! answers the client at once; S0 and S2 consume A independently (each its own subscription,
//! at-least-once, acknowledged after processing); S2, once it has processed an event, publishes to queue
//! B, which S3 and S4 consume the same way.
//!
//! **The same requests.** A flow run takes a [`ChainConfig`] (the services' latencies, the requests and
//! their arrivals, the faults) and the broker's settings, and draws the arrivals exactly as the chain
//! does, so [`compare`] shows the two designs on the very same requests and faults.
//!
//! **Deliveries.** The broker delivers an event to a consumer as soon as it is published. A consumer
//! that is up processes it for its latency (slowed by a slow fault), commits its write and acknowledges
//! (acknowledgements are never lost here: the commission model shows what redeliveries do). A delivery to
//! a consumer that is down fails; the broker tries again after `retry_base_ms × 2^(k-1)` (k the failed
//! attempt, capped at `retry_max_ms`); after `max_attempts` failed attempts the event goes to the
//! dead-letter queue when `dead_letter` is on (and is then never applied), and otherwise the broker keeps
//! trying every `retry_max_ms` until the consumer is back, when the pending work drains. Consumers have
//! no capacity limit (as the chain's services), so draining is limited by the backoff alone.
//!
//! **The client** waits for S1 alone: its latency is S1's, and it fails only when S1 is down (at its
//! timeout) or answers after it. The client does not retry here (nothing fails while S1 is up).
//!
//! **Consistency.** A request is consistent when its effects have reached every service (S1's write and
//! the four consumers'); the run reports when the last request became so, how long each took after its
//! answer, the work still pending (events in the broker, not yet acknowledged nor dead-lettered) sampled
//! over time, and at the end.
//!
//! One step is one event.

use super::chain::{ChainConfig, ChainReport, ChainRun};
use super::common::{LATENCY_STREAM, LatencyMs, Service, Windows, arrivals, latency_us};
use crate::sim::cache::stats::Tally;
use crate::sim::check_range;
use crate::sim::kernel::{Scheduler, SimRng, SimTime};
use serde::{Deserialize, Serialize};

const MS: SimTime = 1_000;

/// Limits on a flow run.
pub mod limits {
    /// Longest retry wait, ms (ten minutes).
    pub const RETRY_MS_MAX: u32 = 600_000;
    /// Most delivery attempts before dead-lettering.
    pub const ATTEMPTS_MAX: u32 = 1_000;
    /// Most events a run may take by the bound of [`super::FlowConfig::events_bound`]: a few seconds
    /// natively.
    pub const EVENTS_MAX: u64 = 20_000_000;
    /// Points kept in the pending-work series (past it, every other point goes and the interval doubles).
    pub const SAMPLES_MAX: usize = 4_096;
}

/// The requests and faults of a chain, and the broker's settings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowConfig {
    pub chain: ChainConfig,
    /// First redelivery's wait, ms.
    pub retry_base_ms: u32,
    /// Longest redelivery wait, ms.
    pub retry_max_ms: u32,
    /// Failed attempts before dead-lettering (with `dead_letter`).
    pub max_attempts: u32,
    pub dead_letter: bool,
    /// Interval of the pending-work series, ms.
    pub sample_ms: u32,
}

impl Default for FlowConfig {
    /// [`event_driven_s4_down`].
    fn default() -> Self {
        event_driven_s4_down()
    }
}

/// The chain's S4 case ([`super::chain::chain_s4_timeout`]: S4 down for the first 20 s) event-driven:
/// redeliveries from 100 ms doubling to 5 s, dead-lettering after 20 failed attempts (not reached: S4 is
/// back before), the pending work sampled every 500 ms.
pub fn event_driven_s4_down() -> FlowConfig {
    FlowConfig {
        chain: super::chain::chain_s4_timeout(),
        retry_base_ms: 100,
        retry_max_ms: 5_000,
        max_attempts: 20,
        dead_letter: true,
        sample_ms: 500,
    }
}

/// The same with only 5 attempts: the events of S4 are dead-lettered before it comes back.
pub fn event_driven_dead_letter() -> FlowConfig {
    FlowConfig { max_attempts: 5, ..event_driven_s4_down() }
}

impl FlowConfig {
    /// Most delivery attempts of one event to one consumer.
    fn attempts_bound(&self) -> u64 {
        let w = Windows::new(&self.chain.faults);
        let horizon = Service::ALL.iter().map(|&s| w.last_down_end(s)).max().unwrap_or(0);
        let forever = 32 + horizon / (u64::from(self.retry_max_ms.max(1)) * MS) + 1;
        if self.dead_letter { forever.min(u64::from(self.max_attempts)) } else { forever }
    }

    /// The most events the run can take: four deliveries a request, each at most the attempts' bound
    /// plus its processing, two events a request at S1, and the samples.
    pub fn events_bound(&self) -> u64 {
        let r = u64::from(self.chain.requests);
        r * (2 + 4 * (self.attempts_bound() + 1)) + limits::SAMPLES_MAX as u64 * 2
    }

    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        self.chain.validate()?;
        let m = u64::from(limits::RETRY_MS_MAX);
        check_range("the first redelivery's wait (ms)", u64::from(self.retry_base_ms), 1, m)?;
        check_range(
            "the longest redelivery wait (ms)",
            u64::from(self.retry_max_ms),
            u64::from(self.retry_base_ms),
            m,
        )?;
        check_range("the delivery attempts", u64::from(self.max_attempts), 1, u64::from(limits::ATTEMPTS_MAX))?;
        check_range("the pending-work interval (ms)", u64::from(self.sample_ms), 1, m)?;
        if self.events_bound() > limits::EVENTS_MAX {
            return Err(format!(
                "the run could take {} events, more than {}: fewer requests, dead-lettering, or a longer redelivery wait",
                self.events_bound(),
                limits::EVENTS_MAX
            ));
        }
        Ok(())
    }
}

/// Work pending at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PendingPoint {
    pub at_ms: u64,
    /// Events in the broker not yet acknowledged nor dead-lettered.
    pub pending: u32,
}

/// A flow run summed up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowReport {
    pub requests: u32,
    /// The client's latency: S1's alone.
    pub latency: LatencyMs,
    /// Requests the client saw fail (S1 down or too slow).
    pub client_failures: u32,
    /// Writes committed per service (S0..S4).
    pub writes: [u32; 5],
    pub deliveries: u32,
    /// Delivery attempts that failed (the consumer down) and were tried again or dead-lettered.
    pub failed_deliveries: u32,
    pub dead_lettered: u32,
    /// Dead-lettered events per consumer (S0..S4).
    pub dead_lettered_by_service: [u32; 5],
    /// Events still pending now.
    pub pending: u32,
    /// Events still pending now per consumer (S0..S4).
    pub pending_by_service: [u32; 5],
    pub pending_max: u32,
    pub pending_series: Vec<PendingPoint>,
    /// When every accepted request's effects had reached every service, ms; none while some have not
    /// (or never will: dead-lettered).
    pub consistent_at_ms: Option<f64>,
    /// From a request's answer to its last effect, over the requests that became consistent.
    pub consistency_delay: LatencyMs,
    /// The last event's time, ms.
    pub end_ms: f64,
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    Arrive(u32),
    Published(u32),
    Deliver { s: Service, req: u32, attempt: u32 },
    Processed { s: Service, req: u32 },
    Sample,
}

/// A flow run, computed in slices: one step is one event.
#[derive(Clone)]
pub struct FlowRun {
    c: FlowConfig,
    windows: Windows,
    rng: SimRng,
    q: Scheduler<Ev>,
    answered: Vec<Option<SimTime>>,
    /// Effects outstanding per request (5 once accepted; 0 when consistent).
    outstanding: Vec<u8>,
    dead: Vec<bool>,
    latency: Tally,
    delay: Tally,
    writes: [u32; 5],
    client_failures: u32,
    deliveries: u32,
    failed_deliveries: u32,
    dead_by: [u32; 5],
    pending: u32,
    pending_by: [u32; 5],
    pending_max: u32,
    series: Vec<PendingPoint>,
    sample_us: SimTime,
    last_consistent: SimTime,
    /// Requests whose effects have reached every service.
    consistent: u32,
    end_us: SimTime,
    steps: u64,
}

/// The flow at a moment, for the page's animation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FlowLive {
    /// Requests S1 answered (accepted) so far.
    pub answered: u32,
    pub client_failures: u32,
    /// Writes committed per service (S0..S4).
    pub writes: [u32; 5],
    /// Events in the broker not yet acknowledged nor dead-lettered, in all and per consumer (S0..S4).
    pub pending: u32,
    pub pending_by_service: [u32; 5],
    pub dead_lettered: u32,
    /// Requests whose effects have reached every service.
    pub consistent: u32,
}

impl FlowRun {
    /// A run of `config` (checked) from `seed`: the chain's arrivals for the same seed.
    pub fn new(config: FlowConfig, seed: u64) -> Result<Self, String> {
        config.validate()?;
        let times = arrivals(config.chain.requests, config.chain.rate_per_s, seed);
        let mut q = Scheduler::new();
        for (i, &t) in times.iter().enumerate() {
            q.schedule_at(t, Ev::Arrive(i as u32));
        }
        q.schedule_at(0, Ev::Sample);
        let n = config.chain.requests as usize;
        Ok(Self {
            windows: Windows::new(&config.chain.faults),
            rng: SimRng::new(seed ^ LATENCY_STREAM),
            q,
            answered: vec![None; n],
            outstanding: vec![0; n],
            dead: vec![false; n],
            latency: Tally::default(),
            delay: Tally::default(),
            writes: [0; 5],
            client_failures: 0,
            deliveries: 0,
            failed_deliveries: 0,
            dead_by: [0; 5],
            pending: 0,
            pending_by: [0; 5],
            pending_max: 0,
            series: Vec::new(),
            sample_us: SimTime::from(config.sample_ms) * MS,
            last_consistent: 0,
            consistent: 0,
            end_us: 0,
            steps: 0,
            c: config,
        })
    }

    fn publish(&mut self, from: Service, req: u32, now: SimTime) {
        for &s in from.children() {
            self.pending += 1;
            self.pending_by[s.index()] += 1;
            self.q.schedule_at(now, Ev::Deliver { s, req, attempt: 1 });
        }
        self.pending_max = self.pending_max.max(self.pending);
    }

    fn effect(&mut self, s: Service, req: u32, now: SimTime) {
        if self.c.chain.services[s.index()].writes {
            self.writes[s.index()] += 1;
        }
        let o = &mut self.outstanding[req as usize];
        *o -= 1;
        if *o == 0 {
            self.consistent += 1;
            self.last_consistent = self.last_consistent.max(now);
            if let Some(a) = self.answered[req as usize] {
                self.delay.add(now.saturating_sub(a));
            }
        }
    }

    fn step(&mut self, now: SimTime, ev: Ev) {
        match ev {
            Ev::Arrive(req) => {
                let timeout = SimTime::from(self.c.chain.client_timeout_ms) * MS;
                if self.windows.down(Service::S1, now) {
                    self.client_failures += 1;
                    self.latency.add(timeout);
                    return;
                }
                let spec = self.c.chain.services[Service::S1.index()];
                let l = latency_us(&mut self.rng, &spec, self.windows.slow_pct(Service::S1, now));
                if l > timeout {
                    self.client_failures += 1;
                    self.latency.add(timeout);
                } else {
                    self.latency.add(l);
                    self.answered[req as usize] = Some(now + l);
                }
                self.q.schedule_in(l, Ev::Published(req));
            }
            Ev::Published(req) => {
                self.outstanding[req as usize] = 5;
                self.effect(Service::S1, req, now);
                self.publish(Service::S1, req, now);
            }
            Ev::Deliver { s, req, attempt } => {
                self.deliveries += 1;
                if self.windows.down(s, now) {
                    self.failed_deliveries += 1;
                    if self.c.dead_letter && attempt >= self.c.max_attempts {
                        self.pending -= 1;
                        self.pending_by[s.index()] -= 1;
                        self.dead_by[s.index()] += 1;
                        self.dead[req as usize] = true;
                        return;
                    }
                    let wait = ((SimTime::from(self.c.retry_base_ms) * MS) << (attempt - 1).min(30))
                        .min(SimTime::from(self.c.retry_max_ms) * MS);
                    self.q.schedule_in(wait, Ev::Deliver { s, req, attempt: attempt + 1 });
                    return;
                }
                let spec = self.c.chain.services[s.index()];
                let l = latency_us(&mut self.rng, &spec, self.windows.slow_pct(s, now));
                self.q.schedule_in(l, Ev::Processed { s, req });
            }
            Ev::Processed { s, req } => {
                self.pending -= 1;
                self.pending_by[s.index()] -= 1;
                self.effect(s, req, now);
                self.publish(s, req, now);
            }
            Ev::Sample => {
                self.series.push(PendingPoint { at_ms: now / MS, pending: self.pending });
                if self.series.len() >= limits::SAMPLES_MAX {
                    let kept: Vec<PendingPoint> = self.series.iter().step_by(2).copied().collect();
                    self.series = kept;
                    self.sample_us *= 2;
                }
                if !self.q.is_empty() {
                    self.q.schedule_in(self.sample_us, Ev::Sample);
                }
            }
        }
    }

    /// The time of the next event, µs (none when the run is over).
    pub fn next_time(&self) -> Option<SimTime> {
        self.q.peek_time()
    }

    /// The flow now, for the page's animation (the pending-work series left out).
    pub fn live(&self) -> FlowLive {
        FlowLive {
            answered: self.latency.count() as u32 - self.client_failures,
            client_failures: self.client_failures,
            writes: self.writes,
            pending: self.pending,
            pending_by_service: self.pending_by,
            dead_lettered: self.dead_by.iter().sum(),
            consistent: self.consistent,
        }
    }

    /// Runs at most `max_steps` more events (at least one); true when the run is over.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        for _ in 0..max_steps.max(1) {
            let Some((now, ev)) = self.q.pop() else { return true };
            self.steps += 1;
            if !matches!(ev, Ev::Sample) {
                self.end_us = now;
            }
            self.step(now, ev);
        }
        self.q.is_empty()
    }

    /// True when nothing is left to happen.
    pub fn is_over(&self) -> bool {
        self.q.is_empty()
    }

    /// Events processed so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The run so far.
    pub fn report(&self) -> FlowReport {
        let all = self.answered.iter().zip(&self.outstanding).all(|(a, &o)| a.is_none() || o == 0);
        let mut series = self.series.clone();
        if self.is_over() && series.last().is_some_and(|p| p.pending != self.pending) {
            series.push(PendingPoint { at_ms: self.end_us / MS, pending: self.pending });
        }
        FlowReport {
            requests: self.c.chain.requests,
            latency: LatencyMs::from(&self.latency.summary()),
            client_failures: self.client_failures,
            writes: self.writes,
            deliveries: self.deliveries,
            failed_deliveries: self.failed_deliveries,
            dead_lettered: self.dead_by.iter().sum(),
            dead_lettered_by_service: self.dead_by,
            pending: self.pending,
            pending_by_service: self.pending_by,
            pending_max: self.pending_max,
            pending_series: series,
            consistent_at_ms: (all && !self.dead.iter().any(|&d| d)).then(|| self.last_consistent as f64 / 1_000.0),
            consistency_delay: LatencyMs::from(&self.delay.summary()),
            end_ms: self.end_us as f64 / 1_000.0,
        }
    }

    /// The whole run at once.
    pub fn run(config: FlowConfig, seed: u64) -> Result<FlowReport, String> {
        let mut r = Self::new(config, seed)?;
        while !r.advance(u64::MAX) {}
        Ok(r.report())
    }
}

impl crate::sim::SlicedRun for FlowRun {
    type Report = FlowReport;
    fn advance(&mut self, max_steps: u64) -> bool {
        FlowRun::advance(self, max_steps)
    }
    fn steps(&self) -> u64 {
        FlowRun::steps(self)
    }
    fn report(&self) -> FlowReport {
        FlowRun::report(self)
    }
}

/// The chain and the flow on the same requests and faults, side by side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub chain: ChainReport,
    pub flow: FlowReport,
}

/// Runs `config.chain` as the synchronous chain and `config` as the event-driven flow, from one seed.
pub fn compare(config: &FlowConfig, seed: u64) -> Result<Comparison, String> {
    config.validate()?;
    Ok(Comparison { chain: ChainRun::run(config.chain.clone(), seed)?, flow: FlowRun::run(config.clone(), seed)? })
}
