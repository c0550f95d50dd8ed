//! The resilience lab's run: the notes' architecture built one step at a time, parts and regions killed
//! and revived, each change applied in turn (an instantaneous lab, as hashing is); then years of
//! failures and repairs simulated on the architecture reached, a bounded number of them a step, beside
//! the algebra.

use super::architecture::Design;
use super::availability::{MINUTES_PER_YEAR, Node};
use super::bulkhead::BulkheadConfig;
use super::circuit::BreakerConfig;
use super::storm::StormConfig;
use super::takeover::Impact;
use super::topology::{Part, Step, Topology, downtime_min_per_year, nines, region_name};
use super::years::{YearsReport, YearsRun, expected_events};
use crate::scenario::{ActionTime, Stepped};
use crate::sim::SlicedRun;
use serde::{Deserialize, Serialize};

/// Limits.
pub mod limits {
    /// Most failures and repairs the simulated years take: the years asked for are cut to fit.
    pub const YEARS_EVENTS_MAX: f64 = 2_000_000.0;
    pub const YEARS_MAX: u32 = 100_000;
    /// Most recorded changes.
    pub const ACTIONS_MAX: usize = 500;
    /// Longest name a kill may give.
    pub const NAME_CHARS_MAX: usize = 32;
    /// Most attempts the retry storm's card may make (its page computes it in one go).
    pub const STORM_ATTEMPTS_MAX: u64 = 500_000;
    /// Most calls the circuit breaker's card may make (its page computes them in one go).
    pub const BREAKER_CALLS_MAX: u64 = 500_000;
}

/// An upper bound on a run's work: the simulated years' failures and repairs on the architecture the
/// changes reach (three times their mean, for the draws' spread), and the retry storm's attempts.
pub fn work_bound(config: &ResilienceConfig, actions: &[(ActionTime, ResilienceAction)]) -> Result<u64, String> {
    let built = checked_end(config, actions)?;
    let (parts, groups) = built.topology.failures();
    let years = years_that_fit(&built.topology, config.years);
    let calls = u64::from(config.breaker.calls_per_s) * u64::from(config.breaker.duration_s);
    let b = &config.bulkhead;
    let requests = u64::from(b.a_per_s + b.b_per_s) * u64::from(b.duration_s);
    Ok((3.0 * expected_events(&parts, &groups, years)) as u64 + storm_attempts(&config.storm) + calls + 2 * requests)
}

/// The architecture every change leaves, after checking the settings and that each change applies in
/// turn (the message names the change that does not).
fn checked_end(config: &ResilienceConfig, actions: &[(ActionTime, ResilienceAction)]) -> Result<Built, String> {
    config.validate()?;
    if actions.len() > limits::ACTIONS_MAX {
        return Err(format!("at most {} changes (got {})", limits::ACTIONS_MAX, actions.len()));
    }
    let mut built = Built { topology: config.topology, killed: Vec::new() };
    for (i, (_, a)) in actions.iter().enumerate() {
        built.apply(a).map_err(|e| format!("change {} ({}): {e}", i + 1, a.describe()))?;
    }
    Ok(built)
}

/// The most attempts a retry storm can make: every request sent 1 + retries times.
pub fn storm_attempts(c: &StormConfig) -> u64 {
    u64::from(c.arrival_per_s) * c.duration_ms / 1000 * u64::from(c.retries + 1)
}

/// Failures and repairs simulated in one step of the run.
const YEARS_EVENTS_PER_STEP: u64 = 2_048;

/// The lab's settings: the architecture it starts from, the years simulated, and the other cards'.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResilienceConfig {
    pub topology: Topology,
    /// Years of failures and repairs simulated (fewer when the architecture's parts would fail more often
    /// than the run's limit allows).
    pub years: u32,
    #[serde(default)]
    pub breaker: BreakerCard,
    #[serde(default)]
    pub storm: StormConfig,
    #[serde(default)]
    pub services: ServicesCard,
    #[serde(default)]
    pub bulkhead: BulkheadConfig,
}

impl Default for ResilienceConfig {
    fn default() -> Self {
        Self {
            topology: Topology::default(),
            years: 2_000,
            breaker: BreakerCard::default(),
            storm: StormConfig::default(),
            services: ServicesCard::default(),
            bulkhead: BulkheadConfig::default(),
        }
    }
}

/// The circuit breaker's card: calls at a steady rate to a service that fails for a while.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerCard {
    pub breaker: BreakerConfig,
    pub calls_per_s: u32,
    /// The service fails every call from `outage_from_s` to `outage_to_s`.
    pub outage_from_s: u32,
    pub outage_to_s: u32,
    pub duration_s: u32,
}

