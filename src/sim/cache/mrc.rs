//! Miss-ratio curves: the share of requests that miss, for each cache size, under each policy. The
//! curve, not one number, is what sizing a cache needs; and hit ratio over time shows a policy warming up
//! or a workload shifting under it.

use super::keymap::key_map;
use super::limits;
use super::optimal::{Min, optimal_hits};
use super::policy::{Policy, PolicyKind, build};
use crate::sim::budget::thousands;
use serde::Serialize;
use std::rc::Rc;

/// One point of a miss-ratio curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MrcPoint {
    /// Cache size, in keys.
    pub size: usize,
    pub hits: u64,
    pub requests: u64,
    /// Misses over requests, 0 to 1 (1 for an empty trace).
    pub miss_ratio: f64,
}

impl MrcPoint {
    fn new(size: usize, hits: u64, requests: u64) -> Self {
        let miss_ratio = if requests == 0 { 1.0 } else { (requests - hits) as f64 / requests as f64 };
        MrcPoint { size, hits, requests, miss_ratio }
    }
}

/// How many cache sizes the caching lab's page draws its miss-ratio curves at.
pub const PAGE_CURVE_SIZES: usize = 20;

/// Refuses a curve with no sizes, too many, a size over the limit, or more simulated requests than
/// [`limits::CURVE_WORK_MAX`] (the trace's length times the sizes simulated).
pub fn check_curve(requests: usize, sizes: &[usize]) -> Result<(), String> {
    if sizes.is_empty() || sizes.len() > limits::CURVE_SIZES_MAX {
        return Err(format!(
            "a curve takes between 1 and {} cache sizes (got {})",
            limits::CURVE_SIZES_MAX,
            sizes.len()
        ));
    }
    for &s in sizes {
        super::check_capacity(s)?;
    }
    let work = requests as u64 * sizes.len() as u64;
    if work > limits::CURVE_WORK_MAX {
        return Err(format!(
            "{} requests at {} sizes is {} simulated requests, more than the {} a curve may take: use fewer \
             sizes or a shorter trace",
            thousands(requests as u64),
            sizes.len(),
            thousands(work),
            thousands(limits::CURVE_WORK_MAX)
        ));
    }
    Ok(())
}

/// Replays `trace` through `policy`; returns the hits.
pub fn replay(policy: &mut dyn Policy, trace: &[u64]) -> u64 {
    trace.iter().filter(|&&k| policy.access(k)).count() as u64
}

/// LRU's stack distances: for each request, 1 + the number of distinct keys requested since the same
/// key's previous request, or 0 for a key's first request. LRU with room for c keys hits exactly the
/// requests whose distance is 1 to c (Mattson et al., 1970: LRU is a stack algorithm), so one pass gives
/// every size's hits. Counted with a Fenwick tree over positions marking each key's latest request:
/// O(n log n).
pub fn stack_distances(trace: &[u64]) -> Vec<u64> {
    let n = trace.len();
    let mut tree = vec![0u32; n + 1];
    let add = |tree: &mut [u32], i: usize, v: i32| {
        let mut i = i + 1;
        while i <= n {
            tree[i] = tree[i].wrapping_add_signed(v);
            i += i & i.wrapping_neg();
        }
    };
    // Marks at positions < i.
    let prefix = |tree: &[u32], i: usize| {
        let (mut i, mut s) = (i, 0u64);
        while i > 0 {
            s += u64::from(tree[i]);
            i &= i - 1;
        }
        s
    };
    let mut last = key_map::<usize>(1024);
    let mut out = Vec::with_capacity(n);
    for (i, &k) in trace.iter().enumerate() {
        match last.insert(k, i) {
            Some(j) => {
                out.push(prefix(&tree, i) - prefix(&tree, j + 1) + 1);
                add(&mut tree, j, -1);
            }
            None => out.push(0),
        }
        add(&mut tree, i, 1);
    }
    out
}

/// LRU's miss-ratio curve by stack distances (one pass for every size).
pub fn lru_curve(trace: &[u64], sizes: &[usize]) -> Vec<MrcPoint> {
    let mut by_distance: Vec<u64> = Vec::new();
    for d in stack_distances(trace) {
        if d > 0 {
            let d = d as usize;
            if by_distance.len() <= d {
                by_distance.resize(d + 1, 0);
            }
            by_distance[d] += 1;
        }
    }
    // Hits at size c: the requests at distances 1..=c.
    let mut cumulative = by_distance;
    for d in 1..cumulative.len() {
        cumulative[d] += cumulative[d - 1];
    }
    let hits_at = |c: usize| cumulative.get(c).or(cumulative.last()).copied().unwrap_or(0);
    sizes.iter().map(|&c| MrcPoint::new(c, hits_at(c), trace.len() as u64)).collect()
}

