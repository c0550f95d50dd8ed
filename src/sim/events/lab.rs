//! The lab as the page and a scenario see it: the notes' requests through the synchronous chain and the
//! event-driven flow side by side on a virtual clock (the timed run, where services are killed, slowed
//! and revived), and beside it the commission anomaly with its fixes, the event store and the saga both
//! ways, each computed from its own part of the configuration.
//!
//! **Actions are fault windows.** Killing, slowing or reviving a service at a moment opens or closes a
//! fault window on it from that moment (a window still open at the end lasts until the limit of a day).
//! Both designs look a service's state up by time, so a run with the actions folded into its windows is
//! exactly the run where they happened live; `faults_with` does the folding.
//!
//! One step is one event of either design, in time order (the chain's first on a tie).

use super::chain::{ChainLive, ChainReport, ChainRun, limits as chain_limits};
use super::common::{Fault, FaultKind, Service, Windows};
use super::flow::{FlowConfig, FlowLive, FlowReport, FlowRun};
use super::{CommissionConfig, SagaConfig, SourcingConfig, commission, compare_styles, sourcing::SourcingRun};
use crate::scenario::ActionTime;
use crate::sim::kernel::SimTime;
use crate::sim::timeline::TimedRun;
use serde::{Deserialize, Serialize};

const MS: SimTime = 1_000;

/// Everything the lab runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsLabConfig {
    /// The services, the requests, their faults and the broker: the chain and the flow on the same
    /// requests (the timed run).
    pub requests: FlowConfig,
    /// The commission anomaly and its fixes.
    #[serde(default, skip_serializing_if = "is_default")]
    pub commission: CommissionConfig,
    /// The event store and its projections.
    #[serde(default, skip_serializing_if = "is_default")]
    pub sourcing: SourcingConfig,
    /// The saga, orchestrated and choreographed.
    #[serde(default, skip_serializing_if = "is_default")]
    pub saga: SagaConfig,
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

impl Default for EventsLabConfig {
    /// Everything up: the notes' chain healthy, so the page's user kills S4 themselves; the broker of
    /// [`super::flow::event_driven_s4_down`]; the notes' commission anomaly, event store and saga.
    fn default() -> Self {
        Self {
            requests: FlowConfig { chain: super::chain::chain_healthy(), ..FlowConfig::default() },
            commission: CommissionConfig::default(),
            sourcing: SourcingConfig::default(),
            saga: SagaConfig::default(),
        }
    }
}

impl EventsLabConfig {
    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        self.requests.validate()?;
        self.commission.validate()?;
        self.sourcing.validate()?;
        self.saga.validate()?;
        check_work(work_bound(self, &[])?)
    }
}

/// A change made to a service at a moment of the timed run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case", deny_unknown_fields)]
pub enum EventsAction {
    /// Down from now: no answer (calls time out, deliveries fail).
    Kill { service: Service },
    /// Slower from now: its latency times `factor_pct` / 100.
    Slow { service: Service, factor_pct: u32 },
    /// Back to normal from now.
    Revive { service: Service },
}

impl EventsAction {
    /// The service it changes.
    pub fn service(self) -> Service {
        match self {
            EventsAction::Kill { service } | EventsAction::Slow { service, .. } | EventsAction::Revive { service } => {
                service
            }
        }
    }

    /// One line for history lists.
    pub fn describe(&self) -> String {
        match *self {
            EventsAction::Kill { service } => format!("kill {}", service.name()),
            EventsAction::Slow { service, factor_pct } => {
                format!("slow {} to {}× its latency", service.name(), f64::from(factor_pct) / 100.0)
            }
            EventsAction::Revive { service } => format!("revive {}", service.name()),
        }
    }
}

