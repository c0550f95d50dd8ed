//! The lab as the page and a scenario see it: a balancer in front of servers on a virtual clock (the
//! timed run), servers killed and revived at moments; beside it the policies compared on the same jobs
//! against theory, and one big machine against many small ones.
//!
//! **Actions are outages.** Killing a server at a moment and reviving it later is an outage window on it
//! (one never revived lasts past the end); the balancer looks a server's state up by time, so a run with
//! the actions folded into its outages is exactly the run where they happened live.
//!
//! The configuration keeps rates in thousandths per second and times in milliseconds (whole numbers: a
//! scenario compares and hashes exactly); [`ScalingConfig::balancer`] turns it into the core's [`LbConfig`].

use super::autoscale::{Autoscale, LoadStep};
use super::calls::{Calls, CallsReport};
use super::lb::{HealthCheck, LbConfig, LbLive, LbReport, LbRun, Outage, Policy, ServerSpec};
use super::theory;
use crate::scenario::ActionTime;
use crate::sim::kernel::SimTime;
use crate::sim::timeline::TimedRun;
use serde::{Deserialize, Serialize};

/// Limits of the lab (the core's are wider: the command line runs ten million requests).
pub mod limits {
    /// Most requests of the page's run.
    pub const REQUESTS_MAX: u64 = 1_000_000;
    /// Most servers on the page.
    pub const SERVERS_MAX: usize = 64;
    /// Most policies compared at once.
    pub const COMPARE_MAX: usize = 12;
    /// Most cores of a machine in the sizing comparison, and most machines.
    pub const SIZE_MAX: u32 = 256;
    /// Most actions' moment, ms (a day).
    pub const TIME_MS_MAX: u64 = 86_400_000;
}

/// The health checks, in milliseconds (an interval of 0: none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Health {
    pub interval_ms: u32,
    pub unhealthy_after: u32,
    pub healthy_after: u32,
}

/// One big machine against many small ones, each at a price per hour (cents).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sizing {
    /// The big machine's cores, and the most any machine on offer has (its hardware ceiling).
    pub big_cores: u32,
    pub ceiling_cores: u32,
    pub big_cents_per_hour: u32,
    pub small_machines: u32,
    pub small_cores: u32,
    pub small_cents_per_hour: u32,
}

impl Default for Sizing {
    /// A 32-core machine at $1.60 an hour (its per-core price higher, as large instances' often are at
    /// the top of a range) against 8 machines of 4 cores at $0.17: the same 32 cores.
    fn default() -> Self {
        Self {
            big_cores: 32,
            ceiling_cores: 64,
            big_cents_per_hour: 160,
            small_machines: 8,
            small_cores: 4,
            small_cents_per_hour: 17,
        }
    }
}

/// From `at_ms` on, requests arrive at `arrival_milli_per_s` thousandths a second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadStepMs {
    pub at_ms: u64,
    pub arrival_milli_per_s: u32,
}

/// The autoscaler (see [`Autoscale`]), times in milliseconds, and what a server costs an hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoscaleMs {
    pub target_util_pct: u32,
    pub interval_ms: u32,
    pub boot_ms: u32,
    pub min_servers: u32,
    pub max_servers: u32,
    pub scale_in_window_ms: u32,
    pub tolerance_pct: u32,
    pub cents_per_server_hour: u32,
}

impl Default for AutoscaleMs {
    /// Kubernetes' rule with its defaults (decisions every 15 s, 10% tolerance, a 300 s scale-in
    /// window), a 60% target, servers ready a minute after they start, 1 to 40 servers at $0.17 an hour.
    fn default() -> Self {
        Self {
            target_util_pct: 60,
            interval_ms: 15_000,
            boot_ms: 60_000,
            min_servers: 1,
            max_servers: 40,
            scale_in_window_ms: 300_000,
            tolerance_pct: 10,
            cents_per_server_hour: 17,
        }
    }
}

impl AutoscaleMs {
    pub fn settings(&self) -> Autoscale {
        Autoscale {
            target_util_pct: self.target_util_pct,
            interval_s: f64::from(self.interval_ms) / 1000.0,
            boot_s: f64::from(self.boot_ms) / 1000.0,
            min_servers: self.min_servers,
            max_servers: self.max_servers,
            scale_in_window_s: f64::from(self.scale_in_window_ms) / 1000.0,
            tolerance_pct: self.tolerance_pct,
        }
    }
}

