//! A retry storm: a brief outage that leaves a service stuck overloaded after it ends (a metastable
//! failure), and the defences that let it recover.
//!
//! **The model.** Requests arrive (Poisson, `arrival_per_s`) at a service of `workers` workers sharing
//! one FIFO queue, each attempt's work exponential of mean `service_ms`. A client waits `timeout_ms` for
//! an attempt; then it gives up on it and, with retries left (and the retry budget's leave), sends the
//! request again after a backoff (`backoff_ms` × 2^(attempt - 1), times a uniform draw in [0, 1) with
//! full jitter, AWS's advice). The service does not know the client gave up: an attempt abandoned while
//! queued is still served when its turn comes, work wasted, unless `shed_stale` drops attempts past
//! their deadline when a worker would take them. From `outage_from_ms` to `outage_to_ms` the service
//! serves nothing (the attempts in service are lost; the queue waits).
//!
//! **Why it sticks.** While the queue is longer than a timeout's worth of work, every attempt served
//! was abandoned: the service is 100% busy and answers nobody in time, and each request turns into
//! 1 + `retries` attempts. Once the attempts offered exceed the capacity (λ (1 + retries) > workers /
//! service time), nothing drains the queue: the outage's end changes nothing. A **retry budget**
//! (Finagle's and gRPC's: retries at most `budget_pct`% of first attempts, plus `budget_min_per_s` a
//! second, what is unspent kept ten seconds) caps the offered load at λ (1 + budget) and the queue
//! drains; **shedding** stale attempts stops the wasted work.
//!
//! Every second the run samples the attempts offered, the requests answered in time (goodput), the queue
//! and the work wasted.

use crate::sim::kernel::{Scheduler, SimRng, SimTime};
use crate::sim::queue::stats::exp_delay_for_rate;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Limits.
pub mod limits {
    /// Most attempts a run may make (arrivals × (1 + retries)).
    pub const ATTEMPTS_MAX: f64 = 20_000_000.0;
    pub const WORKERS_MAX: u32 = 1_000;
    pub const RETRIES_MAX: u32 = 10;
    pub const DURATION_MS_MAX: u64 = 3_600_000;
}

/// The storm's settings (whole numbers: a scenario compares and hashes them exactly).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StormConfig {
    pub arrival_per_s: u32,
    pub workers: u32,
    /// Mean work of an attempt, µs.
    pub service_us: u32,
    pub timeout_ms: u32,
    pub retries: u32,
    pub backoff_ms: u32,
    pub jitter: bool,
    /// Retries allowed as a share of first attempts, percent (none: no budget).
    pub budget_pct: Option<u32>,
    /// Retries the budget allows a second whatever the traffic.
    pub budget_min_per_s: u32,
    pub shed_stale: bool,
    pub outage_from_ms: u64,
    pub outage_to_ms: u64,
    pub duration_ms: u64,
}

impl Default for StormConfig {
    /// 800 requests a second against 10 workers of 10 ms (80% busy), a 1 s timeout and 3 retries after
    /// 100 ms, no jitter, no budget, no shedding; a 5 s outage at 20 s; two minutes.
    fn default() -> Self {
        Self {
            arrival_per_s: 800,
            workers: 10,
            service_us: 10_000,
            timeout_ms: 1_000,
            retries: 3,
            backoff_ms: 100,
            jitter: false,
            budget_pct: None,
            budget_min_per_s: 10,
            shed_stale: false,
            outage_from_ms: 20_000,
            outage_to_ms: 25_000,
            duration_ms: 120_000,
        }
    }
}

impl StormConfig {
    /// The service's capacity, attempts a second.
    pub fn capacity_per_s(&self) -> f64 {
        f64::from(self.workers) * 1e6 / f64::from(self.service_us.max(1))
    }