/// The miss-ratio curve of `kind` over `trace`: LRU's by stack distances, the others by replaying the
/// trace at each size (the random policy drawing from `seed`).
pub fn curve(kind: PolicyKind, trace: &[u64], sizes: &[usize], seed: u64) -> Vec<MrcPoint> {
    if kind == PolicyKind::Lru {
        return lru_curve(trace, sizes);
    }
    sizes.iter().map(|&c| MrcPoint::new(c, replay(build(kind, c, seed).as_mut(), trace), trace.len() as u64)).collect()
}

/// Belady's optimal miss-ratio curve: the least any policy can miss.
pub fn optimal_curve(trace: &[u64], sizes: &[usize]) -> Vec<MrcPoint> {
    sizes.iter().map(|&c| MrcPoint::new(c, optimal_hits(trace, c), trace.len() as u64)).collect()
}

/// Hit ratio per window of `window` requests as `policy` serves `trace` (the last window may be
/// shorter; its ratio is over its own requests).
pub fn hit_ratio_over_time(policy: &mut dyn Policy, trace: &[u64], window: usize) -> Result<Vec<f64>, String> {
    if window == 0 {
        return Err("a window of the hit ratio over time holds at least one request (got 0)".into());
    }
    Ok(trace.chunks(window).map(|w| replay(policy, w) as f64 / w.len() as f64).collect())
}

/// `count` cache sizes from 1 to `largest`, spaced evenly on a log scale (fewer when `largest` is small:
/// each size once).
pub fn log_sizes(largest: usize, count: usize) -> Vec<usize> {
    let largest = largest.max(1);
    let mut sizes: Vec<usize> = (0..count.max(1))
        .map(|i| {
            let f = if count <= 1 { 1.0 } else { i as f64 / (count - 1) as f64 };
            ((largest as f64).powf(f).round() as usize).clamp(1, largest)
        })
        .collect();
    sizes.dedup();
    sizes
}

/// The cache a curve replays now.
enum Replaying {
    Policy(Box<dyn Policy>),
    Optimal(Min),
}

/// Miss-ratio curves of several policies, and Belady's optimum, over one trace, computed a bounded
/// number of requests at a time (a page shows the curves filling in; a million requests at twenty sizes
/// for ten curves are two hundred million requests). Each point is a replay of the whole trace at one
/// size: exactly what [`curve`] and [`optimal_curve`] give.
pub struct CurveRun {
    trace: Rc<[u64]>,
    sizes: Vec<usize>,
    kinds: Vec<PolicyKind>,
    seed: u64,
    /// The optimum's next uses, found backwards a chunk at a time before its first replay.
    next: Vec<usize>,
    seen: super::keymap::KeyMap<usize>,
    next_done: usize,
    next_uses: Option<Rc<[usize]>>,
    /// Which curve (the policies', then the optimum's) and size is replaying, and how far.
    curve: usize,
    size: usize,
    at: usize,
    hits: u64,
    replaying: Option<Replaying>,
    points: Vec<Vec<MrcPoint>>,
    done: u64,
}

impl CurveRun {
    /// The curves of `kinds` and the optimum over `trace` at `sizes`, once the work is within the limits.
    pub fn new(trace: Rc<[u64]>, kinds: &[PolicyKind], sizes: &[usize], seed: u64) -> Result<Self, String> {
        check_curve(trace.len().saturating_mul(kinds.len() + 1), sizes)?;
        Ok(Self {
            next: vec![0; trace.len()],
            seen: key_map(1024),
            next_done: 0,
            next_uses: None,
            trace,
            sizes: sizes.to_vec(),
            kinds: kinds.to_vec(),
            seed,
            curve: 0,
            size: 0,
            at: 0,
            hits: 0,
            replaying: None,
            points: vec![Vec::new(); kinds.len() + 1],
            done: 0,
        })
    }

    /// Requests simulated so far, and in all.
    pub fn progress(&self) -> (u64, u64) {
        let n = self.trace.len() as u64;
        (self.done, n * (self.sizes.len() * (self.kinds.len() + 1)) as u64 + n)
    }

    /// The points so far: one curve per policy in the order given, then the optimum's.
    pub fn points(&self) -> &[Vec<MrcPoint>] {
        &self.points
    }