/// Everything the lab runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingConfig {
    pub servers: Vec<ServerSpec>,
    /// Arrival rate, thousandths of a request per second.
    pub arrival_milli_per_s: u32,
    /// Service rate of a core at speed 100%, thousandths per second.
    pub service_milli_per_s: u32,
    pub requests: u64,
    pub policy: Policy,
    pub clients: u32,
    pub health: Health,
    pub retries: u32,
    /// Least response time's EWMA time constant, ms.
    pub ewma_decay_ms: u32,
    /// The policies compared on the same jobs, beside theory.
    pub compare: Vec<Policy>,
    #[serde(default)]
    pub sizing: Sizing,
    /// The arrival rate's changes with time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_steps: Vec<LoadStepMs>,
    /// An autoscaler starting and stopping servers like the first (none: the servers are fixed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<AutoscaleMs>,
    /// Sticky sessions (a client's requests to the server of its first).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sticky: bool,
    /// Calls in one process against calls over the network; two-phase commit.
    #[serde(default, skip_serializing_if = "Calls::is_default")]
    pub calls: Calls,
}

impl Default for ScalingConfig {
    /// Ten identical servers at 80% (8 requests a second, 1 each), least connections, health checks
    /// every 2 s (out after 2 failures, back after 2 successes), no retry; 20,000 requests.
    fn default() -> Self {
        Self {
            servers: vec![ServerSpec::default(); 10],
            arrival_milli_per_s: 8_000,
            service_milli_per_s: 1_000,
            requests: 20_000,
            policy: Policy::LeastConnections,
            clients: 10_000,
            health: Health { interval_ms: 2_000, unhealthy_after: 2, healthy_after: 2 },
            retries: 0,
            ewma_decay_ms: 10_000,
            compare: vec![
                Policy::Random,
                Policy::RoundRobin,
                Policy::LeastConnections,
                Policy::PowerOfD { d: 2 },
                Policy::Jsq,
                Policy::LeastResponseTime,
            ],
            sizing: Sizing::default(),
            load_steps: Vec::new(),
            autoscale: None,
            sticky: false,
            calls: Calls::default(),
        }
    }
}

impl ScalingConfig {
    /// The core's configuration with `outages`.
    pub fn balancer(&self, outages: Vec<Outage>) -> LbConfig {
        LbConfig {
            servers: self.servers.clone(),
            arrival_rate_per_s: f64::from(self.arrival_milli_per_s) / 1000.0,
            service_rate_per_s: f64::from(self.service_milli_per_s) / 1000.0,
            requests: self.requests,
            policy: self.policy,
            clients: self.clients,
            ewma_decay_s: f64::from(self.ewma_decay_ms) / 1000.0,
            outages,
            health: HealthCheck {
                check_interval_s: f64::from(self.health.interval_ms) / 1000.0,
                unhealthy_after: self.health.unhealthy_after,
                healthy_after: self.health.healthy_after,
            },
            retries: self.retries,
            sticky: self.sticky,
            load_steps: self
                .load_steps
                .iter()
                .map(|s| LoadStep {
                    from_s: s.at_ms as f64 / 1000.0,
                    arrival_rate_per_s: f64::from(s.arrival_milli_per_s) / 1000.0,
                })
                .collect(),
            autoscale: self.autoscale.map(|a| a.settings()),
        }
    }

    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        if self.servers.len() > limits::SERVERS_MAX {
            return Err(format!("at most {} servers on the page (got {})", limits::SERVERS_MAX, self.servers.len()));
        }
        if self.requests > limits::REQUESTS_MAX {
            return Err(format!(
                "at most {} requests on the page (got {}): `sysplay lb` runs up to ten million",
                limits::REQUESTS_MAX,
                self.requests
            ));
        }
        if let Some(a) = &self.autoscale
            && a.max_servers as usize > limits::SERVERS_MAX
        {
            return Err(format!(
                "at most {} servers on the page: the autoscaler's most is {}",
                limits::SERVERS_MAX,
                a.max_servers
            ));
        }
        if self.load_steps.iter().any(|s| s.at_ms > limits::TIME_MS_MAX) {
            return Err("a load step past the day a run can last".into());
        }
        self.calls.validate()?;
        if self.compare.len() > limits::COMPARE_MAX {
            return Err(format!("at most {} policies compared (got {})", limits::COMPARE_MAX, self.compare.len()));
        }
        for p in &self.compare {
            LbConfig { policy: *p, ..self.balancer(Vec::new()) }
                .validate()
                .map_err(|e| format!("{}: {e}", p.name()))?;
        }
        let s = &self.sizing;
        for (what, v) in [
            ("the big machine's cores", s.big_cores),
            ("the ceiling", s.ceiling_cores),
            ("the small machines", s.small_machines),
            ("each small machine's cores", s.small_cores),
        ] {
            crate::sim::check_range(what, u64::from(v), 1, u64::from(limits::SIZE_MAX))?;
        }
        if s.big_cores > s.ceiling_cores {
            return Err(format!(
                "no machine on offer has {} cores: the largest has {} (the ceiling of vertical scaling)",
                s.big_cores, s.ceiling_cores
            ));
        }
        self.balancer(Vec::new()).validate()
    }
}

