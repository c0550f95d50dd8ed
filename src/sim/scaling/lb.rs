//! A load balancer in front of N FIFO servers: Poisson arrivals, exponential service (each server its
//! own speed), one balancing policy choosing each request's server on arrival, on the kernel's
//! scheduler. What the scaling lab and `sysplay lb` measure against [`super::theory`].
//!
//! **Policies.** Random; round robin; weighted round robin (nginx's smooth weighted round robin: each
//! pick adds every server's weight to its current value, picks the largest and subtracts the total);
//! least connections (the fewest requests at the server, queued or in service: a request holds its
//! connection until answered; ties to the first such server in order, as a list scan does); weighted
//! least connections (connections / weight); join the shortest queue (the same count, ties broken at
//! random: with a balancer that sees every queue exactly, least connections *is* JSQ, and the two differ
//! only in ties); the power of d choices (d servers drawn at random without replacement, the one with the
//! fewest connections; d = 2 by default); least response time (Finagle's and Linkerd's peak EWMA: each
//! server's latency estimate jumps to a slower answer at once and decays towards faster ones with time
//! constant `ewma_decay_s`; the server with the lowest estimate × (connections + 1), ties at random; a
//! server not yet measured counts as free when idle); source hash (each request comes from one of
//! `clients` clients, hashed to a server: the same client always lands on the same server); consistent
//! hash (the clients on the hashing lab's ring with 100 points per server).
//!
//! **Measurement.** The first 10% of requests (by arrival) are a warm-up, left out of the latency
//! figures, which are exact (every sojourn kept, nearest-rank percentiles). `max_queue` is the most
//! requests one server held at once (queued and in service) over the whole run.
//!
//! One step is one event (an arrival or a departure).

use crate::sim::hash::{hash_str, splitmix64};
use crate::sim::hashing::Ring;
use crate::sim::kernel::{Scheduler, SimRng, SimTime};
use crate::sim::queue::stats::{exp_delay_for_rate, percentiles_s, secs};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Limits on one run.
pub mod limits {
    /// Most servers.
    pub const SERVERS_MAX: u32 = 1_000;
    /// Most requests.
    pub const REQUESTS_MAX: u64 = 10_000_000;
    /// Highest arrival or service rate per second (time is kept in whole µs: a mean of 100 µs or more
    /// keeps the rounding under 0.5%).
    pub const RATE_MAX_PER_S: f64 = 10_000.0;
    /// Most server looks for a whole run (requests × servers looked at per request): about a second.
    pub const LOOKS_MAX: u64 = 2_000_000_000;
    /// Most clients (source and consistent hash).
    pub const CLIENTS_MAX: u32 = 1_000_000;
    /// Largest speed or weight of a server, percent.
    pub const SPEED_PCT_MAX: u32 = 10_000;
}

/// Share of requests (the first ones) treated as warm-up, percent.
pub const WARMUP_PCT: u64 = 10;

/// How the balancer picks a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "policy")]
pub enum Policy {
    Random,
    RoundRobin,
    WeightedRoundRobin,
    LeastConnections,
    WeightedLeastConnections,
    /// The power of `d` choices.
    #[serde(rename = "p2c")]
    PowerOfD {
        d: u32,
    },
    Jsq,
    LeastResponseTime,
    SourceHash,
    ConsistentHash,
}

impl Policy {
    /// The policy of a command-line name (`p2c` is d = 2; `p3c`, `p4c`... choose more).
    pub fn parse(name: &str) -> Result<Policy, String> {
        Ok(match name {
            "random" => Policy::Random,
            "round-robin" => Policy::RoundRobin,
            "weighted-round-robin" => Policy::WeightedRoundRobin,
            "least-connections" => Policy::LeastConnections,
            "weighted-least-connections" => Policy::WeightedLeastConnections,
            "jsq" => Policy::Jsq,
            "least-response-time" => Policy::LeastResponseTime,
            "source-hash" => Policy::SourceHash,
            "consistent-hash" => Policy::ConsistentHash,
            other => match other.strip_prefix('p').and_then(|r| r.strip_suffix('c')).and_then(|d| d.parse().ok()) {
                Some(d) if d >= 1 => Policy::PowerOfD { d },
                _ => {
                    return Err(format!(
                        "unknown policy \"{other}\": random, round-robin, weighted-round-robin, least-connections, \
                         weighted-least-connections, p2c (or pdc for d choices), jsq, least-response-time, \
                         source-hash, consistent-hash"
                    ));
                }
            },
        })
    }

