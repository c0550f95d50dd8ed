//! The notes' synchronous request chain ("Request-Response model"): the client calls S1; S1 calls S0 and
//! S2 in parallel; S2 calls S3 and S4 in parallel; each caller waits for all its calls.
//!
//! **A service.** A call reaching service X at time t takes X's latency (a fixed base plus an
//! exponential jitter of mean `jitter_us`, drawn from the seed; both multiplied by a slow fault's factor
//! when t is in its window), during which X commits its database write if it writes (S1 and S2 by
//! default: committed *before* calling downstream, as the notes say, so a downstream failure leaves it
//! committed); then X calls its children in parallel and answers when all have answered or timed out
//! (its `call_timeout_ms` per call). X fails when any call failed or timed out. A call to a service that
//! is down fails only at the caller's timeout (no answer ever comes); a call that answers after the
//! timeout is a failure for the caller, though the callee keeps working (and writing).
//!
//! **The client.** `requests` requests arrive as a Poisson stream of `rate_per_s` (drawn from the seed
//! apart from the latencies, so the event-driven flow of [`super::flow`] sees the very same arrivals). An
//! attempt fails when S1 fails or answers after the client's timeout; with `retries`, the client tries
//! again after `backoff_ms × 2^k` (k = 0, 1, ...). With `idempotency_keys` every attempt of a request
//! carries the same key and a service writes a key once; without them each attempt that reaches S1 and
//! S2 writes again: the notes' duplicate writes. A request's latency runs from its first attempt to its
//! final answer.
//!
//! The defaults are illustrative round numbers (a few ms per service, timeouts of seconds), not
//! measurements: what the lab shows is their ratio (a failure costs the timeout, a success the latencies).
//!
//! One step is one client attempt: the attempt's whole call tree is computed at its start (every service's
//! work is a pure function of the times and the draws), and a retry is scheduled on the kernel.

use super::common::{LatencyMs, Service, ServiceSpec, Windows, arrivals, latency_us};
use crate::sim::cache::stats::Tally;
use crate::sim::check_range;
use crate::sim::kernel::{Scheduler, SimRng, SimTime};
use serde::{Deserialize, Serialize};

pub use super::common::{Fault, FaultKind};

const MS: SimTime = 1_000;

/// Limits on a chain run (the flow's too: it runs the same requests).
pub mod limits {
    /// Most requests.
    pub const REQUESTS_MAX: u32 = 100_000;
    /// Highest request rate, per second.
    pub const RATE_MAX: u32 = 100_000;
    /// Most client retries.
    pub const RETRIES_MAX: u32 = 10;
    /// Longest latency base or jitter mean, µs (ten seconds).
    pub const LATENCY_US_MAX: u32 = 10_000_000;
    /// Longest timeout or backoff, ms (ten minutes).
    pub const TIMEOUT_MS_MAX: u32 = 600_000;
    /// Latest fault window end, ms (a day).
    pub const TIME_MS_MAX: u32 = 86_400_000;
    /// Most fault windows.
    pub const FAULTS_MAX: usize = 100;
    /// Largest slowdown, percent (×100).
    pub const SLOW_PCT_MAX: u32 = 10_000;
}

/// The services, the client and the faults.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    /// S0, S1, S2, S3, S4 in that order.
    pub services: [ServiceSpec; 5],
    pub requests: u32,
    pub rate_per_s: u32,
    /// The client's timeout on its call to S1, ms.
    pub client_timeout_ms: u32,
    /// Attempts after the first.
    pub retries: u32,
    /// First retry's wait, ms; doubled each time.
    pub backoff_ms: u32,
    pub idempotency_keys: bool,
    pub faults: Vec<Fault>,
}

impl Default for ChainConfig {
    /// [`chain_s4_timeout`].
    fn default() -> Self {
        chain_s4_timeout()
    }
}

fn spec(base_us: u32, jitter_us: u32, call_timeout_ms: u32, writes: bool) -> ServiceSpec {
    ServiceSpec { base_us, jitter_us, call_timeout_ms, writes }
}