    pub fn validate(&self) -> Result<(), String> {
        use crate::sim::check_range;
        check_range("the arrival rate (a second)", u64::from(self.arrival_per_s), 1, 100_000)?;
        check_range("the workers", u64::from(self.workers), 1, u64::from(limits::WORKERS_MAX))?;
        check_range("an attempt's work (µs)", u64::from(self.service_us), 1, 60_000_000)?;
        check_range("the timeout (ms)", u64::from(self.timeout_ms), 1, 600_000)?;
        check_range("the retries", u64::from(self.retries), 0, u64::from(limits::RETRIES_MAX))?;
        check_range("the backoff (ms)", u64::from(self.backoff_ms), 0, 600_000)?;
        if let Some(b) = self.budget_pct {
            check_range("the retry budget (%)", u64::from(b), 0, 1_000)?;
        }
        check_range("the run (ms)", self.duration_ms, 1_000, limits::DURATION_MS_MAX)?;
        if self.outage_to_ms < self.outage_from_ms {
            return Err("the outage must end after it starts".into());
        }
        let attempts = f64::from(self.arrival_per_s) * self.duration_ms as f64 / 1000.0 * f64::from(self.retries + 1);
        if attempts > limits::ATTEMPTS_MAX {
            return Err(format!(
                "up to {attempts:.0} attempts, more than {:.0}: a shorter run, fewer requests or fewer retries",
                limits::ATTEMPTS_MAX
            ));
        }
        if f64::from(self.arrival_per_s) >= self.capacity_per_s() {
            return Err(format!(
                "{} requests a second against a capacity of {:.0}: overloaded before any outage; add workers or lower the rate",
                self.arrival_per_s,
                self.capacity_per_s()
            ));
        }
        Ok(())
    }
}

/// One second of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct StormSample {
    pub t_s: u32,
    /// Attempts sent (first ones and retries).
    pub offered: u32,
    pub retries: u32,
    /// Requests answered before their client gave up.
    pub goodput: u32,
    /// Attempts served after their client gave up.
    pub wasted: u32,
    /// Requests that failed for good (no retry left, or none allowed by the budget).
    pub failed: u32,
    /// Attempts queued at the second's end.
    pub queued: u32,
}

/// The whole run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StormReport {
    pub requests: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub attempts: u64,
    pub wasted: u64,
    pub shed: u64,
    pub samples: Vec<StormSample>,
    /// Mean goodput a second before the outage, and over the run's last quarter.
    pub goodput_before_per_s: f64,
    pub goodput_after_per_s: f64,
    /// Attempts offered a second over the run's last quarter.
    pub offered_after_per_s: f64,
    /// The first second after the outage from which ten seconds in a row answer 90% of the arrival rate
    /// (none: it never recovered).
    pub recovered_at_s: Option<u32>,
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    Arrive,
    /// Request, attempt.
    Send(u32, u32),
    /// Request, attempt: its client gives up.
    GiveUp(u32, u32),
    /// The service's epoch (an outage voids earlier completions), request, attempt.
    Done(u32, u32, u32),
    OutageStart,
    OutageEnd,
    Sample,
}

#[derive(Clone, Copy, Debug, Default)]
struct Req {
    /// The attempt its client waits for (0: none yet).
    waiting_for: u32,
    settled: bool,
}