    /// Its name on the command line and the page.
    pub fn name(self) -> String {
        match self {
            Policy::Random => "random".into(),
            Policy::RoundRobin => "round-robin".into(),
            Policy::WeightedRoundRobin => "weighted-round-robin".into(),
            Policy::LeastConnections => "least-connections".into(),
            Policy::WeightedLeastConnections => "weighted-least-connections".into(),
            Policy::PowerOfD { d } => format!("p{d}c"),
            Policy::Jsq => "jsq".into(),
            Policy::LeastResponseTime => "least-response-time".into(),
            Policy::SourceHash => "source-hash".into(),
            Policy::ConsistentHash => "consistent-hash".into(),
        }
    }

    /// Servers looked at per request.
    fn looks(self, servers: u32) -> u64 {
        match self {
            Policy::LeastConnections | Policy::WeightedLeastConnections | Policy::Jsq | Policy::LeastResponseTime => {
                u64::from(servers)
            }
            Policy::PowerOfD { d } => u64::from(d),
            _ => 1,
        }
    }
}

/// One server: its speed (its service rate is the configuration's times `speed_pct` / 100) and its
/// weight for the weighted policies, percent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSpec {
    pub speed_pct: u32,
    pub weight_pct: u32,
}

impl Default for ServerSpec {
    fn default() -> Self {
        Self { speed_pct: 100, weight_pct: 100 }
    }
}

/// A balancer run: the servers, the arrivals, the policy. Rates per second.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LbConfig {
    pub servers: Vec<ServerSpec>,
    pub arrival_rate_per_s: f64,
    /// A server of speed 100%: its service rate.
    pub service_rate_per_s: f64,
    pub requests: u64,
    pub policy: Policy,
    /// Distinct clients sending the requests (source and consistent hash), each request from one drawn
    /// uniformly.
    pub clients: u32,
    /// Least response time: the EWMA's time constant, seconds.
    pub ewma_decay_s: f64,
}

impl LbConfig {
    /// `n` identical servers.
    pub fn identical(n: u32, lambda: f64, mu: f64, requests: u64, policy: Policy) -> Self {
        Self {
            servers: vec![ServerSpec::default(); n as usize],
            arrival_rate_per_s: lambda,
            service_rate_per_s: mu,
            requests,
            policy,
            clients: 10_000,
            ewma_decay_s: 10.0,
        }
    }

    /// The total service capacity, requests per second.
    pub fn capacity_per_s(&self) -> f64 {
        self.servers.iter().map(|s| self.service_rate_per_s * f64::from(s.speed_pct) / 100.0).sum()
    }

