//! Availability over simulated years: every part fails and is repaired (exponential times between
//! failures and to repair, MTBF and MTTR), some failures shared by a group of parts (a region, a power
//! supply), and the structure's time up measured against the algebra.
//!
//! A part is up when it is and every group it belongs to is. **The algebra without groups** is the
//! expression's with each part's availability MTBF / (MTBF + MTTR) (independent alternating renewal
//! processes: the long-run chance the structure is up is its structure function of the parts' chances).
//! **With groups** the parts no longer fail independently: the exact figure conditions on the groups' 2^g
//! states (each group up with its own MTBF / (MTBF + MTTR)), a part of a group down counting as down.
//! The independent formula, which multiplies a part's own availability by its groups' as if each part had
//! its own copy of them, is then wrong, and the report says by how much.
//!
//! The simulation's standard error comes from batch means: the run cut into 20 equal batches of time.

use super::availability::Node;
use crate::sim::kernel::{Scheduler, SimRng, SimTime};
use serde::{Deserialize, Serialize};

/// Limits.
pub mod limits {
    pub const GROUPS_MAX: usize = 12;
    /// Most failure and repair events of one run.
    pub const EVENTS_MAX: f64 = 5_000_000.0;
    pub const YEARS_MAX: f64 = 100_000.0;
}

/// Hours in a year of 365 days.
pub const HOURS_PER_YEAR: f64 = 8_760.0;

const BATCHES: usize = 20;

/// A part's or a group's failures: mean hours between failures and to repair.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Failures {
    pub mtbf_h: f64,
    pub mttr_h: f64,
}

impl Failures {
    pub fn availability(&self) -> f64 {
        self.mtbf_h / (self.mtbf_h + self.mttr_h)
    }

    /// The failures of a part of availability `a` repaired in `mttr_h` on average.
    pub fn of_availability(a: f64, mttr_h: f64) -> Self {
        Self { mtbf_h: mttr_h * a / (1.0 - a), mttr_h }
    }

    fn check(&self, what: &str) -> Result<(), String> {
        if !(self.mtbf_h.is_finite() && self.mtbf_h > 0.0 && self.mttr_h.is_finite() && self.mttr_h > 0.0) {
            return Err(format!("{what}: the hours between failures and to repair must be positive"));
        }
        Ok(())
    }
}

/// A failure shared by parts: its own failures, and the parts (by their numbers in the expression).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    pub failures: Failures,
    pub parts: Vec<usize>,
}

/// What the years measured, beside the algebra.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YearsReport {
    pub years: f64,
    /// The share of time up, and its standard error.
    pub simulated: f64,
    pub simulated_stderr: f64,
    /// Exact, groups included.
    pub analytic: f64,
    /// As if every failure were independent (each part with its groups' availability multiplied in).
    pub independent: f64,
    pub outages: u64,
    /// Mean length of an outage of the whole structure, hours.
    pub mean_outage_h: f64,
    pub downtime_min_per_year: f64,
}

/// The structure's availability with the parts' availabilities `parts` and the groups' `groups`,
/// conditioning on the groups' states.
pub fn exact(node: &Node, parts: &[f64], groups: &[(f64, Vec<usize>)]) -> f64 {
    let g = groups.len();
    let mut total = 0.0;
    for mask in 0u32..(1 << g) {
        let mut p = 1.0;
        let mut a = parts.to_vec();
        for (k, (ga, members)) in groups.iter().enumerate() {
            if mask & (1 << k) != 0 {
                p *= ga;
            } else {
                p *= 1.0 - ga;
                for &m in members {
                    a[m] = 0.0;
                }
            }
        }
        if p > 0.0 {
            total += p * with_leaves(node, &a).analytic();
        }
    }
    total
}

/// The independent formula's figure: each part's availability multiplied by its groups', as if each part
/// had its own copy of them (wrong when parts share a group; `exact` is right).
pub fn independent(node: &Node, parts: &[f64], groups: &[(f64, Vec<usize>)]) -> f64 {
    let mut alone = parts.to_vec();
    for (ga, members) in groups {
        for &m in members {
            alone[m] *= ga;
        }
    }
    with_leaves(node, &alone).analytic()
}

/// The largest leaf number of `node`.
fn max_index(node: &Node) -> usize {
    match node {
        Node::Leaf { index, .. } => *index,
        Node::Series(p) | Node::Parallel(p) | Node::KOfN { parts: p, .. } => p.iter().map(max_index).max().unwrap_or(0),
    }
}