/// Runs the storm from `seed`.
pub fn run(c: &StormConfig, seed: u64) -> Result<StormReport, String> {
    c.validate()?;
    let mut q: Scheduler<Ev> = Scheduler::new();
    let mut arrivals = SimRng::new(seed);
    let mut rng = SimRng::new(seed ^ 0x5707_3a11);
    let end: SimTime = c.duration_ms * 1000;
    let timeout: SimTime = SimTime::from(c.timeout_ms) * 1000;
    let service_rate = 1e6 / f64::from(c.service_us);
    q.schedule_at(exp_delay_for_rate(&mut arrivals, f64::from(c.arrival_per_s)), Ev::Arrive);
    if c.outage_to_ms > c.outage_from_ms {
        q.schedule_at(c.outage_from_ms * 1000, Ev::OutageStart);
        q.schedule_at(c.outage_to_ms * 1000, Ev::OutageEnd);
    }
    q.schedule_at(1_000_000, Ev::Sample);
    let mut reqs: Vec<Req> = Vec::new();
    // (request, attempt, deadline)
    let mut queue: VecDeque<(u32, u32, SimTime)> = VecDeque::new();
    let mut idle = c.workers;
    let mut epoch = 0u32;
    let mut down = false;
    let mut tokens = 0.0f64;
    let token_cap = 10.0
        * (f64::from(c.arrival_per_s) * f64::from(c.budget_pct.unwrap_or(0)) / 100.0 + f64::from(c.budget_min_per_s));
    let mut last_refill: SimTime = 0;
    let mut now_sample = StormSample::default();
    let mut samples = Vec::new();
    let (mut attempts, mut wasted, mut shed, mut succeeded, mut failed) = (0u64, 0u64, 0u64, 0u64, 0u64);

    // Starts queued attempts on idle workers.
    macro_rules! fill {
        ($now:expr) => {
            while !down && idle > 0 {
                let Some((r, a, deadline)) = queue.pop_front() else { break };
                if c.shed_stale && $now >= deadline {
                    shed += 1;
                    continue;
                }
                idle -= 1;
                let d = exp_delay_for_rate(&mut rng, service_rate).max(1);
                q.schedule_at($now + d, Ev::Done(epoch, r, a));
            }
        };
    }

    while let Some((now, ev)) = q.pop() {
        if now > end {
            break;
        }
        match ev {
            Ev::Arrive => {
                reqs.push(Req::default());
                let r = (reqs.len() - 1) as u32;
                q.schedule_at(now + exp_delay_for_rate(&mut arrivals, f64::from(c.arrival_per_s)), Ev::Arrive);
                if let Some(pct) = c.budget_pct {
                    // Each first attempt earns a share of a retry; what is not spent within ten seconds
                    // is lost (Finagle's budget keeps its deposits 10 s).
                    tokens = (tokens + f64::from(pct) / 100.0).min(token_cap);
                }
                q.schedule_at(now, Ev::Send(r, 1));
            }
            Ev::Send(r, a) => {
                attempts += 1;
                now_sample.offered += 1;
                if a > 1 {
                    now_sample.retries += 1;
                }
                reqs[r as usize].waiting_for = a;
                queue.push_back((r, a, now + timeout));
                q.schedule_at(now + timeout, Ev::GiveUp(r, a));
                fill!(now);
            }
            Ev::GiveUp(r, a) => {
                let req = reqs[r as usize];
                if req.settled || req.waiting_for != a {
                    continue;
                }
                // The budget's floor refills continuously.
                if c.budget_pct.is_some() {
                    tokens = (tokens + (now - last_refill) as f64 / 1e6 * f64::from(c.budget_min_per_s)).min(token_cap);
                    last_refill = now;
                }
                let allowed = a <= c.retries && (c.budget_pct.is_none() || tokens >= 1.0);
                if allowed {
                    if c.budget_pct.is_some() {
                        tokens -= 1.0;
                    }
                    let base = f64::from(c.backoff_ms) * 1000.0 * f64::from(1u32 << (a - 1).min(20));
                    let wait = if c.jitter { base * rng.unit_f64() } else { base };
                    reqs[r as usize].waiting_for = 0;
                    q.schedule_at(now + wait.round() as SimTime, Ev::Send(r, a + 1));
                } else {
                    reqs[r as usize].settled = true;
                    failed += 1;
                    now_sample.failed += 1;
                }
            }
            Ev::Done(e, r, a) => {
                if e != epoch {
                    continue;
                }
                idle += 1;
                let req = &mut reqs[r as usize];
                if !req.settled && req.waiting_for == a {
                    req.settled = true;
                    succeeded += 1;
                    now_sample.goodput += 1;
                } else {
                    wasted += 1;
                    now_sample.wasted += 1;
                }
                fill!(now);
            }
            Ev::OutageStart => {
                // The attempts in service are lost with it; their clients time out.
                down = true;
                epoch += 1;
                idle = c.workers;
            }
            Ev::OutageEnd => {
                down = false;
                fill!(now);
            }
            Ev::Sample => {
                now_sample.t_s = (now / 1_000_000) as u32;
                now_sample.queued = queue.len() as u32;
                samples.push(now_sample);
                now_sample = StormSample::default();
                q.schedule_at(now + 1_000_000, Ev::Sample);
            }
        }
    }
    let mean = |xs: &[StormSample], f: fn(&StormSample) -> u32| {
        if xs.is_empty() { 0.0 } else { xs.iter().map(|s| f64::from(f(s))).sum::<f64>() / xs.len() as f64 }
    };
    let outage_from = (c.outage_from_ms / 1000) as usize;
    let outage_to = c.outage_to_ms.div_ceil(1000) as u32;
    let before = &samples[..outage_from.min(samples.len())];
    let tail = &samples[samples.len() * 3 / 4..];
    let target = 0.9 * f64::from(c.arrival_per_s);
    let recovered_at_s = samples
        .windows(10)
        .find(|w| w[0].t_s > outage_to && w.iter().all(|s| f64::from(s.goodput) >= target))
        .map(|w| w[0].t_s);
    Ok(StormReport {
        requests: reqs.len() as u64,
        succeeded,
        failed,
        attempts,
        wasted,
        shed,
        goodput_before_per_s: mean(before, |s| s.goodput),
        goodput_after_per_s: mean(tail, |s| s.goodput),
        offered_after_per_s: mean(tail, |s| s.offered),
        recovered_at_s,
        samples,
    })
}