    /// Refuses unstable or out-of-range settings with a sentence saying what to change.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.servers.len() as u64;
        if n == 0 || n > u64::from(limits::SERVERS_MAX) {
            return Err(format!("between 1 and {} servers (got {n})", limits::SERVERS_MAX));
        }
        for (what, r) in [("arrival", self.arrival_rate_per_s), ("service", self.service_rate_per_s)] {
            if !(r.is_finite() && r > 0.0 && r <= limits::RATE_MAX_PER_S) {
                return Err(format!(
                    "the {what} rate must be a number of requests per second above 0 and at most {} (got {r})",
                    limits::RATE_MAX_PER_S
                ));
            }
        }
        for (i, s) in self.servers.iter().enumerate() {
            for (what, v) in [("speed", s.speed_pct), ("weight", s.weight_pct)] {
                if !(1..=limits::SPEED_PCT_MAX).contains(&v) {
                    return Err(format!(
                        "server {i}'s {what} must be between 1% and {}% (got {v}%)",
                        limits::SPEED_PCT_MAX
                    ));
                }
            }
        }
        if self.requests == 0 || self.requests > limits::REQUESTS_MAX {
            return Err(format!("between 1 and {} requests (got {})", limits::REQUESTS_MAX, self.requests));
        }
        if let Policy::PowerOfD { d } = self.policy
            && (d == 0 || u64::from(d) > n)
        {
            return Err(format!("the power of d choices needs d between 1 and the {n} servers (got {d})"));
        }
        if self.clients == 0 || self.clients > limits::CLIENTS_MAX {
            return Err(format!("between 1 and {} clients (got {})", limits::CLIENTS_MAX, self.clients));
        }
        if !(self.ewma_decay_s.is_finite() && self.ewma_decay_s > 0.0) {
            return Err(format!("the EWMA's time constant must be positive (got {} s)", self.ewma_decay_s));
        }
        let looks = self.requests.saturating_mul(self.policy.looks(n as u32));
        if looks > limits::LOOKS_MAX {
            return Err(format!(
                "{} looks at a server in all ({} per request), more than {}: fewer requests or servers",
                looks,
                self.policy.looks(n as u32),
                limits::LOOKS_MAX
            ));
        }
        let rho = self.arrival_rate_per_s / self.capacity_per_s();
        if rho >= 1.0 {
            return Err(format!(
                "unstable: the arrival rate {} is {:.1}% of the servers' capacity {:.4} a second, so the queues grow \
                 without bound; add servers, speed them up or lower the arrival rate",
                self.arrival_rate_per_s,
                100.0 * rho,
                self.capacity_per_s()
            ));
        }
        Ok(())
    }
}

/// What a run measured; times in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LbReport {
    pub policy: String,
    pub requests: u64,
    pub warmup_requests: u64,
    pub mean_sojourn_s: f64,
    pub p50_sojourn_s: f64,
    pub p99_sojourn_s: f64,
    pub max_sojourn_s: f64,
    /// The most requests one server held at once (queued and in service).
    pub max_queue: u32,
    /// Requests each server received.
    pub per_server: Vec<u64>,
    /// Each server's busy share of the measured window.
    pub utilization: Vec<f64>,
    /// Requests answered: all of them once the run is over.
    pub served: u64,
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    Arrive(u64),
    Depart(u32),
}

#[derive(Clone, Debug, Default)]
struct Server {
    /// Requests at the server, the one in service first: (request, arrival).
    queue: VecDeque<(u64, SimTime)>,
    rate_per_s: f64,
    weight: i64,
    /// Smooth weighted round robin's current value.
    current: i64,
    /// Peak EWMA latency estimate, µs (0: not measured yet), and when it was last updated.
    ewma_us: f64,
    stamp: SimTime,
    busy_since: Option<SimTime>,
    busy_us: SimTime,
    received: u64,
}

/// A run, stepped one event at a time.
#[derive(Clone)]
pub struct LbRun {
    c: LbConfig,
    q: Scheduler<Ev>,
    rng: SimRng,
    servers: Vec<Server>,
    ring: Option<Ring>,
    next_rr: usize,
    sojourns: Vec<SimTime>,
    warmup: u64,
    window_start: Option<SimTime>,
    window_end: SimTime,
    max_queue: u32,
    served: u64,
    steps: u64,
}

impl LbRun {
    /// A run of `config` (checked) from `seed`.
    pub fn new(config: LbConfig, seed: u64) -> Result<Self, String> {
        config.validate()?;
        let mut rng = SimRng::new(seed);
        let mut q = Scheduler::new();
        q.schedule_at(exp_delay_for_rate(&mut rng, config.arrival_rate_per_s), Ev::Arrive(0));
        let servers = config
            .servers
            .iter()
            .map(|s| Server {
                rate_per_s: config.service_rate_per_s * f64::from(s.speed_pct) / 100.0,
                weight: i64::from(s.weight_pct),
                ..Server::default()
            })
            .collect();
        let ring = (config.policy == Policy::ConsistentHash).then(|| {
            // 100 points a server, each at the hash of its name and number (as the hashing lab names them).
            Ring::build(
                (0..config.servers.len() as u32)
                    .flat_map(|i| (0..100).map(move |v| (hash_str(&format!("S{i}#{v}")), i))),
            )
        });
        Ok(Self {
            warmup: config.requests * WARMUP_PCT / 100,
            sojourns: Vec::with_capacity((config.requests - config.requests * WARMUP_PCT / 100) as usize),
            c: config,
            q,
            rng,
            servers,
            ring,
            next_rr: 0,
            window_start: None,
            window_end: 0,
            max_queue: 0,
            served: 0,
            steps: 0,
        })
    }