/// The configuration's fault windows with the actions folded in: each action closes the window open on
/// its service at its moment and a kill or a slowdown opens a new one; a window still open at the end
/// closes at the limit of a day. Refuses actions past that limit, slowdowns outside their limits and
/// more windows than the limit, with a sentence.
pub fn faults_with(config: &[Fault], actions: &[(ActionTime, EventsAction)]) -> Result<Vec<Fault>, String> {
    let end = chain_limits::TIME_MS_MAX;
    let mut faults = config.to_vec();
    let mut open: [Option<(u32, FaultKind)>; 5] = [None; 5];
    let close = |faults: &mut Vec<Fault>, s: Service, slot: &mut Option<(u32, FaultKind)>, at: u32| {
        if let Some((from_ms, kind)) = slot.take()
            && at > from_ms
        {
            faults.push(Fault { service: s, kind, from_ms, to_ms: at });
        }
    };
    for &(t, a) in actions {
        if t >= u64::from(end) {
            return Err(format!("an action at {} s is past the day a run can last: record it earlier", t / 1000));
        }
        let (t, s) = (t as u32, a.service());
        close(&mut faults, s, &mut open[s.index()], t);
        open[s.index()] = match a {
            EventsAction::Kill { .. } => Some((t, FaultKind::Down)),
            EventsAction::Slow { factor_pct, .. } => {
                crate::sim::check_range(
                    &format!("{}'s slowdown (percent)", s.name()),
                    u64::from(factor_pct),
                    1,
                    u64::from(chain_limits::SLOW_PCT_MAX),
                )?;
                Some((t, FaultKind::Slow { factor_pct }))
            }
            EventsAction::Revive { .. } => None,
        };
    }
    for s in Service::ALL {
        close(&mut faults, s, &mut open[s.index()], end);
    }
    if faults.len() > chain_limits::FAULTS_MAX {
        return Err(format!(
            "{} fault windows, more than {}: kill and revive services fewer times",
            faults.len(),
            chain_limits::FAULTS_MAX
        ));
    }
    Ok(faults)
}

/// The most events a run of `config` with `actions` can take: the chain's attempts (each request at
/// most once plus its retries) and the flow's bound ([`FlowConfig::events_bound`]) with the actions'
/// fault windows.
pub fn work_bound(config: &EventsLabConfig, actions: &[(ActionTime, EventsAction)]) -> Result<u64, String> {
    let mut requests = config.requests.clone();
    requests.chain.faults = faults_with(&config.requests.chain.faults, actions)?;
    let c = &requests.chain;
    Ok(u64::from(c.requests) * (u64::from(c.retries) + 1) + requests.events_bound())
}

/// Refuses a run that could take more events than the work budget of one run.
fn check_work(bound: u64) -> Result<(), String> {
    if bound > crate::sim::WORK_EVENTS_MAX {
        return Err(format!(
            "the requests could take {bound} events, more than {}: fewer requests, fewer retries, \
             dead-lettering, a longer redelivery wait, or shorter outages",
            crate::sim::WORK_EVENTS_MAX
        ));
    }
    Ok(())
}

/// A service as the page draws it at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceState {
    Up,
    Down,
    /// Its latency times the percentage / 100.
    Slow(u32),
}

/// The timed run at a moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventsSnapshot {
    pub at_us: u64,
    /// S0..S4.
    pub services: [ServiceState; 5],
    pub chain: ChainLive,
    pub flow: FlowLive,
    pub requests: u32,
}

/// The timed run summed up: both designs on the same requests, and the figures the command line names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventsLabReport {
    pub chain: ChainReport,
    pub flow: FlowReport,
    /// The chain's writes of a request beyond its first (retries without idempotency keys).
    pub duplicate_writes: u32,
    /// The chain's client latency, 99th percentile, ms.
    pub client_p99_ms: f64,
    /// The flow's client latency, 99th percentile, ms (S1's alone).
    pub flow_client_p99_ms: f64,
}

/// The timed run: the chain and the flow stepped together in time order.
#[derive(Clone)]
pub struct EventsLabSim {
    chain: ChainRun,
    flow: FlowRun,
    windows: Windows,
    config: EventsLabConfig,
    seed: u64,
    now: SimTime,
    steps: u64,
}

