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
//! **Sticky sessions.** With `sticky`, each request comes from one of `clients` clients drawn uniformly,
//! and the balancer remembers each client's server (a cookie): a client's first request is placed by the
//! policy, the later ones go to the same server while it is in the pool. A server that leaves the pool
//! (detected dead, scaled in) moves its clients' sessions: the next request of each is placed again and
//! counted in `sessions_moved` (a session kept in that server's memory is lost). Each server then gets
//! its clients' share of the traffic whatever its queue: sticky least connections is a static partition,
//! each server an M/M/1 queue at its share.
//!
//! **Failures and health checks.** A server can be down over windows of time (`outages`). A request at
//! a server when it dies is lost with it; one sent to a dead server fails at once (the connection is
//! refused). The balancer sends only to the servers its health checks say are up: every
//! `check_interval_s` it probes each server, takes one out of the pool after `unhealthy_after` failed
//! probes in a row and back after `healthy_after` good ones. Until a death is detected the balancer
//! keeps sending there; with `retries` a failed request is sent again at once to another server of the
//! pool, up to that many times (its time in system counting from its first arrival), else it is lost.
//! With no health checks (`check_interval_s` = 0) the pool is every server, dead or not.
//!
//! **Measurement.** The first 10% of requests (by arrival) are a warm-up, left out of the latency
//! figures, which are exact (every sojourn kept, nearest-rank percentiles). `max_queue` is the most
//! requests one server held at once (queued and in service) over the whole run.
//!
//! One step is one event (an arrival or a departure).

use super::autoscale::{self, Autoscale, Autoscaler, Decision, LoadStep, ScaleSample};
use crate::sim::cow::CowVec;
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
    /// Most cores of one server.
    pub const CORES_MAX: u32 = 256;
    /// Most outage windows.
    pub const OUTAGES_MAX: usize = 1_000;
    /// Most retries of one request.
    pub const RETRIES_MAX: u32 = 5;
    /// Most load steps.
    pub const STEPS_MAX: usize = 100;
    /// Most autoscaler decisions in a run.
    pub const DECISIONS_MAX: f64 = 1_000_000.0;
}

/// Mixed into the seed for the policies' own draws, apart from the arrivals'.
const PICKS_STREAM: u64 = 0x9e37_79b9_7f4a_7c15;

/// Share of requests (the first ones) treated as warm-up, percent.
pub const WARMUP_PCT: u64 = 10;

/// How the balancer picks a server. Written in a scenario as its command-line name (`"p2c"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Policy {
    Random,
    RoundRobin,
    WeightedRoundRobin,
    LeastConnections,
    WeightedLeastConnections,
    /// The power of `d` choices.
    PowerOfD {
        d: u32,
    },
    Jsq,
    LeastResponseTime,
    SourceHash,
    ConsistentHash,
}

impl TryFrom<String> for Policy {
    type Error = String;
    fn try_from(name: String) -> Result<Self, String> {
        Policy::parse(&name)
    }
}

impl From<Policy> for String {
    fn from(p: Policy) -> String {
        p.name()
    }
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
            // Smooth weighted round robin adds every server's weight at each pick.
            Policy::LeastConnections
            | Policy::WeightedLeastConnections
            | Policy::Jsq
            | Policy::LeastResponseTime
            | Policy::WeightedRoundRobin => u64::from(servers),
            Policy::PowerOfD { d } => u64::from(d),
            _ => 1,
        }
    }
}

/// One server: its speed (each core's service rate is the configuration's times `speed_pct` / 100),
/// its weight for the weighted policies (percent), and its cores (requests served at once, from one
/// FIFO queue).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSpec {
    pub speed_pct: u32,
    pub weight_pct: u32,
    #[serde(default = "one_core", skip_serializing_if = "is_one")]
    pub cores: u32,
}

fn one_core() -> u32 {
    1
}

fn is_one(v: &u32) -> bool {
    *v == 1
}

impl Default for ServerSpec {
    fn default() -> Self {
        Self { speed_pct: 100, weight_pct: 100, cores: 1 }
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
    /// Windows when a server is down.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outages: Vec<Outage>,
    #[serde(default)]
    pub health: HealthCheck,
    /// Times a failed request is sent again to another server (0: a failure loses it).
    #[serde(default)]
    pub retries: u32,
    /// Sticky sessions: a client's requests go to the server of its first while that one is in the pool.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sticky: bool,
    /// The arrival rate's changes with time (none: `arrival_rate_per_s` throughout).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_steps: Vec<LoadStep>,
    /// An autoscaler starting and stopping servers like the first one (none: the servers are fixed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<Autoscale>,
}

/// Server `server` is down over `[from_s, to_s)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    pub server: u32,
    pub from_s: f64,
    pub to_s: f64,
}