    fn connections(&self, i: usize) -> usize {
        self.servers[i].queue.len()
    }

    /// The index of the smallest `key` among `candidates`, ties broken at random (`random_ties`) or to
    /// the first.
    fn least(
        &mut self,
        candidates: impl Iterator<Item = usize>,
        key: impl Fn(&Self, usize) -> f64,
        random_ties: bool,
    ) -> usize {
        let mut best = f64::INFINITY;
        let mut picked = 0;
        let mut ties = 0u64;
        for i in candidates {
            let k = key(self, i);
            if k < best {
                best = k;
                picked = i;
                ties = 1;
            } else if k == best && random_ties {
                // Reservoir sampling: each of the tied servers is kept with the same probability.
                ties += 1;
                if self.rng.below(ties) == 0 {
                    picked = i;
                }
            }
        }
        picked
    }

    fn pick(&mut self, now: SimTime) -> usize {
        let n = self.servers.len();
        match self.c.policy {
            Policy::Random => self.rng.below(n as u64) as usize,
            Policy::RoundRobin => {
                let i = self.next_rr;
                self.next_rr = (i + 1) % n;
                i
            }
            Policy::WeightedRoundRobin => {
                let total: i64 = self.servers.iter().map(|s| s.weight).sum();
                for s in &mut self.servers {
                    s.current += s.weight;
                }
                let i = (0..n).max_by_key(|&i| (self.servers[i].current, std::cmp::Reverse(i))).unwrap_or(0);
                self.servers[i].current -= total;
                i
            }
            Policy::LeastConnections => self.least(0..n, |s, i| s.connections(i) as f64, false),
            Policy::Jsq => self.least(0..n, |s, i| s.connections(i) as f64, true),
            Policy::WeightedLeastConnections => {
                self.least(0..n, |s, i| s.connections(i) as f64 / s.servers[i].weight as f64, false)
            }
            Policy::PowerOfD { d } => {
                // d distinct servers by a partial Fisher-Yates shuffle of the indices.
                let d = d as usize;
                let mut drawn: Vec<usize> = Vec::with_capacity(d);
                while drawn.len() < d {
                    let i = self.rng.below(n as u64) as usize;
                    if !drawn.contains(&i) {
                        drawn.push(i);
                    }
                }
                self.least(drawn.into_iter(), |s, i| s.connections(i) as f64, true)
            }
            Policy::LeastResponseTime => {
                let decay_us = self.c.ewma_decay_s * 1e6;
                self.least(
                    0..n,
                    |s, i| {
                        let srv = &s.servers[i];
                        let pending = srv.queue.len() as f64;
                        if srv.ewma_us == 0.0 {
                            // Not measured yet: free when idle, else behind every measured server.
                            return if pending == 0.0 { 0.0 } else { f64::MAX / 2.0 + pending };
                        }
                        // The estimate decays towards zero while no answer comes (Finagle decays it at
                        // the next observation; looking at it now, the same weight applies).
                        let w = (-((now - srv.stamp) as f64) / decay_us).exp();
                        srv.ewma_us * w.max(1e-9) * (pending + 1.0)
                    },
                    true,
                )
            }
            Policy::SourceHash => {
                let client = self.rng.below(u64::from(self.c.clients));
                (splitmix64(client) % n as u64) as usize
            }
            Policy::ConsistentHash => {
                let client = self.rng.below(u64::from(self.c.clients));
                let ring = self.ring.as_ref().expect("built for this policy");
                ring.lookup(splitmix64(client)).unwrap_or(0) as usize
            }
        }
    }

