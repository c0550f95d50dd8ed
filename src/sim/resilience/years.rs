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
    let n = node.leaves().len();
    if parts.len() != n {
        return Err(format!("{} parts in the expression, {} failure settings", n, parts.len()));
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
            return Err(format!("{} lists part {m}, but there are {n} parts (0 to {})", g.name, n.saturating_sub(1)));
        }
    }
    if !(years.is_finite() && years > 0.0 && years <= limits::YEARS_MAX) {
        return Err(format!("between 0 and {} years (got {years})", limits::YEARS_MAX));
    }
    let hours = years * HOURS_PER_YEAR;
    let events: f64 =
        parts.iter().chain(groups.iter().map(|g| &g.failures)).map(|f| 2.0 * hours / (f.mtbf_h + f.mttr_h)).sum();
    if events > limits::EVENTS_MAX {
        return Err(format!(
            "about {events:.0} failures and repairs over {years} years, more than {:.0}: fewer years",
            limits::EVENTS_MAX
        ));
    }
    // Time in µs of an hour scaled down: 1 hour = 1,000,000 ticks keeps a µs-resolution clock exact enough.
    let tick = 1e6;
    let end = (hours * tick) as SimTime;
    let all: Vec<Failures> = parts.iter().copied().chain(groups.iter().map(|g| g.failures)).collect();
    let mut rng = SimRng::new(seed);
    let mut q = Scheduler::new();
    let mut own_up = vec![true; all.len()];
    let draw = |rng: &mut SimRng, mean_h: f64| {
        // Exponential of mean `mean_h` hours, in ticks.
        ((-(1.0 - rng.unit_f64()).ln()) * mean_h * tick).max(1.0) as SimTime
    };
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
    let state =
        |own: &[bool]| -> Vec<bool> { (0..n).map(|i| own[i] && member_of[i].iter().all(|&g| own[g])).collect() };
    let mut up = node.is_up(&state(&own_up));
    let (mut last, mut up_time, mut outages, mut down_time) = (0 as SimTime, 0 as SimTime, 0u64, 0 as SimTime);
    let batch_len = end / BATCHES as SimTime;
    let mut batch_up = vec![0 as SimTime; BATCHES];
    // Adds the interval [last, t) spent in the current state.
    let account = |from: SimTime, to: SimTime, up: bool, batch_up: &mut Vec<SimTime>| {
        if !up {
            return;
        }
        let mut a = from;
        while a < to {
            let b = ((a / batch_len.max(1)) as usize).min(BATCHES - 1);
            let edge = if b == BATCHES - 1 { to } else { ((b as SimTime + 1) * batch_len).min(to) };
            batch_up[b] += edge - a;
            a = edge;
        }
    };
    while let Some((t, Ev::Flip(i))) = q.pop() {
        let t = t.min(end);
        account(last, t, up, &mut batch_up);
        if up {
            up_time += t - last;
        } else {
            down_time += t - last;
        }
        last = t;
        if t >= end {
            break;
        }
        own_up[i] = !own_up[i];
        let mean = if own_up[i] { all[i].mtbf_h } else { all[i].mttr_h };
        let d = draw(&mut rng, mean);
        q.schedule_at(t + d, Ev::Flip(i));
        let now_up = node.is_up(&state(&own_up));
        if up && !now_up {
            outages += 1;
        }
        up = now_up;
    }
    if last < end {
        account(last, end, up, &mut batch_up);
        if up {
            up_time += end - last;
        } else {
            down_time += end - last;
        }
    }
    let simulated = up_time as f64 / end as f64;
    let means: Vec<f64> = batch_up
        .iter()
        .enumerate()
        .map(|(b, &u)| {
            u as f64
                / if b == BATCHES - 1 { (end - batch_len * (BATCHES as SimTime - 1)) as f64 } else { batch_len as f64 }
        })
        .collect();
    let m = means.iter().sum::<f64>() / BATCHES as f64;
    let var = means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (BATCHES - 1) as f64;
    let availability: Vec<f64> = parts.iter().map(Failures::availability).collect();
    let grouped: Vec<(f64, Vec<usize>)> = groups.iter().map(|g| (g.failures.availability(), g.parts.clone())).collect();
    let analytic = exact(node, &availability, &grouped);
    // Independent: each part with its groups' availabilities multiplied into its own.
    let mut alone = availability.clone();
    for (ga, members) in &grouped {
        for &mm in members {
            alone[mm] *= ga;
        }
    }
    let independent = with_leaves(node, &alone).analytic();
    Ok(YearsReport {
        years,
        simulated,
        simulated_stderr: (var / BATCHES as f64).sqrt(),
        analytic,
        independent,
        outages,
        mean_outage_h: if outages == 0 { 0.0 } else { down_time as f64 / tick / outages as f64 },
        downtime_min_per_year: (1.0 - simulated) * super::availability::MINUTES_PER_YEAR,
    })
}