/// The balancer's health checks (an interval of 0: none).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    pub check_interval_s: f64,
    /// Failed probes in a row that take a server out of the pool.
    pub unhealthy_after: u32,
    /// Good probes in a row that put it back.
    pub healthy_after: u32,
}

impl Default for HealthCheck {
    /// Checks every 5 s, out after 2 failures, back after 2 successes (HAProxy's defaults: `inter 2s`,
    /// `fall 3`, `rise 2`, are of the same order).
    fn default() -> Self {
        Self { check_interval_s: 5.0, unhealthy_after: 2, healthy_after: 2 }
    }
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
            outages: Vec::new(),
            health: HealthCheck::default(),
            retries: 0,
            sticky: false,
            load_steps: Vec::new(),
            autoscale: None,
        }
    }

    /// Servers the run can have at once: the autoscaler's most, else the fixed servers.
    pub fn slots(&self) -> usize {
        self.autoscale.map_or(self.servers.len(), |a| (a.max_servers as usize).max(self.servers.len()))
    }

    /// The total service capacity, requests per second.
    pub fn capacity_per_s(&self) -> f64 {
        self.servers.iter().map(|s| self.server_capacity_per_s(s)).sum()
    }

    /// One server's capacity, requests per second: its cores at its speed.
    pub fn server_capacity_per_s(&self, s: &ServerSpec) -> f64 {
        self.service_rate_per_s * f64::from(s.speed_pct * s.cores) / 100.0
    }

    /// The capacity with every server the autoscaler may start (each like the first).
    pub fn reachable_capacity_per_s(&self) -> f64 {
        let extra = (self.slots() - self.servers.len()) as f64;
        let first = self.servers.first().copied().unwrap_or_default();
        self.capacity_per_s() + extra * self.server_capacity_per_s(&first)
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
            if !(1..=limits::CORES_MAX).contains(&s.cores) {
                return Err(format!(
                    "server {i}'s cores must be between 1 and {} (got {})",
                    limits::CORES_MAX,
                    s.cores
                ));
            }
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
        if self.outages.len() > limits::OUTAGES_MAX {
            return Err(format!("at most {} outages (got {})", limits::OUTAGES_MAX, self.outages.len()));
        }
        let slots = self.slots() as u64;
        for o in &self.outages {
            if u64::from(o.server) >= slots {
                return Err(format!(
                    "an outage of server {}, but there are {slots} servers (0 to {})",
                    o.server,
                    slots - 1
                ));
            }
            if !(o.from_s.is_finite() && o.from_s >= 0.0 && o.to_s.is_finite() && o.to_s > o.from_s) {
                return Err(format!("server {}'s outage must end after it starts, at 0 s or later", o.server));
            }
        }
        let h = &self.health;
        if !(h.check_interval_s.is_finite() && h.check_interval_s >= 0.0) {
            return Err(format!(
                "the health checks' interval must be 0 (none) or more seconds (got {})",
                h.check_interval_s
            ));
        }
        if h.check_interval_s > 0.0 && (h.unhealthy_after == 0 || h.healthy_after == 0) {
            return Err("the health checks need at least one probe to take a server out and one to put it back".into());
        }
        if h.check_interval_s > 0.0 && !self.outages.is_empty() {
            // Probes run while requests arrive (about requests / lambda seconds) and drain, each looking at
            // every server.
            let probes = self.requests as f64 / self.arrival_rate_per_s / h.check_interval_s * 2.0;
            if probes * n as f64 > limits::LOOKS_MAX as f64 {
                return Err(format!(
                    "health checks every {} s over about {:.0} s of requests are too many probes: check less often",
                    h.check_interval_s,
                    self.requests as f64 / self.arrival_rate_per_s
                ));
            }
        }
        autoscale::validate_steps(&self.load_steps, limits::RATE_MAX_PER_S, limits::STEPS_MAX)?;
        if let Some(a) = &self.autoscale {
            a.validate(n as u32, limits::SERVERS_MAX)?;
            // Decisions run while requests arrive: the slowest piece of traffic bounds how long.
            let slowest = self.load_steps.iter().map(|s| s.arrival_rate_per_s).fold(self.arrival_rate_per_s, f64::min);
            let decisions = self.requests as f64 / slowest / a.interval_s;
            if decisions > limits::DECISIONS_MAX {
                return Err(format!(
                    "about {decisions:.0} autoscaler decisions (every {} s over the requests' time): decide less often",
                    a.interval_s
                ));
            }
        }
        if self.retries > limits::RETRIES_MAX {
            return Err(format!("at most {} retries (got {})", limits::RETRIES_MAX, self.retries));
        }
        // While a server is out of the pool, every pick looks at every server.
        let per_request =
            if self.outages.is_empty() && self.autoscale.is_none() { self.policy.looks(n as u32) } else { slots };
        let looks = self.requests.saturating_mul(per_request).saturating_mul(u64::from(self.retries) + 1);
        if looks > limits::LOOKS_MAX {
            return Err(format!(
                "{} looks at a server in all ({} per request), more than {}: fewer requests or servers",
                looks,
                per_request,
                limits::LOOKS_MAX
            ));
        }
        // With an autoscaler, the capacity it can reach; load steps may overload the servers for a while
        // (the requests are finite: the queue drains).
        let rho = self.arrival_rate_per_s / self.reachable_capacity_per_s();
        if rho >= 1.0 {
            return Err(format!(
                "unstable: the arrival rate {} is {:.1}% of the servers' capacity {:.4} a second, so the queues grow \
                 without bound; add servers, speed them up or lower the arrival rate",
                self.arrival_rate_per_s,
                100.0 * rho,
                self.reachable_capacity_per_s()
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
    /// Requests answered (lost ones are not).
    pub served: u64,
    /// Requests lost: at a server when it died, or failed with no retry left or no server in the pool.
    pub lost: u64,
    /// Seconds of servers powered (booting, on or draining), summed over servers: what they cost.
    pub server_seconds: f64,
    /// The autoscaler's decisions (none without one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scale: Vec<ScaleSample>,
    /// Attempts that failed (sent to a dead server, or at it when it died) and were sent again.
    pub retried: u64,
    /// Requests sent to a dead server (the balancer had not noticed yet).
    pub sent_to_dead: u64,
    /// Sticky sessions placed again because their server left the pool or refused them.
    pub sessions_moved: u64,
    /// Sticky sessions: clients whose session is on each server at the end.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clients_per_server: Vec<u64>,
    /// For each outage detected, seconds from the death to the server leaving the pool.
    pub detection_s: Vec<f64>,
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    Arrive(u64),
    /// Server, its life (a departure from an earlier life is void), the request.
    Depart(u32, u32, u64),
    Down(u32),
    Up(u32),
    Probe,
    /// A server started by the autoscaler is ready.
    Booted(u32),
    /// The autoscaler decides.
    Scale,
}

/// A server's power, as the autoscaler sets it (a fixed server is always on).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Power {
    #[default]
    Off,
    Booting,
    On,
    /// Out of the pool, finishing what it holds.
    Draining,
}

/// A request: its number, its first arrival, its failed attempts, and its work (µs at a service rate of
/// one a second: exponential of mean 1 s, drawn with the arrivals so every policy serves the same jobs).
#[derive(Clone, Copy, Debug)]
struct Job {
    id: u64,
    arrived: SimTime,
    failures: u32,
    work_us: SimTime,
    /// Its client (sticky sessions only).
    client: u32,
}

#[derive(Clone, Debug, Default)]
struct Server {
    /// Requests in service (at most `cores`) and waiting, in order.
    in_service: Vec<Job>,
    waiting: VecDeque<Job>,
    cores: usize,
    alive: bool,
    /// In the balancer's pool (its health checks' view).
    in_pool: bool,
    /// Lives so far (a death starts a new one).
    life: u32,
    good_probes: u32,
    bad_probes: u32,
    died_at: Option<SimTime>,
    rate_per_s: f64,
    weight: i64,
    /// Smooth weighted round robin's current value.
    current: i64,
    /// Peak EWMA latency estimate, µs (0: not measured yet), and when it was last updated.
    ewma_us: f64,
    stamp: SimTime,
    /// Busy core-time, µs, accounted up to `accounted`: since the warm-up, and in all.
    busy_us: SimTime,
    busy_total_us: SimTime,
    /// `busy_total_us` at the autoscaler's last decision.
    busy_mark_us: SimTime,
    accounted: SimTime,
    received: u64,
    power: Power,
    /// Powered (booting, on or draining) since then; powered time before it, µs.
    powered_since: Option<SimTime>,
    powered_us: SimTime,
}

impl Server {
    /// Requests at the server, in service or waiting: its open connections.
    fn connections(&self) -> usize {
        self.in_service.len() + self.waiting.len()
    }

    /// Adds the busy core-time since the last account.
    fn account(&mut self, now: SimTime) {
        let busy = self.in_service.len() as SimTime * (now - self.accounted);
        self.busy_us += busy;
        self.busy_total_us += busy;
        self.accounted = now;
    }

    /// Powered time up to `now`, µs.
    fn powered(&self, now: SimTime) -> SimTime {
        self.powered_us + self.powered_since.map_or(0, |t| now.saturating_sub(t))
    }
}

/// A run, stepped one event at a time.
#[derive(Clone)]
pub struct LbRun {
    c: LbConfig,
    q: Scheduler<Ev>,
    /// The policies' draws (random picks, clients).
    rng: SimRng,
    /// The arrivals and each request's work: the same for every policy from one seed.
    arrivals: SimRng,
    servers: Vec<Server>,
    ring: Option<Ring>,
    /// Servers in the pool.
    pool: usize,
    /// 0..n, shared by every pick while the whole pool is up.
    all: std::rc::Rc<[usize]>,
    arrivals_done: bool,
    next_rr: usize,
    /// Measured requests' times in system, µs (copies share their chunks: timeline checkpoints).
    sojourns: CowVec<SimTime>,
    sojourn_sum_us: u128,
    warmup: u64,
    window_start: Option<SimTime>,
    window_end: SimTime,
    max_queue: u32,
    served: u64,
    lost: u64,
    retried: u64,
    sent_to_dead: u64,
    detection_us: Vec<SimTime>,
    /// Requests arrived so far.
    arrived: u64,
    steps: u64,
    scaler: Option<Autoscaler>,
    samples: Vec<ScaleSample>,
    /// Sticky sessions: each client's server (`NO_SERVER`: none yet).
    sessions: Vec<u32>,
    sessions_moved: u64,
}

const NO_SERVER: u32 = u32::MAX;

/// One server now.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerLive {
    /// Requests at it, in service or waiting.
    pub connections: u32,
    pub cores: u32,
    pub alive: bool,
    /// In the balancer's pool (its health checks' view).
    pub in_pool: bool,
    pub received: u64,
    pub power: Power,
}

/// The balancer now, for the page's animation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LbLive {
    pub servers: Vec<ServerLive>,
    pub arrived: u64,
    pub served: u64,
    pub lost: u64,
    pub retried: u64,
    pub sent_to_dead: u64,
    /// Mean time in system of the measured requests answered so far, seconds.
    pub mean_sojourn_s: f64,
    pub requests: u64,
}