    fn start_service(&mut self, i: usize, now: SimTime) {
        let rate = self.servers[i].rate_per_s;
        let d = exp_delay_for_rate(&mut self.rng, rate);
        self.servers[i].busy_since = Some(now);
        self.q.schedule_at(now + d, Ev::Depart(i as u32));
    }

    fn step_event(&mut self, now: SimTime, ev: Ev) {
        self.window_end = now;
        match ev {
            Ev::Arrive(id) => {
                if id + 1 < self.c.requests {
                    let d = exp_delay_for_rate(&mut self.rng, self.c.arrival_rate_per_s);
                    self.q.schedule_at(now + d, Ev::Arrive(id + 1));
                }
                if id == self.warmup {
                    self.window_start = Some(now);
                    for s in &mut self.servers {
                        s.busy_us = 0;
                        if s.busy_since.is_some() {
                            s.busy_since = Some(now);
                        }
                    }
                }
                let i = self.pick(now);
                let s = &mut self.servers[i];
                s.received += 1;
                s.queue.push_back((id, now));
                self.max_queue = self.max_queue.max(s.queue.len() as u32);
                if s.queue.len() == 1 {
                    self.start_service(i, now);
                }
            }
            Ev::Depart(i) => {
                let i = i as usize;
                let decay_us = self.c.ewma_decay_s * 1e6;
                let s = &mut self.servers[i];
                let (id, arrived) = s.queue.pop_front().expect("a departure has its request");
                if let Some(since) = s.busy_since.take() {
                    s.busy_us += now - since;
                }
                let rtt = (now - arrived) as f64;
                // Peak EWMA: a slower answer is taken at once, a faster one blended in by elapsed time.
                if rtt > s.ewma_us {
                    s.ewma_us = rtt;
                } else {
                    let w = (-((now - s.stamp) as f64) / decay_us).exp();
                    s.ewma_us = s.ewma_us * w + rtt * (1.0 - w);
                }
                s.stamp = now;
                self.served += 1;
                if id >= self.warmup {
                    self.sojourns.push(now - arrived);
                }
                if !self.servers[i].queue.is_empty() {
                    self.start_service(i, now);
                }
            }
        }
    }

    /// Processes the next event; returns its time, µs.
    pub fn step(&mut self) -> Option<SimTime> {
        let (now, ev) = self.q.pop()?;
        self.steps += 1;
        self.step_event(now, ev);
        Some(now)
    }

    /// Runs at most `max_steps` more events (at least one); true when the run is over.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        for _ in 0..max_steps.max(1) {
            if self.step().is_none() {
                return true;
            }
        }
        self.q.is_empty()
    }

    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The run so far.
    pub fn report(&self) -> LbReport {
        let mut sorted = self.sojourns.clone();
        let [p50, _, p99] = percentiles_s(&mut sorted);
        let max = sorted.last().map_or(0.0, |&m| secs(m));
        let mean = if sorted.is_empty() { 0.0 } else { secs(sorted.iter().sum::<u64>()) / sorted.len() as f64 };
        let window = self.window_start.map_or(0, |s| self.window_end.saturating_sub(s)).max(1) as f64;
        LbReport {
            policy: self.c.policy.name(),
            requests: self.c.requests,
            warmup_requests: self.warmup,
            mean_sojourn_s: mean,
            p50_sojourn_s: p50,
            p99_sojourn_s: p99,
            max_sojourn_s: max,
            max_queue: self.max_queue,
            per_server: self.servers.iter().map(|s| s.received).collect(),
            utilization: self.servers.iter().map(|s| (s.busy_us as f64 / window).min(1.0)).collect(),
            served: self.served,
        }
    }

    /// The whole run at once.
    pub fn run(config: LbConfig, seed: u64) -> Result<LbReport, String> {
        let mut r = Self::new(config, seed)?;
        while r.step().is_some() {}
        Ok(r.report())
    }
}

impl crate::sim::SlicedRun for LbRun {
    type Report = LbReport;
    fn advance(&mut self, max_steps: u64) -> bool {
        LbRun::advance(self, max_steps)
    }
    fn steps(&self) -> u64 {
        LbRun::steps(self)
    }
    fn report(&self) -> LbReport {
        LbRun::report(self)
    }
}