/// `node` with its leaves' availabilities replaced by `a` (by their numbers).
fn with_leaves(node: &Node, a: &[f64]) -> Node {
    match node {
        Node::Leaf { name, index, .. } => Node::Leaf { name: name.clone(), availability: a[*index], index: *index },
        Node::Series(p) => Node::Series(p.iter().map(|c| with_leaves(c, a)).collect()),
        Node::Parallel(p) => Node::Parallel(p.iter().map(|c| with_leaves(c, a)).collect()),
        Node::KOfN { k, parts } => Node::KOfN { k: *k, parts: parts.iter().map(|c| with_leaves(c, a)).collect() },
    }
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    /// A part (index) or a group (parts + index) changes state.
    Flip(usize),
}

/// Simulates `years` of the structure whose parts fail as `parts` says (by their numbers) and whose
/// groups fail as `groups` says.
pub fn simulate(
    node: &Node,
    parts: &[Failures],
    groups: &[Group],
    years: f64,
    seed: u64,
) -> Result<YearsReport, String> {
    let mut run = YearsRun::new(node, parts, groups, years, seed)?;
    crate::sim::SlicedRun::advance(&mut run, u64::MAX);
    Ok(crate::sim::SlicedRun::report(&run))
}

/// Time in ticks of an hour: 1 hour = 1,000,000 ticks keeps a µs-resolution clock exact enough.
const TICK: f64 = 1e6;

/// Simulated years computed a bounded number of failures and repairs at a time (a page computes them in
/// slices).
#[derive(Clone)]
pub struct YearsRun {
    node: Node,
    parts: Vec<Failures>,
    groups: Vec<(f64, Vec<usize>)>,
    years: f64,
    /// Every part's then every group's failures.
    all: Vec<Failures>,
    member_of: Vec<Vec<usize>>,
    rng: SimRng,
    q: Scheduler<Ev>,
    own_up: Vec<bool>,
    up: bool,
    end: SimTime,
    last: SimTime,
    up_time: SimTime,
    down_time: SimTime,
    outages: u64,
    batch_len: SimTime,
    batch_up: Vec<SimTime>,
    steps: u64,
    over: bool,
}

impl YearsRun {
    /// The run at its start, after checking the settings.
    pub fn new(node: &Node, parts: &[Failures], groups: &[Group], years: f64, seed: u64) -> Result<Self, String> {
        // Parts may outnumber the expression's leaves (a spare no path uses fails and is repaired too),
        // but every leaf needs its settings.
        let n = parts.len();
        let leaves = node.leaves().len();
        if leaves > n || max_index(node) >= n {
            return Err(format!("{leaves} parts in the expression, {n} failure settings"));
        }
        if groups.len() > limits::GROUPS_MAX {
            return Err(format!("at most {} shared failures (got {})", limits::GROUPS_MAX, groups.len()));
        }
        for (i, f) in parts.iter().enumerate() {
            f.check(&format!("part {i}"))?;
        }
        for g in groups {
            g.failures.check(&g.name)?;
            if let Some(&m) = g.parts.iter().find(|&&m| m >= n) {
                return Err(format!(
                    "{} lists part {m}, but there are {n} parts (0 to {})",
                    g.name,
                    n.saturating_sub(1)
                ));
            }
        }
        if !(years.is_finite() && years > 0.0 && years <= limits::YEARS_MAX) {
            return Err(format!("between 0 and {} years (got {years})", limits::YEARS_MAX));
        }
        let events = expected_events(parts, groups, years);
        if events > limits::EVENTS_MAX {
            return Err(format!(
                "about {events:.0} failures and repairs over {years} years, more than {:.0}: fewer years",
                limits::EVENTS_MAX
            ));
        }
        let end = (years * HOURS_PER_YEAR * TICK) as SimTime;
        let all: Vec<Failures> = parts.iter().copied().chain(groups.iter().map(|g| g.failures)).collect();
        let mut rng = SimRng::new(seed);
        let mut q = Scheduler::new();
        for (i, f) in all.iter().enumerate() {
            let d = draw(&mut rng, f.mtbf_h);
            q.schedule_at(d, Ev::Flip(i));
        }
        let mut member_of: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (k, g) in groups.iter().enumerate() {
            for &m in &g.parts {
                member_of[m].push(n + k);
            }
        }
        let mut run = Self {
            node: node.clone(),
            parts: parts.to_vec(),
            groups: groups.iter().map(|g| (g.failures.availability(), g.parts.clone())).collect(),
            years,
            own_up: vec![true; all.len()],
            all,
            member_of,
            rng,
            q,
            up: true,
            end,
            last: 0,
            up_time: 0,
            down_time: 0,
            outages: 0,
            batch_len: end / BATCHES as SimTime,
            batch_up: vec![0; BATCHES],
            steps: 0,
            over: false,
        };
        run.up = run.structure_up();
        Ok(run)
    }