impl LbRun {
    /// A run of `config` (checked) from `seed`.
    pub fn new(config: LbConfig, seed: u64) -> Result<Self, String> {
        config.validate()?;
        let n_servers = config.servers.len();
        let slots = config.slots();
        let rng = SimRng::new(seed ^ PICKS_STREAM);
        let mut arrivals = SimRng::new(seed);
        let mut q = Scheduler::new();
        q.schedule_at(next_arrival(&mut arrivals, &config, 0), Ev::Arrive(0));
        let first = config.servers[0];
        // The fixed servers, on from the start; then the autoscaler's, off (each like the first).
        let servers = (0..slots)
            .map(|i| {
                let (s, on) = config.servers.get(i).map_or((first, false), |s| (*s, true));
                Server {
                    rate_per_s: config.service_rate_per_s * f64::from(s.speed_pct) / 100.0,
                    weight: i64::from(s.weight_pct),
                    cores: s.cores as usize,
                    alive: true,
                    in_pool: on,
                    power: if on { Power::On } else { Power::Off },
                    powered_since: on.then_some(0),
                    ..Server::default()
                }
            })
            .collect();
        if let Some(a) = &config.autoscale {
            q.schedule_at((a.interval_s * 1e6).round() as SimTime, Ev::Scale);
        }
        for o in &config.outages {
            q.schedule_at((o.from_s * 1e6).round() as SimTime, Ev::Down(o.server));
            q.schedule_at((o.to_s * 1e6).round() as SimTime, Ev::Up(o.server));
        }
        if config.health.check_interval_s > 0.0 && !config.outages.is_empty() {
            q.schedule_at(0, Ev::Probe);
        }
        let ring = (config.policy == Policy::ConsistentHash).then(|| hash_ring(slots));
        let scaler = config.autoscale.map(Autoscaler::new);
        let sessions = if config.sticky { vec![NO_SERVER; config.clients as usize] } else { Vec::new() };
        Ok(Self {
            warmup: config.requests * WARMUP_PCT / 100,
            sojourns: CowVec::new(),
            sojourn_sum_us: 0,
            c: config,
            q,
            rng,
            arrivals,
            servers,
            ring,
            pool: n_servers,
            all: (0..slots).collect(),
            scaler,
            samples: Vec::new(),
            sessions,
            sessions_moved: 0,
            arrivals_done: false,
            next_rr: 0,
            window_start: None,
            window_end: 0,
            max_queue: 0,
            served: 0,
            lost: 0,
            retried: 0,
            sent_to_dead: 0,
            detection_us: Vec::new(),
            arrived: 0,
            steps: 0,
        })
    }