impl Default for BreakerCard {
    /// resilience4j's defaults; 20 calls a second; the service down from 30 s to 150 s of 5 minutes.
    fn default() -> Self {
        Self {
            breaker: BreakerConfig::default(),
            calls_per_s: 20,
            outage_from_s: 30,
            outage_to_s: 150,
            duration_s: 300,
        }
    }
}

/// The monolith-against-microservices card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicesCard {
    /// A service's (with its database) availability, per hundred thousand.
    pub service_pcm: u32,
    /// The monolith's process with its database, per hundred thousand.
    pub monolith_pcm: u32,
    /// A network round trip between services, µs.
    pub rtt_us: u32,
    /// A function call inside one process, ns.
    pub call_ns: u32,
    /// How many times over the hottest request's traffic grows.
    pub scale: u32,
    /// How the services are deployed.
    pub deployed: Design,
    /// The service crashed (its number in `architecture::SERVICES`), if any.
    pub crashed: Option<u32>,
}

impl Default for ServicesCard {
    fn default() -> Self {
        Self {
            service_pcm: 99_900,
            monolith_pcm: 99_900,
            rtt_us: 500,
            call_ns: 50,
            scale: 10,
            deployed: Design::Microservices,
            crashed: None,
        }
    }
}

impl ServicesCard {
    pub fn validate(&self) -> Result<(), String> {
        use crate::sim::check_range;
        check_range("a service's availability (per 100,000)", u64::from(self.service_pcm), 1, 100_000)?;
        check_range("the monolith's availability (per 100,000)", u64::from(self.monolith_pcm), 1, 100_000)?;
        check_range("the round trip between services (µs)", u64::from(self.rtt_us), 0, 10_000_000)?;
        check_range("a function call (ns)", u64::from(self.call_ns), 0, 1_000_000)?;
        check_range("how many times over the hot traffic grows", u64::from(self.scale), 1, 1_000)?;
        if let Some(c) = self.crashed {
            check_range(
                "the crashed service's number",
                u64::from(c),
                0,
                super::architecture::SERVICES.len() as u64 - 1,
            )?;
        }
        Ok(())
    }
}

impl BreakerCard {
    pub fn validate(&self) -> Result<(), String> {
        use crate::sim::check_range;
        self.breaker.validate()?;
        check_range("the calls a second", u64::from(self.calls_per_s), 1, 1_000)?;
        check_range("the run (s)", u64::from(self.duration_s), 1, 3_600)?;
        let calls = u64::from(self.calls_per_s) * u64::from(self.duration_s);
        if calls > limits::BREAKER_CALLS_MAX {
            return Err(format!(
                "{calls} calls, more than {}: fewer calls a second or a shorter run",
                limits::BREAKER_CALLS_MAX
            ));
        }
        check_range("the outage's start (s)", u64::from(self.outage_from_s), 0, u64::from(self.duration_s))?;
        check_range(
            "the outage's end (s)",
            u64::from(self.outage_to_s),
            u64::from(self.outage_from_s),
            u64::from(self.duration_s),
        )
    }
}

impl ResilienceConfig {
    pub fn validate(&self) -> Result<(), String> {
        self.topology.validate()?;
        crate::sim::check_range("the simulated years", u64::from(self.years), 1, u64::from(limits::YEARS_MAX))?;
        self.breaker.validate().map_err(|e| format!("circuit breaker: {e}"))?;
        self.storm.validate().map_err(|e| format!("retry storm: {e}"))?;
        let attempts = storm_attempts(&self.storm);
        if attempts > limits::STORM_ATTEMPTS_MAX {
            return Err(format!(
                "retry storm: up to {attempts} attempts, more than {}: a shorter run, fewer requests or fewer retries",
                limits::STORM_ATTEMPTS_MAX
            ));
        }
        self.services.validate().map_err(|e| format!("monolith and microservices: {e}"))?;
        self.bulkhead.validate().map_err(|e| format!("bulkhead: {e}"))
    }
}

/// A change to the architecture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ResilienceAction {
    /// One of the notes' steps.
    Add {
        step: Step,
    },
    /// A part (`node-a2`) or a region (`region-b`) goes down.
    Kill {
        part: String,
    },
    Revive {
        part: String,
    },
}

impl ResilienceAction {
    pub fn describe(&self) -> String {
        match self {
            Self::Add { step } => step.label().to_string(),
            Self::Kill { part } => format!("Kill {}", shown(part)),
            Self::Revive { part } => format!("Revive {}", shown(part)),
        }
    }
}