    /// The sizes of the curves.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// Simulates about `max` more requests; true once every curve is done.
    pub fn advance(&mut self, max: u64) -> bool {
        let mut budget = max.max(1);
        let n = self.trace.len();
        while budget > 0 {
            if self.curve > self.kinds.len() {
                return true;
            }
            if self.curve == self.kinds.len() && self.next_uses.is_none() {
                // The optimum's next uses: backwards over the trace.
                let take = (budget as usize).min(n - self.next_done);
                for j in 0..take {
                    let i = n - 1 - (self.next_done + j);
                    self.next[i] = self.seen.insert(self.trace[i], i).unwrap_or(usize::MAX);
                }
                self.next_done += take;
                self.done += take as u64;
                budget -= take as u64;
                if self.next_done == n {
                    self.next_uses = Some(std::mem::take(&mut self.next).into());
                    self.seen = key_map(0);
                }
                continue;
            }
            let size = self.sizes[self.size];
            let replaying = self.replaying.get_or_insert_with(|| match self.kinds.get(self.curve) {
                Some(&k) => Replaying::Policy(build(k, size, self.seed)),
                None => Replaying::Optimal(Min::with_next_uses(self.next_uses.clone().expect("found first"), size)),
            });
            let end = (self.at + budget as usize).min(n);
            match replaying {
                Replaying::Policy(p) => {
                    self.hits += self.trace[self.at..end].iter().filter(|&&k| p.access(k)).count() as u64;
                }
                Replaying::Optimal(m) => {
                    for i in self.at..end {
                        self.hits += u64::from(m.step(i, self.trace[i]).hit);
                    }
                }
            }
            budget -= (end - self.at) as u64;
            self.done += (end - self.at) as u64;
            self.at = end;
            if self.at == n {
                self.points[self.curve].push(MrcPoint::new(size, self.hits, n as u64));
                (self.at, self.hits, self.replaying) = (0, 0, None);
                self.size += 1;
                if self.size == self.sizes.len() {
                    self.size = 0;
                    self.curve += 1;
                }
            }
        }
        self.curve > self.kinds.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cache::workload;

    #[test]
    fn stack_distances_count_distinct_keys_between() {
        assert_eq!(stack_distances(&[1, 2, 3, 1, 1, 3, 4, 2]), [0, 0, 0, 3, 1, 2, 0, 4]);
    }

    #[test]
    fn the_lru_curve_matches_simulation_at_every_size() {
        let trace = workload::zipf(300, 0.8, 20_000, 4);
        let sizes: Vec<usize> = (0..=320).step_by(7).collect();
        let by_distance = lru_curve(&trace, &sizes);
        for p in &by_distance {
            let simulated = replay(build(PolicyKind::Lru, p.size, 0).as_mut(), &trace);
            assert_eq!(p.hits, simulated, "size {}", p.size);
        }
        assert!(by_distance.windows(2).all(|w| w[1].miss_ratio <= w[0].miss_ratio));
        assert_eq!(by_distance[0].miss_ratio, 1.0);
    }

    #[test]
    fn the_heaviest_run_of_the_lab_gets_its_curves() {
        // A million requests and every action a scenario records, nine policies and the optimum.
        let requests = (crate::sim::cache::lab_config::limits::REQUESTS_MAX as usize + crate::limits::ACTIONS_MAX)
            * (PolicyKind::ALL.len() + 1);
        let largest = crate::sim::cache::lab_config::limits::CAPACITY_MAX as usize;
        let sizes = log_sizes(largest, PAGE_CURVE_SIZES);
        assert_eq!(sizes.len(), PAGE_CURVE_SIZES);
        assert_eq!(check_curve(requests, &sizes), Ok(()));
    }

    #[test]
    fn curves_and_windows() {
        let trace = workload::looping(4, 400);
        let c = curve(PolicyKind::Fifo, &trace, &[3, 4], 0);
        assert_eq!((c[0].hits, c[1].hits), (0, 396));
        assert_eq!(optimal_curve(&trace, &[3])[0].hits, optimal_hits(&trace, 3));
        let mut lru = build(PolicyKind::Lru, 4, 0);
        assert_eq!(hit_ratio_over_time(lru.as_mut(), &trace[..10], 4).unwrap(), [0.0, 1.0, 1.0]);
        assert_eq!(
            hit_ratio_over_time(lru.as_mut(), &trace, 0).unwrap_err(),
            "a window of the hit ratio over time holds at least one request (got 0)"
        );
        assert!(check_curve(1000, &[1, 2]).is_ok());
        assert_eq!(check_curve(10, &[]).unwrap_err(), "a curve takes between 1 and 100 cache sizes (got 0)");
        assert_eq!(
            check_curve(10_000_000, &[1; 100]).unwrap_err(),
            "10,000,000 requests at 100 sizes is 1,000,000,000 simulated requests, more than the 210,000,000 a \
             curve may take: use fewer sizes or a shorter trace"
        );
    }

    #[test]
    fn a_curve_run_in_slices_gives_every_curve_exactly() {
        let trace: Rc<[u64]> = workload::zipf(400, 0.9, 6_000, 3).into();
        let kinds = [PolicyKind::Lru, PolicyKind::Arc, PolicyKind::S3Fifo];
        let sizes = log_sizes(400, 8);
        assert_eq!(sizes.first(), Some(&1));
        assert_eq!(sizes.last(), Some(&400));
        let mut run = CurveRun::new(trace.clone(), &kinds, &sizes, 5).unwrap();
        let mut slices = 0;
        while !run.advance(1_777) {
            slices += 1;
        }
        assert!(slices > 10);
        assert_eq!(run.progress().0, run.progress().1);
        for (i, &k) in kinds.iter().enumerate() {
            assert_eq!(run.points()[i], curve(k, &trace, &sizes, 5), "{k}");
        }
        assert_eq!(run.points()[kinds.len()], optimal_curve(&trace, &sizes));
    }
}