/// Everything up: 200 requests at 20 a second; S1 5 ms, S0 and S2 10 ms, S3 15 ms, S4 20 ms (each plus
/// an exponential jitter of mean 2 to 5 ms); S1's calls time out after 3 s, S2's after 2 s, the
/// client's after 5 s; S1 and S2 write.
pub fn chain_healthy() -> ChainConfig {
    ChainConfig {
        services: [
            spec(10_000, 5_000, 1_000, false),
            spec(5_000, 2_000, 3_000, true),
            spec(10_000, 5_000, 2_000, true),
            spec(15_000, 5_000, 1_000, false),
            spec(20_000, 5_000, 1_000, false),
        ],
        requests: 200,
        rate_per_s: 20,
        client_timeout_ms: 5_000,
        retries: 0,
        backoff_ms: 1_000,
        idempotency_keys: false,
        faults: Vec::new(),
    }
}

/// The notes' case: S4 down for the first 20 s (the requests arrive over 10 s). Every request waits for
/// S2's 2 s timeout and fails; S1 and S2 hold the writes of all of them.
pub fn chain_s4_timeout() -> ChainConfig {
    ChainConfig {
        faults: vec![Fault { service: Service::S4, kind: FaultKind::Down, from_ms: 0, to_ms: 20_000 }],
        ..chain_healthy()
    }
}

/// S4 down for the first 3 s; the client retries 3 times (1 s, 2 s, 4 s) without idempotency keys: the
/// early requests write again at S1 and S2 on every attempt.
pub fn chain_retry_duplicates() -> ChainConfig {
    ChainConfig {
        faults: vec![Fault { service: Service::S4, kind: FaultKind::Down, from_ms: 0, to_ms: 3_000 }],
        retries: 3,
        ..chain_healthy()
    }
}

/// The same with idempotency keys: no duplicate writes.
pub fn chain_retry_keys() -> ChainConfig {
    ChainConfig { idempotency_keys: true, ..chain_retry_duplicates() }
}

impl ChainConfig {
    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        check_range("requests", u64::from(self.requests), 1, u64::from(limits::REQUESTS_MAX))?;
        check_range("the request rate (per second)", u64::from(self.rate_per_s), 1, u64::from(limits::RATE_MAX))?;
        let to = u64::from(limits::TIMEOUT_MS_MAX);
        check_range("the client's timeout (ms)", u64::from(self.client_timeout_ms), 1, to)?;
        check_range("the client's retries", u64::from(self.retries), 0, u64::from(limits::RETRIES_MAX))?;
        check_range("the client's backoff (ms)", u64::from(self.backoff_ms), 0, to)?;
        for (i, s) in self.services.iter().enumerate() {
            let name = Service::ALL[i].name();
            let l = u64::from(limits::LATENCY_US_MAX);
            check_range(&format!("{name}'s latency base (µs)"), u64::from(s.base_us), 0, l)?;
            check_range(&format!("{name}'s latency jitter (µs)"), u64::from(s.jitter_us), 0, l)?;
            check_range(&format!("{name}'s call timeout (ms)"), u64::from(s.call_timeout_ms), 1, to)?;
        }
        Windows::check(&self.faults)
    }
}

/// A chain run summed up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChainReport {
    pub requests: u32,
    pub succeeded: u32,
    /// Requests whose last attempt failed: what the client saw.
    pub client_failures: u32,
    pub attempts: u32,
    /// From a request's first attempt to its final answer.
    pub latency: LatencyMs,
    /// The quickest request's latency, ms.
    pub fastest_ms: f64,
    /// Writes committed per service (S0..S4).
    pub writes: [u32; 5],
    /// Writes of a request beyond its first, per service (S0..S4).
    pub duplicate_writes: [u32; 5],
    pub duplicate_writes_total: u32,
    /// Requests the client saw fail whose write a service committed, per service (S0..S4).
    pub writes_of_failed_requests: [u32; 5],
    /// Calls that ended at their caller's timeout (the client's included).
    pub timeouts: u32,
    /// Time callers spent waiting on calls that timed out, in all, ms.
    pub timeout_wait_ms: f64,
    /// The last answer's time, ms.
    pub end_ms: f64,
}

#[derive(Clone, Copy, Debug)]
struct Attempt {
    req: u32,
    k: u32,
}