/// A name as messages show it: cut at the longest a part's name can be.
fn shown(name: &str) -> String {
    if name.chars().count() > limits::NAME_CHARS_MAX {
        format!("{}…", name.chars().take(limits::NAME_CHARS_MAX).collect::<String>())
    } else {
        name.to_string()
    }
}

/// The architecture and what is down, as changes leave them.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    pub topology: Topology,
    pub killed: Vec<String>,
}

impl Built {
    /// Applies one change, or says why it does not apply.
    pub fn apply(&mut self, action: &ResilienceAction) -> Result<(), String> {
        match action {
            ResilienceAction::Add { step } => {
                self.topology = self.topology.with_step(*step)?;
            }
            ResilienceAction::Kill { part } => {
                if part.chars().count() > limits::NAME_CHARS_MAX || !self.topology.names().contains(part) {
                    return Err(format!("there is no part named \"{}\" to kill", shown(part)));
                }
                if self.killed.contains(part) {
                    return Err(format!("{part} is down already"));
                }
                self.killed.push(part.clone());
            }
            ResilienceAction::Revive { part } => {
                let Some(i) = self.killed.iter().position(|k| k == part) else {
                    return Err(format!("\"{}\" is not down", shown(part)));
                };
                self.killed.remove(i);
            }
        }
        Ok(())
    }
}

/// The run: the changes applied one a step, then the simulated years.
#[derive(Clone)]
pub struct ResilienceSim {
    pub built: Built,
    actions: Vec<(ActionTime, ResilienceAction)>,
    next: usize,
    seed: u64,
    config: ResilienceConfig,
    years_asked: u32,
    years: Option<YearsRun>,
    years_over: bool,
    steps: u64,
}

/// Years that fit the event limit on `topology`, at most `asked`.
pub fn years_that_fit(topology: &Topology, asked: u32) -> f64 {
    let (parts, groups) = topology.failures();
    let per_year = expected_events(&parts, &groups, 1.0);
    f64::from(asked).min((limits::YEARS_EVENTS_MAX / per_year).floor()).max(1.0)
}

impl ResilienceSim {
    pub fn new(
        seed: u64,
        config: &ResilienceConfig,
        actions: &[(ActionTime, ResilienceAction)],
    ) -> Result<Self, String> {
        checked_end(config, actions)?;
        Ok(Self {
            built: Built { topology: config.topology, killed: Vec::new() },
            actions: actions.to_vec(),
            next: 0,
            seed,
            config: config.clone(),
            years_asked: config.years,
            years: None,
            years_over: false,
            steps: 0,
        })
    }

    pub fn config(&self) -> &ResilienceConfig {
        &self.config
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The virtual time of the next change, µs (none once every change is applied: the years follow).
    pub fn next_at_us(&self) -> Option<u64> {
        self.actions.get(self.next).map(|(t, _)| t.saturating_mul(1000))
    }

    pub fn report(&self) -> ResilienceReport {
        let t = &self.built.topology;
        let killed = &self.built.killed;
        let parts = t.parts(killed);
        let availability = t.availability();
        let takeover = t.takeover_min_per_year();
        let years = self.years.as_ref().filter(|_| self.years_over).map(SlicedRun::report);
        let structure = t.structure();
        ResilienceReport {
            topology: *t,
            spofs: parts.iter().filter(|p| p.spof).map(|p| p.name.clone()).collect(),
            regions: (0..t.regions)
                .map(|r| RegionState {
                    name: region_name(r),
                    killed: killed.contains(&region_name(r)),
                    spof: t.region_is_spof(r),
                    used: t.dns || r == 0,
                })
                .collect(),
            parts,
            killed: killed.clone(),
            serving: t.serving(killed),
            impacts: killed.iter().map(|k| t.impact_among(k, killed)).collect(),
            next_step: t.next_step(),
            expression: expression(&structure),
            availability,
            independent: t.independent(),
            nines: nines(availability),
            downtime_min_per_year: downtime_min_per_year(availability),
            takeover_min_per_year: takeover,
            with_takeovers: availability - takeover / MINUTES_PER_YEAR,
            years,
            changes: self.next,
        }
    }
}

/// The run takes one recorded change a step, then a bounded number of simulated failures and repairs.
impl Stepped for ResilienceSim {
    /// Takes one step: a change, or a bounded number of simulated failures and repairs.
    fn step(&mut self) -> Option<u64> {
        let now = self.now();
        if let Some((_, a)) = self.actions.get(self.next) {
            self.built.apply(a).expect("checked when the run started");
            self.next += 1;
            self.steps += 1;
            return Some(self.now());
        }
        if self.years_over {
            return None;
        }
        let years = match &mut self.years {
            Some(y) => y,
            None => {
                let t = &self.built.topology;
                let (parts, groups) = t.failures();
                let run =
                    YearsRun::new(&t.structure(), &parts, &groups, years_that_fit(t, self.years_asked), self.seed)
                        .expect("the topology's settings were checked");
                self.years.insert(run)
            }
        };
        self.years_over = years.advance(YEARS_EVENTS_PER_STEP);
        self.steps += 1;
        Some(now)
    }