impl EventsLabSim {
    /// The run of `config` from `seed` with `actions` folded into its faults (checked; no step taken).
    pub fn new(seed: u64, config: &EventsLabConfig, actions: &[(ActionTime, EventsAction)]) -> Result<Self, String> {
        config.validate()?;
        let mut requests = config.requests.clone();
        requests.chain.faults = faults_with(&config.requests.chain.faults, actions)?;
        check_work(work_bound(config, actions)?)?;
        let windows = Windows::new(&requests.chain.faults);
        Ok(Self {
            chain: ChainRun::new(requests.chain.clone(), seed)?,
            flow: FlowRun::new(requests, seed)?,
            windows,
            config: config.clone(),
            seed,
            now: 0,
            steps: 0,
        })
    }

    /// Processes the next event of either design; returns its time, µs.
    pub fn step(&mut self) -> Option<SimTime> {
        let (c, f) = (self.chain.next_time(), self.flow.next_time());
        let t = match (c, f) {
            (Some(c), Some(f)) if c <= f => {
                self.chain.advance(1);
                c
            }
            (Some(c), None) => {
                self.chain.advance(1);
                c
            }
            (_, Some(f)) => {
                self.flow.advance(1);
                f
            }
            (None, None) => return None,
        };
        self.now = t;
        self.steps += 1;
        Some(t)
    }