/// A chain run, computed in slices: one step is one client attempt.
#[derive(Clone)]
pub struct ChainRun {
    c: ChainConfig,
    windows: Windows,
    rng: SimRng,
    q: Scheduler<Attempt>,
    first: Vec<SimTime>,
    /// Writes per service per request.
    wrote: [Vec<u32>; 5],
    failed: Vec<bool>,
    latency: Tally,
    fastest_us: Option<SimTime>,
    succeeded: u32,
    attempts: u32,
    timeouts: u32,
    timeout_wait_us: u64,
    end_us: SimTime,
    steps: u64,
    /// Attempts whose answer comes after the last one processed, by answer time: final successes, final
    /// failures, all attempts; and their totals.
    inflight: std::collections::BTreeMap<SimTime, [u32; 3]>,
    inflight_total: [u32; 3],
    /// Final answers so far: succeeded, failed (counted at the attempt's start).
    finals: [u32; 2],
    retried: u32,
    duplicates: u32,
}

/// The chain at a moment, for the page's animation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ChainLive {
    /// Requests sent so far (first attempts).
    pub sent: u32,
    /// Retries sent so far.
    pub retries: u32,
    /// Requests answered by now, successfully and not.
    pub succeeded: u32,
    pub failed: u32,
    /// Attempts waiting for their answer now.
    pub waiting: u32,
    /// Database writes of S1 and S2 so far.
    pub writes_s1: u32,
    pub writes_s2: u32,
    /// Writes of a request beyond its first, so far.
    pub duplicate_writes: u32,
}

/// What a call came to: when its answer arrives (never, for a service that is down) and whether it
/// succeeded.
#[derive(Clone, Copy, Debug)]
struct Outcome {
    at: Option<SimTime>,
    ok: bool,
}

impl ChainRun {
    /// A run of `config` (checked) from `seed`.
    pub fn new(config: ChainConfig, seed: u64) -> Result<Self, String> {
        config.validate()?;
        let times = arrivals(config.requests, config.rate_per_s, seed);
        let mut q = Scheduler::new();
        for (i, &t) in times.iter().enumerate() {
            q.schedule_at(t, Attempt { req: i as u32, k: 0 });
        }
        let n = config.requests as usize;
        Ok(Self {
            windows: Windows::new(&config.faults),
            rng: SimRng::new(seed ^ super::common::LATENCY_STREAM),
            q,
            first: times,
            wrote: std::array::from_fn(|_| vec![0; n]),
            failed: vec![false; n],
            latency: Tally::default(),
            fastest_us: None,
            succeeded: 0,
            attempts: 0,
            timeouts: 0,
            timeout_wait_us: 0,
            end_us: 0,
            steps: 0,
            inflight: std::collections::BTreeMap::new(),
            inflight_total: [0; 3],
            finals: [0; 2],
            retried: 0,
            duplicates: 0,
            c: config,
        })
    }

    /// The time of the next attempt, µs (none when the run is over).
    pub fn next_time(&self) -> Option<SimTime> {
        self.q.peek_time()
    }

    /// Requests sent so far (first attempts).
    pub fn sent(&self) -> u32 {
        self.attempts - self.retried
    }

    /// The chain at `t_us`, at or after the last attempt processed and before the next.
    pub fn live(&self, t_us: SimTime) -> ChainLive {
        // Still waiting at `t_us`: the attempts in flight after the last one processed, less those
        // answered by `t_us`.
        let mut waiting = self.inflight_total;
        for c in self.inflight.range(..=t_us).map(|(_, c)| c) {
            for (w, x) in waiting.iter_mut().zip(c) {
                *w -= x;
            }
        }
        ChainLive {
            sent: self.sent(),
            retries: self.retried,
            succeeded: self.finals[0] - waiting[0],
            failed: self.finals[1] - waiting[1],
            waiting: waiting[2],
            writes_s1: self.wrote[Service::S1.index()].iter().sum(),
            writes_s2: self.wrote[Service::S2.index()].iter().sum(),
            duplicate_writes: self.duplicates,
        }
    }

    /// A call reaching `s` at `t` for request `req`: its work, its write, its children.
    fn call(&mut self, s: Service, t: SimTime, req: u32) -> Outcome {
        if self.windows.down(s, t) {
            return Outcome { at: None, ok: false };
        }
        let spec = self.c.services[s.index()];
        let commit = t + latency_us(&mut self.rng, &spec, self.windows.slow_pct(s, t));
        if spec.writes {
            let w = &mut self.wrote[s.index()][req as usize];
            if *w == 0 || !self.c.idempotency_keys {
                *w += 1;
                self.duplicates += u32::from(*w > 1);
            }
        }
        let mut done = commit;
        let mut ok = true;
        for &child in s.children() {
            let o = self.call(child, commit, req);
            let limit = commit + SimTime::from(spec.call_timeout_ms) * MS;
            match o.at {
                Some(at) if at <= limit => {
                    done = done.max(at);
                    ok &= o.ok;
                }
                _ => {
                    self.timeouts += 1;
                    self.timeout_wait_us += limit - commit;
                    done = done.max(limit);
                    ok = false;
                }
            }
        }
        Outcome { at: Some(done), ok }
    }