    fn now(&self) -> u64 {
        self.next.checked_sub(1).map_or(0, |i| self.actions[i].0.saturating_mul(1000))
    }

    fn steps(&self) -> u64 {
        self.steps
    }

    fn is_finished(&self) -> bool {
        self.next == self.actions.len() && self.years_over
    }

    /// Applies the changes recorded at or before `t_us` (the years follow the last change).
    fn run_until(&mut self, t_us: u64) {
        while self.next_at_us().is_some_and(|t| t <= t_us) {
            self.step();
        }
    }
}

/// The structure in the availability calculator's grammar (`>` series, `|` parallel, `k/n(…)`).
pub fn expression(node: &Node) -> String {
    fn go(node: &Node, top: bool) -> String {
        match node {
            Node::Leaf { name, availability, .. } => format!("{name}:{availability:.6}"),
            Node::Series(p) => {
                let s = p.iter().map(|c| go(c, false)).collect::<Vec<_>>().join(" > ");
                if top { s } else { format!("({s})") }
            }
            Node::Parallel(p) => format!("({})", p.iter().map(|c| go(c, false)).collect::<Vec<_>>().join(" | ")),
            Node::KOfN { k, parts } => {
                format!("{k}/{}({})", parts.len(), parts.iter().map(|c| go(c, true)).collect::<Vec<_>>().join(", "))
            }
        }
    }
    go(node, true)
}

/// A region's state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionState {
    pub name: String,
    pub killed: bool,
    pub spof: bool,
    /// False for a region DNS does not send anyone to.
    pub used: bool,
}

/// What the page shows and the command line prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResilienceReport {
    pub topology: Topology,
    pub parts: Vec<Part>,
    pub regions: Vec<RegionState>,
    pub spofs: Vec<String>,
    pub killed: Vec<String>,
    /// Whether requests are served with what is killed down, once every take-over is done.
    pub serving: bool,
    /// What each killed part or region did.
    pub impacts: Vec<Impact>,
    pub next_step: Option<Step>,
    /// The structure in the calculator's grammar.
    pub expression: String,
    /// Availability with every take-over instant, exact (regions fail as groups).
    pub availability: f64,
    /// The same by the formula that ignores shared failures.
    pub independent: f64,
    pub nines: f64,
    pub downtime_min_per_year: f64,
    /// Minutes a year lost while something takes over (first order).
    pub takeover_min_per_year: f64,
    /// The availability once take-overs are counted.
    pub with_takeovers: f64,
    /// The simulated years, once over.
    pub years: Option<YearsReport>,
    /// Changes applied.
    pub changes: usize,
}

impl ResilienceReport {
    /// True when the simulation agrees with the algebra within 4 standard errors (or, when the years saw
    /// no outage at all, when the algebra expects fewer than 4 hours down over all of them).
    pub fn agrees(&self) -> Option<bool> {
        let y = self.years.as_ref()?;
        Some(if y.simulated_stderr > 0.0 {
            (y.simulated - y.analytic).abs() <= 4.0 * y.simulated_stderr
        } else {
            (1.0 - y.analytic) * y.years * MINUTES_PER_YEAR < 4.0 * 60.0 || y.simulated == y.analytic
        })
    }
}

/// The bytes a run's digest hashes.
pub fn fingerprint(r: &ResilienceReport) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend(r.expression.as_bytes());
    for k in &r.killed {
        b.extend(k.as_bytes());
        b.push(0);
    }
    b.push(u8::from(r.serving));
    b.extend(r.availability.to_bits().to_le_bytes());
    if let Some(y) = &r.years {
        for v in [y.years, y.simulated, y.simulated_stderr, y.mean_outage_h] {
            b.extend(v.to_bits().to_le_bytes());
        }
        b.extend(y.outages.to_le_bytes());
    }
    b
}