    fn connections(&self, i: usize) -> usize {
        self.servers[i].connections()
    }

    /// The index of the smallest `key` among `candidates`, ties broken at random (`random_ties`) or to
    /// the first.
    fn least(&mut self, candidates: &[usize], key: impl Fn(&Self, usize) -> f64, random_ties: bool) -> usize {
        let mut best = f64::INFINITY;
        let mut picked = candidates[0];
        let mut ties = 0u64;
        for &i in candidates {
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

    fn eligible(&self, i: usize, exclude: Option<usize>) -> bool {
        self.servers[i].in_pool && Some(i) != exclude
    }

    /// The server for a request: one of the pool, not `exclude` (where it just failed); none when the
    /// pool is empty.
    fn pick(&mut self, now: SimTime, exclude: Option<usize>) -> Option<usize> {
        let n = self.servers.len();
        let all = self.pool == n && exclude.is_none();
        // Every server (shared, no copy), or those of the pool but `exclude`.
        let owned: std::rc::Rc<[usize]> =
            if all { self.all.clone() } else { (0..n).filter(|&i| self.eligible(i, exclude)).collect() };
        let candidates: &[usize] = &owned;
        if candidates.is_empty() {
            return None;
        }
        let m = candidates.len();
        Some(match self.c.policy {
            Policy::Random => candidates[self.rng.below(m as u64) as usize],
            Policy::RoundRobin => loop {
                let i = self.next_rr;
                self.next_rr = (i + 1) % n;
                if all || self.eligible(i, exclude) {
                    break i;
                }
            },
            Policy::WeightedRoundRobin => {
                let total: i64 = candidates.iter().map(|&i| self.servers[i].weight).sum();
                for &i in candidates {
                    self.servers[i].current += self.servers[i].weight;
                }
                let i = candidates
                    .iter()
                    .copied()
                    .max_by_key(|&i| (self.servers[i].current, std::cmp::Reverse(i)))
                    .unwrap_or(candidates[0]);
                self.servers[i].current -= total;
                i
            }
            Policy::LeastConnections => self.least(candidates, |s, i| s.connections(i) as f64, false),
            Policy::Jsq => self.least(candidates, |s, i| s.connections(i) as f64, true),
            Policy::WeightedLeastConnections => {
                self.least(candidates, |s, i| s.connections(i) as f64 / s.servers[i].weight as f64, false)
            }
            Policy::PowerOfD { d } => {
                // min(d, m) distinct servers drawn from the candidates.
                let d = (d as usize).min(m);
                let mut drawn: Vec<usize> = Vec::with_capacity(d);
                while drawn.len() < d {
                    let i = candidates[self.rng.below(m as u64) as usize];
                    if !drawn.contains(&i) {
                        drawn.push(i);
                    }
                }
                self.least(&drawn, |s, i| s.connections(i) as f64, true)
            }
            Policy::LeastResponseTime => {
                let decay_us = self.c.ewma_decay_s * 1e6;
                self.least(
                    candidates,
                    |s, i| {
                        let srv = &s.servers[i];
                        let pending = srv.connections() as f64;
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
            Policy::SourceHash | Policy::ConsistentHash => {
                let client = self.rng.below(u64::from(self.c.clients));
                hash_route(self.ring.as_ref(), candidates, client)
            }
        })
    }

    /// Starts waiting requests on the free cores of server `i`.
    fn fill(&mut self, i: usize, now: SimTime) {
        let s = &mut self.servers[i];
        s.account(now);
        while s.in_service.len() < s.cores {
            let Some(job) = s.waiting.pop_front() else { break };
            let d = ((job.work_us as f64 / s.rate_per_s).round() as SimTime).max(1);
            s.in_service.push(job);
            self.q.schedule_at(now + d, Ev::Depart(i as u32, s.life, job.id));
        }
    }

    /// Sends `job` to a server of the pool (not `exclude`): its session's server when sticky and that one
    /// is in the pool, else the policy's pick.
    fn dispatch(&mut self, job: Job, now: SimTime, exclude: Option<usize>) {
        let pinned = self.sessions.get(job.client as usize).copied().filter(|&s| s != NO_SERVER);
        let i = match pinned {
            Some(s) if exclude.is_none() && self.servers[s as usize].in_pool => Some(s as usize),
            _ => self.pick(now, exclude),
        };
        let Some(i) = i else {
            self.lost += 1;
            return;
        };
        if let Some(slot) = self.sessions.get_mut(job.client as usize) {
            if *slot != NO_SERVER && *slot != i as u32 {
                self.sessions_moved += 1;
            }
            *slot = i as u32;
        }
        if !self.servers[i].alive {
            // The connection is refused at once.
            self.sent_to_dead += 1;
            return self.fail(job, now, i);
        }
        let s = &mut self.servers[i];
        s.received += 1;
        s.waiting.push_back(job);
        self.max_queue = self.max_queue.max(s.connections() as u32);
        self.fill(i, now);
    }

    /// A request failed at server `at`: sent again elsewhere while it has retries left, else lost.
    fn fail(&mut self, job: Job, now: SimTime, at: usize) {
        if job.failures < self.c.retries {
            self.retried += 1;
            self.dispatch(Job { failures: job.failures + 1, ..job }, now, Some(at));
        } else {
            self.lost += 1;
        }
    }

    fn set_in_pool(&mut self, i: usize, in_pool: bool) {
        if self.servers[i].in_pool != in_pool {
            self.servers[i].in_pool = in_pool;
            if in_pool {
                self.pool += 1;
            } else {
                self.pool -= 1;
            }
        }
    }

    fn step_event(&mut self, now: SimTime, ev: Ev) {
        match ev {
            Ev::Arrive(id) => {
                self.window_end = now;
                self.arrived += 1;
                let work_us = exp_delay_for_rate(&mut self.arrivals, 1.0);
                if id + 1 < self.c.requests {
                    let t = next_arrival(&mut self.arrivals, &self.c, now);
                    self.q.schedule_at(t, Ev::Arrive(id + 1));
                } else {
                    self.arrivals_done = true;
                }
                if id == self.warmup {
                    self.window_start = Some(now);
                    for s in &mut self.servers {
                        s.account(now);
                        s.busy_us = 0;
                    }
                }
                let client = if self.c.sticky { self.rng.below(u64::from(self.c.clients)) as u32 } else { 0 };
                self.dispatch(Job { id, arrived: now, failures: 0, work_us, client }, now, None);
            }
            Ev::Depart(i, life, job) => {
                let i = i as usize;
                if life != self.servers[i].life {
                    return;
                }
                self.window_end = now;
                let decay_us = self.c.ewma_decay_s * 1e6;
                let s = &mut self.servers[i];
                s.account(now);
                let at = s.in_service.iter().position(|j| j.id == job).expect("a departure has its request");
                let Job { id, arrived, .. } = s.in_service.swap_remove(at);
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
                    self.sojourn_sum_us += u128::from(now - arrived);
                }
                self.fill(i, now);
                self.stop_if_drained(i, now);
            }
            Ev::Down(i) => {
                let i = i as usize;
                let s = &mut self.servers[i];
                if !s.alive {
                    return;
                }
                s.alive = false;
                s.life += 1;
                s.died_at = Some(now);
                s.account(now);
                let at_server: Vec<Job> = s.in_service.drain(..).chain(s.waiting.drain(..)).collect();
                for job in at_server {
                    self.fail(job, now, i);
                }
                if self.c.health.check_interval_s == 0.0 {
                    // No health checks: nothing will ever take it out of the pool.
                    self.servers[i].died_at = None;
                }
                self.stop_if_drained(i, now);
            }
            Ev::Up(i) => {
                let s = &mut self.servers[i as usize];
                s.alive = true;
                s.died_at = None;
            }
            Ev::Booted(i) => {
                let i = i as usize;
                let s = &mut self.servers[i];
                s.account(now);
                s.power = Power::On;
                s.busy_mark_us = s.busy_total_us;
                s.good_probes = 0;
                s.bad_probes = 0;
                self.set_in_pool(i, true);
            }
            Ev::Scale => self.scale(now),
            Ev::Probe => {
                let h = self.c.health;
                for i in 0..self.servers.len() {
                    let s = &mut self.servers[i];
                    if s.power != Power::On {
                        // Not the balancer's to check: off, booting, or leaving.
                        continue;
                    }
                    if s.alive {
                        s.good_probes += 1;
                        s.bad_probes = 0;
                        if !s.in_pool && s.good_probes >= h.healthy_after {
                            self.set_in_pool(i, true);
                        }
                    } else {
                        s.bad_probes += 1;
                        s.good_probes = 0;
                        if s.in_pool && s.bad_probes >= h.unhealthy_after {
                            if let Some(d) = s.died_at.take() {
                                self.detection_us.push(now - d);
                            }
                            self.set_in_pool(i, false);
                        }
                    }
                }
                if !self.arrivals_done || self.servers.iter().any(|s| s.connections() > 0) {
                    self.q.schedule_at(now + (h.check_interval_s * 1e6).round().max(1.0) as SimTime, Ev::Probe);
                }
            }
        }
    }

    /// A server leaving, once it holds nothing, stops.
    fn stop_if_drained(&mut self, i: usize, now: SimTime) {
        let s = &mut self.servers[i];
        if s.power == Power::Draining && s.connections() == 0 {
            s.power = Power::Off;
            s.powered_us = s.powered(now);
            s.powered_since = None;
        }
    }

    /// The autoscaler's decision: utilisation of the servers in service over the last interval, the
    /// servers it wants, servers started or taken out of service.
    fn scale(&mut self, now: SimTime) {
        let Some(mut scaler) = self.scaler.take() else { return };
        let a = scaler.settings;
        let interval = (a.interval_s * 1e6).round() as SimTime;
        let (mut busy, mut capacity) = (0u64, 0u64);
        let (mut on, mut booting) = (0u32, 0u32);
        for s in &mut self.servers {
            s.account(now);
            match s.power {
                Power::On => {
                    on += 1;
                    busy += s.busy_total_us - s.busy_mark_us;
                    capacity += s.cores as u64 * interval;
                }
                Power::Booting => booting += 1,
                Power::Draining | Power::Off => {}
            }
            s.busy_mark_us = s.busy_total_us;
        }
        let utilization = if capacity == 0 { 1.0 } else { (busy as f64 / capacity as f64).min(1.0) };
        let (desired, decision) = scaler.decide(now, on, booting, utilization);
        match decision {
            Decision::Boot(k) => {
                // The lowest-numbered servers that are off.
                let off: Vec<usize> =
                    (0..self.servers.len()).filter(|&i| self.servers[i].power == Power::Off).take(k as usize).collect();
                for i in off {
                    let s = &mut self.servers[i];
                    s.power = Power::Booting;
                    s.powered_since = Some(now);
                    self.q.schedule_at(now + (a.boot_s * 1e6).round() as SimTime, Ev::Booted(i as u32));
                }
            }
            Decision::Drain(k) => {
                // The highest-numbered servers in service.
                let leaving: Vec<usize> = (0..self.servers.len())
                    .rev()
                    .filter(|&i| self.servers[i].power == Power::On)
                    .take(k as usize)
                    .collect();
                for i in leaving {
                    self.servers[i].power = Power::Draining;
                    self.set_in_pool(i, false);
                    self.stop_if_drained(i, now);
                }
            }
            Decision::Hold => {}
        }
        let count = |p: Power| self.servers.iter().filter(|s| s.power == p).count() as u32;
        self.samples.push(ScaleSample {
            t_s: secs(now),
            in_service: count(Power::On),
            booting: count(Power::Booting),
            draining: count(Power::Draining),
            requests_at_servers: self.servers.iter().map(|s| s.connections() as u64).sum(),
            utilization,
            desired,
            arrival_rate_per_s: autoscale::rate_at(self.c.arrival_rate_per_s, &self.c.load_steps, now).0,
        });
        self.scaler = Some(scaler);
        if !self.is_over() {
            self.q.schedule_at(now + interval.max(1), Ev::Scale);
        }
    }

    /// Processes the next event; returns its time, µs.
    pub fn step(&mut self) -> Option<SimTime> {
        if self.is_over() {
            // Every request answered or lost: outages and probes still scheduled change nothing.
            return None;
        }
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
        self.is_over()
    }

    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The time of the last event, µs.
    pub fn now(&self) -> SimTime {
        self.q.now()
    }

    pub fn is_over(&self) -> bool {
        (self.arrivals_done && self.served + self.lost == self.c.requests) || self.q.is_empty()
    }

    /// Processes every event at or before `t_us`.
    pub fn run_until(&mut self, t_us: SimTime) {
        while !self.is_over() && self.q.peek_time().is_some_and(|t| t <= t_us) {
            self.step();
        }
    }

    /// Requests arrived so far.
    pub fn arrived(&self) -> u64 {
        self.arrived
    }

    /// The servers now, for the page.
    pub fn live(&self) -> LbLive {
        LbLive {
            servers: self
                .servers
                .iter()
                .map(|s| ServerLive {
                    connections: s.connections() as u32,
                    cores: s.cores as u32,
                    alive: s.alive,
                    in_pool: s.in_pool,
                    received: s.received,
                    power: s.power,
                })
                .collect(),
            arrived: self.arrived,
            served: self.served,
            lost: self.lost,
            retried: self.retried,
            sent_to_dead: self.sent_to_dead,
            mean_sojourn_s: if self.sojourns.is_empty() {
                0.0
            } else {
                self.sojourn_sum_us as f64 / self.sojourns.len() as f64 / 1e6
            },
            requests: self.c.requests,
        }
    }

    /// An estimate of the bytes the run holds, leaving out what it shares with `earlier` (the sojourns'
    /// chunks).
    pub fn approx_bytes_beyond(&self, earlier: Option<&Self>) -> usize {
        let shared = earlier.map_or(0, |e| e.sojourns.len().min(self.sojourns.len()));
        let own = (self.sojourns.len() - shared) * 8;
        let per_server: usize = self.servers.iter().map(|s| (s.in_service.len() + s.waiting.len()) * 32 + 160).sum();
        own + per_server + self.q.len() * 48 + self.sessions.len() * 4 + 256
    }

    /// The run so far.
    pub fn report(&self) -> LbReport {
        let mut sorted = self.sojourns.to_vec();
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
            utilization: self.servers.iter().map(|s| (s.busy_us as f64 / (window * s.cores as f64)).min(1.0)).collect(),
            served: self.served,
            lost: self.lost,
            server_seconds: secs(self.servers.iter().map(|s| s.powered(self.window_end)).sum()),
            scale: self.samples.clone(),
            retried: self.retried,
            sent_to_dead: self.sent_to_dead,
            sessions_moved: self.sessions_moved,
            clients_per_server: if self.c.sticky {
                let mut k = vec![0u64; self.servers.len()];
                for &s in self.sessions.iter().filter(|&&s| s != NO_SERVER) {
                    k[s as usize] += 1;
                }
                k
            } else {
                Vec::new()
            },
            detection_s: self.detection_us.iter().map(|&d| secs(d)).collect(),
        }
    }

    /// The whole run at once.
    pub fn run(config: LbConfig, seed: u64) -> Result<LbReport, String> {
        let mut r = Self::new(config, seed)?;
        while r.step().is_some() {}
        Ok(r.report())
    }
}

/// The moment of the next arrival after one at `now`: Poisson at the rate of the moment, a gap that
/// crosses a load step drawn again from the step.
pub fn next_arrival(rng: &mut SimRng, c: &LbConfig, now: SimTime) -> SimTime {
    let mut t = now;
    loop {
        let (rate, next_step) = autoscale::rate_at(c.arrival_rate_per_s, &c.load_steps, t);
        let at = t + exp_delay_for_rate(rng, rate);
        match next_step {
            Some(step) if at > step => t = step,
            _ => return at,
        }
    }
}

/// The server of `client` among `candidates` (the pool, in order): with no ring, the client's hash
/// modulo the pool's size (source hash: when the pool changes, most clients move, the hashing lab's
/// lesson); on `ring` (100 points a server), the first point clockwise of the client's hash whose server
/// is a candidate (consistent hash: only the clients of a server that leaves move).
pub fn hash_route(ring: Option<&Ring>, candidates: &[usize], client: u64) -> usize {
    let h = splitmix64(client);
    let Some(ring) = ring else { return candidates[(h % candidates.len() as u64) as usize] };
    let start = ring.point_of(h).unwrap_or(0);
    let owners = ring.owners();
    (0..owners.len())
        .map(|k| owners[(start + k) % owners.len()] as usize)
        .find(|i| candidates.binary_search(i).is_ok())
        .unwrap_or(candidates[0])
}

/// The consistent-hash ring of `n` servers, 100 points each at the hash of its name and number.
pub fn hash_ring(n: usize) -> Ring {
    Ring::build((0..n as u32).flat_map(|i| (0..100).map(move |v| (hash_str(&format!("S{i}#{v}")), i))))
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