/// A change to a server at a moment of the timed run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ScalingAction {
    Kill { server: u32 },
    Revive { server: u32 },
}

impl ScalingAction {
    pub fn describe(&self) -> String {
        match *self {
            ScalingAction::Kill { server } => format!("kill server {server}"),
            ScalingAction::Revive { server } => format!("revive server {server}"),
        }
    }
}

/// The outages the actions make: a kill opens one on its server, a revive closes it; one still open at
/// the end lasts a day past the last action.
pub fn outages_of(servers: usize, actions: &[(ActionTime, ScalingAction)]) -> Result<Vec<Outage>, String> {
    let mut open: Vec<Option<u64>> = vec![None; servers];
    let mut out = Vec::new();
    for &(t, a) in actions {
        if t > limits::TIME_MS_MAX {
            return Err(format!("an action at {} s is past the day a run can last: record it earlier", t / 1000));
        }
        let (ScalingAction::Kill { server } | ScalingAction::Revive { server }) = a;
        let slot = open.get_mut(server as usize).ok_or_else(|| {
            format!(
                "an action on server {server}, but there are {servers} servers (0 to {})",
                servers.saturating_sub(1)
            )
        })?;
        match a {
            ScalingAction::Kill { .. } => {
                slot.get_or_insert(t);
            }
            ScalingAction::Revive { .. } => {
                if let Some(from) = slot.take()
                    && t > from
                {
                    out.push(Outage { server, from_s: from as f64 / 1000.0, to_s: t as f64 / 1000.0 });
                }
            }
        }
    }
    for (server, from) in open.into_iter().enumerate() {
        if let Some(from) = from {
            let to = (limits::TIME_MS_MAX * 2) as f64 / 1000.0;
            out.push(Outage { server: server as u32, from_s: from as f64 / 1000.0, to_s: to });
        }
    }
    Ok(out)
}

/// The timed run: the balancer of the configuration with the actions' outages.
#[derive(Clone)]
pub struct ScalingSim {
    run: LbRun,
    config: ScalingConfig,
    seed: u64,
}

/// The whole run, and theory for the policy where it is known.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScalingReport {
    pub run: LbReport,
    pub theory: Option<theory::Predicted>,
    /// In one process against over the network; a local transaction against two-phase commit.
    pub calls: CallsReport,
}

impl ScalingSim {
    pub fn new(seed: u64, config: &ScalingConfig, actions: &[(ActionTime, ScalingAction)]) -> Result<Self, String> {
        config.validate()?;
        let outages = outages_of(config.balancer(Vec::new()).slots(), actions)?;
        Ok(Self { run: LbRun::new(config.balancer(outages), seed)?, config: config.clone(), seed })
    }

    pub fn live(&self) -> LbLive {
        self.run.live()
    }

    pub fn report(&self) -> ScalingReport {
        ScalingReport {
            run: self.run.report(),
            theory: predicted(&self.config, self.config.policy),
            calls: super::calls::measure(&self.config.calls, self.seed),
        }
    }

    /// Broken invariants of a finished run: every request served or lost, none twice.
    pub fn violations(&self, r: &ScalingReport) -> Vec<String> {
        let mut v = Vec::new();
        if self.run.is_over() && r.run.served + r.run.lost != r.run.requests {
            v.push(format!("{} served + {} lost of {} requests", r.run.served, r.run.lost, r.run.requests));
        }
        v
    }

    /// How much of the run is done, from 0 to 1: requests arrived.
    pub fn done_share(&self) -> f64 {
        let n = self.config.requests.max(1) as f64;
        if self.run.is_over() { 1.0 } else { self.run.arrived() as f64 / n * 0.99 }
    }
}