    /// Whether the structure is up now: a part is up when it and all its groups are.
    fn structure_up(&self) -> bool {
        let n = self.member_of.len();
        let state: Vec<bool> =
            (0..n).map(|i| self.own_up[i] && self.member_of[i].iter().all(|&g| self.own_up[g])).collect();
        self.node.is_up(&state)
    }

    /// Adds the interval [last, to) spent in the current state.
    fn account(&mut self, to: SimTime) {
        if self.up {
            self.up_time += to - self.last;
            let mut a = self.last;
            while a < to {
                let b = ((a / self.batch_len.max(1)) as usize).min(BATCHES - 1);
                let edge = if b == BATCHES - 1 { to } else { ((b as SimTime + 1) * self.batch_len).min(to) };
                self.batch_up[b] += edge - a;
                a = edge;
            }
        } else {
            self.down_time += to - self.last;
        }
        self.last = to;
    }
}

/// The failures and repairs `years` of the parts and groups take, on average.
pub fn expected_events(parts: &[Failures], groups: &[Group], years: f64) -> f64 {
    let hours = years * HOURS_PER_YEAR;
    parts.iter().chain(groups.iter().map(|g| &g.failures)).map(|f| 2.0 * hours / (f.mtbf_h + f.mttr_h)).sum()
}

/// An exponential time of mean `mean_h` hours, in ticks.
fn draw(rng: &mut SimRng, mean_h: f64) -> SimTime {
    ((-(1.0 - rng.unit_f64()).ln()) * mean_h * TICK).max(1.0) as SimTime
}

impl crate::sim::SlicedRun for YearsRun {
    type Report = YearsReport;

    fn advance(&mut self, max_steps: u64) -> bool {
        let mut taken = 0;
        while !self.over && taken < max_steps {
            let Some((t, Ev::Flip(i))) = self.q.pop() else {
                self.over = true;
                break;
            };
            taken += 1;
            self.steps += 1;
            let t = t.min(self.end);
            self.account(t);
            if t >= self.end {
                self.over = true;
                break;
            }
            self.own_up[i] = !self.own_up[i];
            let mean = if self.own_up[i] { self.all[i].mtbf_h } else { self.all[i].mttr_h };
            let d = draw(&mut self.rng, mean);
            self.q.schedule_at(t + d, Ev::Flip(i));
            let now_up = self.structure_up();
            if self.up && !now_up {
                self.outages += 1;
            }
            self.up = now_up;
        }
        if self.over && self.last < self.end {
            self.account(self.end);
        }
        self.over
    }

    fn steps(&self) -> u64 {
        self.steps
    }

    /// The whole run's figures once over; before, the time simulated so far's.
    fn report(&self) -> YearsReport {
        let end = self.end;
        let done = self.last.max(1);
        let simulated = self.up_time as f64 / done as f64;
        let batch_len = self.batch_len;
        let full = |b: usize| {
            if b == BATCHES - 1 { (end - batch_len * (BATCHES as SimTime - 1)) as f64 } else { batch_len as f64 }
        };
        let means: Vec<f64> = self.batch_up.iter().enumerate().map(|(b, &u)| u as f64 / full(b)).collect();
        let m = means.iter().sum::<f64>() / BATCHES as f64;
        let var = means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (BATCHES - 1) as f64;
        let availability: Vec<f64> = self.parts.iter().map(Failures::availability).collect();
        let analytic = exact(&self.node, &availability, &self.groups);
        let independent = independent(&self.node, &availability, &self.groups);
        let outages = self.outages;
        YearsReport {
            years: self.years,
            simulated,
            simulated_stderr: (var / BATCHES as f64).sqrt(),
            analytic,
            independent,
            outages,
            mean_outage_h: if outages == 0 { 0.0 } else { self.down_time as f64 / TICK / outages as f64 },
            downtime_min_per_year: (1.0 - simulated) * super::availability::MINUTES_PER_YEAR,
        }
    }
}