    /// Processes every event at or before `t_us`.
    pub fn run_until(&mut self, t_us: SimTime) {
        while [self.chain.next_time(), self.flow.next_time()].into_iter().flatten().min().is_some_and(|n| n <= t_us) {
            self.step();
        }
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn steps(&self) -> u64 {
        self.steps
    }

    pub fn is_finished(&self) -> bool {
        self.chain.is_over() && self.flow.is_over()
    }

    /// The state at `at_us`, at or after the last event processed (the animation's clock).
    pub fn snapshot_at(&self, at_us: SimTime) -> EventsSnapshot {
        let services = Service::ALL.map(|s| {
            if self.windows.down(s, at_us) {
                ServiceState::Down
            } else {
                match self.windows.slow_pct(s, at_us) {
                    100 => ServiceState::Up,
                    p => ServiceState::Slow(p),
                }
            }
        });
        EventsSnapshot {
            at_us,
            services,
            chain: self.chain.live(at_us),
            flow: self.flow.live(),
            requests: self.config.requests.chain.requests,
        }
    }

    /// Both designs so far (all of the run once finished).
    pub fn report(&self) -> EventsLabReport {
        let (chain, flow) = (self.chain.report(), self.flow.report());
        EventsLabReport {
            duplicate_writes: chain.duplicate_writes_total,
            client_p99_ms: chain.latency.p99_ms,
            flow_client_p99_ms: flow.latency.p99_ms,
            chain,
            flow,
        }
    }

    /// Broken invariants of a finished run: every request answered once by each design, no work left
    /// pending in the broker, and no duplicate write under idempotency keys.
    pub fn violations(&self, r: &EventsLabReport) -> Vec<String> {
        let mut v = Vec::new();
        if !self.is_finished() {
            return v;
        }
        let n = r.chain.requests;
        if r.chain.succeeded + r.chain.client_failures != n {
            v.push(format!("the chain answered {} + {} requests of {n}", r.chain.succeeded, r.chain.client_failures));
        }
        if r.flow.latency.count != u64::from(n) {
            v.push(format!("the flow answered {} requests of {n}", r.flow.latency.count));
        }
        if r.flow.pending != 0 {
            v.push(format!("{} events still pending in the broker at the end", r.flow.pending));
        }
        if self.config.requests.chain.idempotency_keys && r.duplicate_writes > 0 {
            v.push(format!("{} duplicate writes despite idempotency keys", r.duplicate_writes));
        }
        v
    }

    /// The other parts' figures for the command line: the commission part's `final_balance`,
    /// `commission_taken`, `lost_events` (and its duplicate writes as `commission_duplicate_writes`), the
    /// event store's balances, the saga's final balance both ways. A part that cannot run says why.
    pub fn extra(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        match commission::run(self.config.commission.clone(), self.seed) {
            Ok((r, _)) => {
                out.insert("final_balance".into(), r.final_balance.into());
                out.insert("commission_taken".into(), r.commission_taken.into());
                out.insert("lost_events".into(), r.lost_events.into());
                out.insert("commission_duplicate_writes".into(), r.duplicate_writes.into());
                out.insert("money_conserved".into(), r.money_conserved.into());
            }
            Err(e) => {
                out.insert("commission_error".into(), e.into());
            }
        }
        match SourcingRun::run(self.config.sourcing.clone(), self.seed) {
            Ok(r) => {
                out.insert("projection_balance_buggy".into(), r.buggy_balance.into());
                out.insert("projection_balance_rebuilt".into(), r.rebuilt_balance.into());
            }
            Err(e) => {
                out.insert("sourcing_error".into(), e.into());
            }
        }
        match compare_styles(&self.config.saga, self.seed) {
            Ok((o, c)) => {
                out.insert("saga_final_balance_orchestrated".into(), o.final_balance.into());
                out.insert("saga_final_balance_choreographed".into(), c.final_balance.into());
            }
            Err(e) => {
                out.insert("saga_error".into(), e.into());
            }
        }
        out.into()
    }

    /// The bytes the run's digest hashes: the chain's and the flow's counts and latencies, then the other
    /// parts' figures of [`Self::extra`].
    pub fn fingerprint(&self, r: &EventsLabReport) -> Vec<u8> {
        let mut b = Vec::new();
        let c = &r.chain;
        for x in [c.requests, c.succeeded, c.client_failures, c.attempts, c.duplicate_writes_total, c.timeouts] {
            b.extend(x.to_le_bytes());
        }
        let f = &r.flow;
        for x in [f.deliveries, f.failed_deliveries, f.dead_lettered, f.pending_max, f.client_failures] {
            b.extend(x.to_le_bytes());
        }
        for x in [c.latency.mean_ms, c.latency.p99_ms, c.end_ms, f.latency.mean_ms, f.latency.p99_ms, f.end_ms] {
            b.extend(x.to_bits().to_le_bytes());
        }
        b.extend(f.consistent_at_ms.unwrap_or(-1.0).to_bits().to_le_bytes());
        let extra = self.extra();
        for key in [
            "final_balance",
            "commission_taken",
            "lost_events",
            "commission_duplicate_writes",
            "projection_balance_buggy",
            "projection_balance_rebuilt",
            "saga_final_balance_orchestrated",
            "saga_final_balance_choreographed",
        ] {
            b.extend(extra.get(key).and_then(serde_json::Value::as_i64).unwrap_or(-1).to_le_bytes());
        }
        b
    }

    /// How much of the run is done, from 0 to 1: requests sent by the chain.
    pub fn done_share(&self) -> f64 {
        let n = f64::from(self.config.requests.chain.requests.max(1));
        if self.is_finished() { 1.0 } else { f64::from(self.chain.sent()) / n * 0.99 }
    }
}

impl TimedRun for EventsLabSim {
    fn step(&mut self) -> Option<SimTime> {
        Self::step(self)
    }
    fn run_until(&mut self, t_us: SimTime) {
        Self::run_until(self, t_us);
    }
    fn now(&self) -> SimTime {
        self.now
    }
    fn events(&self) -> u64 {
        self.steps
    }
    fn is_finished(&self) -> bool {
        Self::is_finished(self)
    }
    fn approx_bytes(&self) -> usize {
        // Per request: the chain's writes (five counters), first attempt time and outcome, the flow's
        // answer, outstanding effects and dead-letter mark; pending events a few dozen bytes each.
        let n = self.config.requests.chain.requests as usize;
        n * (5 * 4 + 8 + 1 + 16 + 1 + 1) + 4096 * 16
    }
}

/// The time of a moment in ms, for the page.
pub fn ms_of(us: SimTime) -> f64 {
    us as f64 / MS as f64
}