/// What theory predicts for `policy` on the configuration's servers when they are identical single-core
/// servers (none otherwise): random M/M/1 each, round robin E_N/M/1, the queue-aware policies bounded by
/// the shared queue's M/M/c, the power of d choices' limit.
pub fn predicted(c: &ScalingConfig, policy: Policy) -> Option<theory::Predicted> {
    if !c.load_steps.is_empty() || c.autoscale.is_some() {
        // Theory here is of a steady state: a load that changes, or a fleet, has none.
        return None;
    }
    let first = *c.servers.first()?;
    if c.servers.iter().any(|s| *s != first) || first.cores != 1 {
        return None;
    }
    let n = c.servers.len() as u32;
    let mu = f64::from(c.service_milli_per_s) / 1000.0 * f64::from(first.speed_pct) / 100.0;
    let l = f64::from(c.arrival_milli_per_s) / 1000.0;
    match policy {
        Policy::Random | Policy::PowerOfD { d: 1 } => theory::random(n, l, mu).ok(),
        Policy::RoundRobin | Policy::WeightedRoundRobin => theory::round_robin(n, l, mu).ok(),
        Policy::Jsq | Policy::LeastConnections | Policy::WeightedLeastConnections | Policy::LeastResponseTime => {
            theory::shared_queue(n, l, mu).ok()
        }
        Policy::PowerOfD { d } => Some(theory::Predicted {
            mean_sojourn_s: theory::power_of_d_limit(d, l / (f64::from(n) * mu), mu).ok()?,
            p50_sojourn_s: None,
            p99_sojourn_s: None,
        }),
        Policy::SourceHash | Policy::ConsistentHash => None,
    }
}

/// Runs on the same jobs, one after another (the policies compared, or fleets): computed in slices.
pub struct CompareRun {
    runs: Vec<LbRun>,
    done: Vec<LbReport>,
    steps: u64,
}

impl CompareRun {
    /// Every policy of `config.compare` on the configuration's servers and jobs, from `seed`.
    pub fn new(config: &ScalingConfig, seed: u64) -> Result<Self, String> {
        Self::of(config.compare.iter().map(|&p| LbConfig { policy: p, ..config.balancer(Vec::new()) }), seed)
    }

    /// Each of `configs` from `seed`.
    pub fn of(configs: impl IntoIterator<Item = LbConfig>, seed: u64) -> Result<Self, String> {
        let runs = configs.into_iter().map(|c| LbRun::new(c, seed)).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { runs, done: Vec::new(), steps: 0 })
    }
}

/// The fleets an autoscaled run is weighed against, on the same requests: the autoscaler's, a fleet
/// fixed at the start's size, and one fixed for the peak (the fewest servers that keep the highest rate
/// at the autoscaler's target). Labels and configurations; none without an autoscaler.
pub fn fleets(config: &ScalingConfig) -> Vec<(String, LbConfig)> {
    let Some(a) = config.autoscale else { return Vec::new() };
    let base = config.balancer(Vec::new());
    let first = config.servers.first().copied().unwrap_or_default();
    let per_server = base.server_capacity_per_s(&first);
    let peak = base.load_steps.iter().map(|s| s.arrival_rate_per_s).fold(base.arrival_rate_per_s, f64::max);
    let for_peak = ((peak / (per_server * f64::from(a.target_util_pct) / 100.0)).ceil() as usize)
        .clamp(config.servers.len(), limits::SERVERS_MAX);
    let fixed = |n: usize| LbConfig {
        servers: (0..n).map(|i| config.servers.get(i).copied().unwrap_or(first)).collect(),
        autoscale: None,
        ..base.clone()
    };
    let n0 = config.servers.len();
    vec![
        (format!("autoscaled, {} to {} servers", a.min_servers, a.max_servers), base.clone()),
        (format!("fixed at the start's {n0}"), fixed(n0)),
        (format!("fixed for the peak: {for_peak}"), fixed(for_peak)),
    ]
}

impl crate::sim::SlicedRun for CompareRun {
    /// Each policy's report, in the order compared.
    type Report = Vec<LbReport>;
    fn advance(&mut self, max_steps: u64) -> bool {
        let mut left = max_steps.max(1);
        while left > 0 {
            let Some(run) = self.runs.get_mut(self.done.len()) else { return true };
            let before = run.steps();
            let over = run.advance(left);
            let taken = run.steps() - before;
            self.steps += taken;
            left = left.saturating_sub(taken.max(1));
            if over {
                self.done.push(run.report());
            }
        }
        self.done.len() == self.runs.len()
    }
    fn steps(&self) -> u64 {
        self.steps
    }
    fn report(&self) -> Vec<LbReport> {
        self.done.clone()
    }
}

/// One load of the sizing comparison: the big machine (M/M/C) and the small ones (random: M/M/k each at
/// lambda / N), from theory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SizingRow {
    /// Offered load as a share of the small machines' total capacity.
    pub load: f64,
    pub arrival_per_s: f64,
    pub big: Option<theory::Predicted>,
    pub small: Option<theory::Predicted>,
    /// Dollars per million requests.
    pub big_cost_per_million: f64,
    pub small_cost_per_million: f64,
    /// One small machine down: each of the others M/M/k at lambda / (N - 1), if stable.
    pub small_one_down: Option<theory::Predicted>,
}