    fn attempt(&mut self, t: SimTime, a: Attempt) {
        self.attempts += 1;
        self.retried += u32::from(a.k > 0);
        while let Some(e) = self.inflight.first_entry().filter(|e| *e.key() <= t) {
            let c = e.remove();
            for (w, x) in self.inflight_total.iter_mut().zip(c) {
                *w -= x;
            }
        }
        let o = self.call(Service::S1, t, a.req);
        let limit = t + SimTime::from(self.c.client_timeout_ms) * MS;
        let (end, ok) = match o.at {
            Some(at) if at <= limit => (at, o.ok),
            _ => {
                self.timeouts += 1;
                self.timeout_wait_us += limit - t;
                (limit, false)
            }
        };
        self.end_us = self.end_us.max(end);
        let last = ok || a.k >= self.c.retries;
        let mut c = [0; 3];
        c[2] = 1;
        if last {
            self.finals[usize::from(!ok)] += 1;
            c[usize::from(!ok)] = 1;
        }
        let slot = self.inflight.entry(end).or_default();
        for ((s, t), x) in slot.iter_mut().zip(&mut self.inflight_total).zip(c) {
            *s += x;
            *t += x;
        }
        if !ok && a.k < self.c.retries {
            let wait = (SimTime::from(self.c.backoff_ms) * MS) << a.k.min(30);
            self.q.schedule_at(end + wait, Attempt { req: a.req, k: a.k + 1 });
            return;
        }
        let l = end - self.first[a.req as usize];
        self.latency.add(l);
        self.fastest_us = Some(self.fastest_us.map_or(l, |f| f.min(l)));
        if ok {
            self.succeeded += 1;
        } else {
            self.failed[a.req as usize] = true;
        }
    }

    /// Runs at most `max_steps` more attempts (at least one); true when the run is over.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        for _ in 0..max_steps.max(1) {
            let Some((t, a)) = self.q.pop() else { return true };
            self.steps += 1;
            self.attempt(t, a);
        }
        self.q.is_empty()
    }

    /// True when every request has its final answer.
    pub fn is_over(&self) -> bool {
        self.q.is_empty()
    }

    /// Attempts processed so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The run so far.
    pub fn report(&self) -> ChainReport {
        let writes = std::array::from_fn(|s| self.wrote[s].iter().sum());
        let duplicate_writes: [u32; 5] =
            std::array::from_fn(|s| self.wrote[s].iter().map(|&w| w.saturating_sub(1)).sum());
        let writes_of_failed_requests = std::array::from_fn(|s| {
            self.wrote[s].iter().zip(&self.failed).filter(|&(&w, &f)| w > 0 && f).count() as u32
        });
        ChainReport {
            requests: self.c.requests,
            succeeded: self.succeeded,
            client_failures: self.failed.iter().filter(|&&f| f).count() as u32,
            attempts: self.attempts,
            latency: LatencyMs::from(&self.latency.summary()),
            fastest_ms: self.fastest_us.unwrap_or(0) as f64 / 1_000.0,
            writes,
            duplicate_writes_total: duplicate_writes.iter().sum(),
            duplicate_writes,
            writes_of_failed_requests,
            timeouts: self.timeouts,
            timeout_wait_ms: self.timeout_wait_us as f64 / 1_000.0,
            end_ms: self.end_us as f64 / 1_000.0,
        }
    }

    /// The whole run at once.
    pub fn run(config: ChainConfig, seed: u64) -> Result<ChainReport, String> {
        let mut r = Self::new(config, seed)?;
        while !r.advance(u64::MAX) {}
        Ok(r.report())
    }
}

impl crate::sim::SlicedRun for ChainRun {
    type Report = ChainReport;
    fn advance(&mut self, max_steps: u64) -> bool {
        ChainRun::advance(self, max_steps)
    }
    fn steps(&self) -> u64 {
        ChainRun::steps(self)
    }
    fn report(&self) -> ChainReport {
        ChainRun::report(self)
    }
}