/// The loads of the sizing comparison, as shares of the small machines' total capacity.
pub const SIZING_LOADS: [f64; 7] = [0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95];

/// Requests of each simulated point of the sizing comparison.
pub const SIZING_REQUESTS: u64 = 50_000;

/// The big machine against the small ones at loads from 10% to 95% of the small machines' capacity.
pub fn sizing_table(c: &ScalingConfig) -> Vec<SizingRow> {
    let s = c.sizing;
    let mu = f64::from(c.service_milli_per_s) / 1000.0;
    let small_capacity = f64::from(s.small_machines * s.small_cores) * mu;
    SIZING_LOADS
        .into_iter()
        .map(|load| {
            let l = load * small_capacity;
            let per_million = |cents_per_hour: f64| cents_per_hour / 100.0 / (l * 3600.0) * 1e6;
            let n = f64::from(s.small_machines);
            SizingRow {
                load,
                arrival_per_s: l,
                big: theory::shared_queue(s.big_cores, l, mu).ok(),
                small: theory::shared_queue(s.small_cores, l / n, mu).ok(),
                big_cost_per_million: per_million(f64::from(s.big_cents_per_hour)),
                small_cost_per_million: per_million(f64::from(s.small_cents_per_hour) * n),
                small_one_down: (s.small_machines > 1)
                    .then(|| theory::shared_queue(s.small_cores, l / (n - 1.0), mu).ok())
                    .flatten(),
            }
        })
        .collect()
}

/// The sizing comparison simulated: at each load of [`SIZING_LOADS`], the big machine (one server of
/// its cores) and the small ones (random balancing), `SIZING_REQUESTS` requests each; `None` where the
/// load is past a setup's capacity (theory says overloaded; a run would never settle).
pub fn sizing_runs(c: &ScalingConfig) -> Vec<Option<LbConfig>> {
    let s = c.sizing;
    let mu = f64::from(c.service_milli_per_s) / 1000.0;
    let small_capacity = f64::from(s.small_machines * s.small_cores) * mu;
    let setup = |machines: u32, cores: u32, l: f64| {
        let mut config = LbConfig::identical(machines, l, mu, SIZING_REQUESTS, Policy::Random);
        config.servers = vec![ServerSpec { cores, ..ServerSpec::default() }; machines as usize];
        config.validate().is_ok().then_some(config)
    };
    SIZING_LOADS
        .into_iter()
        .flat_map(|load| {
            let l = load * small_capacity;
            [setup(1, s.big_cores, l), setup(s.small_machines, s.small_cores, l)]
        })
        .collect()
}

impl TimedRun for ScalingSim {
    fn step(&mut self) -> Option<SimTime> {
        self.run.step()
    }
    fn run_until(&mut self, t_us: SimTime) {
        self.run.run_until(t_us);
    }
    fn now(&self) -> SimTime {
        self.run.now()
    }
    fn events(&self) -> u64 {
        self.run.steps()
    }
    fn is_finished(&self) -> bool {
        self.run.is_over()
    }
    fn approx_bytes(&self) -> usize {
        self.run.approx_bytes_beyond(None)
    }
    fn approx_bytes_beyond(&self, earlier: &Self) -> usize {
        self.run.approx_bytes_beyond(Some(&earlier.run))
    }
}

/// The bytes a run's digest hashes.
pub fn fingerprint(r: &ScalingReport) -> Vec<u8> {
    let x = &r.run;
    let mut b = Vec::new();
    for v in [x.requests, x.served, x.lost, x.retried, x.sent_to_dead, u64::from(x.max_queue)] {
        b.extend(v.to_le_bytes());
    }
    for v in [x.mean_sojourn_s, x.p50_sojourn_s, x.p99_sojourn_s, x.max_sojourn_s] {
        b.extend(v.to_bits().to_le_bytes());
    }
    for v in &x.per_server {
        b.extend(v.to_le_bytes());
    }
    // Only with an autoscaler (the digests of fixed fleets stay as they were).
    if !x.scale.is_empty() {
        b.extend(x.server_seconds.to_bits().to_le_bytes());
        for s in &x.scale {
            b.extend([s.in_service, s.booting, s.draining, s.desired].map(u32::to_le_bytes).concat());
            b.extend(s.requests_at_servers.to_le_bytes());
        }
    }
    b
}

/// Dollars that `server_seconds` cost at `cents_per_hour` a server.
pub fn cost_dollars(server_seconds: f64, cents_per_hour: u32) -> f64 {
    server_seconds / 3600.0 * f64::from(cents_per_hour) / 100.0
}
