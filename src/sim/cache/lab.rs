//! The caching lab's run: the workload's requests, one a virtual second, and the requests made by hand,
//! served in order by every policy compared and by Belady's optimum, each with a cache of the same
//! size. A step serves one request (or restarts the caches empty); the page shows after each step what
//! the watched policy and the optimum hold and why the request hit or missed, and the run's report
//! counts every policy's hits, in total and per window of requests.

use super::lab_config::{CacheAction, CacheLabConfig};
use super::optimal::{Min, next_uses};
use super::policy::{Access, Policy, PolicyKind, Segment, build};
use crate::scenario::ActionTime;
use crate::sim::budget::thousands;
use crate::sim::timeline::{TimedRun, vec_bytes};
use serde::Serialize;
use std::collections::VecDeque;
use std::rc::Rc;

/// Virtual time between two requests of the workload, µs: one a second, so the animation's speeds
/// (virtual seconds per real second) read as requests per second.
pub const REQUEST_US: u64 = 1_000_000;
/// Points of the hit-ratio-over-time series, at most.
const WINDOWS: u64 = 200;
/// Requests the page lists as the most recent.
const RECENT: usize = 16;

/// One step of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// A request for a key (`by_hand`: made by the user).
    Request {
        key: u64,
        by_hand: bool,
    },
    Restart,
}

/// A request the page lists among the most recent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Recent {
    pub key: u64,
    pub by_hand: bool,
    /// Whether the watched policy and the optimum hit it.
    pub watched_hit: bool,
    pub optimal_hit: bool,
}

/// One point of the hit ratio over time: the hits of each policy (in the configuration's order) and of
/// the optimum over the requests of one window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    /// Requests served at the window's end.
    pub until: u64,
    pub requests: u64,
    pub hits: Vec<u64>,
    pub optimal_hits: u64,
}

/// A policy's count in the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyHits {
    pub policy: PolicyKind,
    pub hits: u64,
    pub requests: u64,
    /// Hits over requests, 0 to 1.
    pub hit_ratio: f64,
}

/// Everything the command line prints about a run, and the page shows of its end.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CacheLabReport {
    pub capacity: u32,
    pub workload: String,
    pub requests: u64,
    pub requests_by_hand: u64,
    pub restarts: u64,
    /// Every policy compared, in the configuration's order.
    pub policies: Vec<PolicyHits>,
    /// Belady's optimum: no policy hits more.
    pub optimal: PolicyHits,
    /// Each policy's hit ratio by name, and the optimum's under "optimal" (the command line's key).
    pub hit_ratio: std::collections::BTreeMap<String, f64>,
    /// Hits per window of requests.
    pub windows: Vec<Window>,
}

impl CacheLabReport {
    /// The bytes a digest hashes: the counts, not the ratios derived from them.
    pub fn fingerprint(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut put = |v: u64| out.extend_from_slice(&v.to_le_bytes());
        put(u64::from(self.capacity));
        put(self.requests);
        put(self.requests_by_hand);
        put(self.restarts);
        for p in self.policies.iter().chain([&self.optimal]) {
            put(p.hits);
        }
        for w in &self.windows {
            put(w.until);
            w.hits.iter().for_each(|&h| put(h));
            put(w.optimal_hits);
        }
        out
    }
}

/// What one frame of the page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheSnapshot {
    pub served: u64,
    pub total: u64,
    /// The last step's request (`None` before the first, and after a restart).
    pub current: Option<Recent>,
    pub restarted: bool,
    pub watched: PolicyKind,
    pub watched_segments: Vec<Segment>,
    /// What the watched policy did on the last request, and why.
    pub watched_access: Option<Access>,
    pub optimal_segments: Vec<Segment>,
    pub optimal_access: Option<Access>,
    /// Each policy: hits so far and whether the last request hit.
    pub rows: Vec<(PolicyKind, u64, Option<bool>)>,
    pub optimal_hits: u64,
    /// The most recent requests, oldest first.
    pub recent: Vec<Recent>,
}

/// A run of the lab.
#[derive(Clone)]
pub struct CacheLabSim {
    seed: u64,
    /// The other parts' setups, for the command line's figures (`extra`).
    parts: Rc<CacheLabConfig>,
    capacity: u32,
    workload: String,
    /// Every step, with its virtual time (µs), in order; shared by copies.
    steps: Rc<[(u64, Step)]>,
    next: usize,
    /// Requests served so far (the optimum's position in the requested keys).
    served: u64,
    total: u64,
    by_hand: u64,
    restarts: u64,
    kinds: Vec<PolicyKind>,
    policies: Vec<Box<dyn Policy>>,
    watched: usize,
    hits: Vec<u64>,
    last_hit: Vec<Option<bool>>,
    watched_access: Option<Access>,
    optimal: Min,
    optimal_hits: u64,
    optimal_access: Option<Access>,
    current: Option<Recent>,
    restarted: bool,
    recent: VecDeque<Recent>,
    window_len: u64,
    window: Window,
    windows: Vec<Window>,
}

impl std::fmt::Debug for CacheLabSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheLabSim").field("served", &self.served).field("total", &self.total).finish()
    }
}

impl CacheLabSim {
    /// The run of `config` with `actions`, before its first step: the workload drawn, every step in
    /// order, the optimum's next uses found.
    pub fn new(seed: u64, config: &CacheLabConfig, actions: &[(ActionTime, CacheAction)]) -> Result<Self, String> {
        config.validate()?;
        let work = super::lab_config::estimate_work(config, actions);
        if work.total() > crate::sim::WORK_EVENTS_MAX {
            return Err(format!(
                "this run would take about {} accesses, over the {} a run may take: {}",
                thousands(work.total()),
                thousands(crate::sim::WORK_EVENTS_MAX),
                work.dominant().unwrap_or("lower the requests")
            ));
        }
        let keys = config.workload.generate(seed)?;
        // The workload's request i at (i + 1) s; an action at its moment, after the workload's request
        // at the same moment (it was recorded with the playhead there).
        let mut steps: Vec<(u64, Step)> = Vec::with_capacity(keys.len() + actions.len());
        let mut acts = actions.iter().peekable();
        for (i, &key) in keys.iter().enumerate() {
            let t = (i as u64 + 1) * REQUEST_US;
            while let Some((at, a)) = acts.next_if(|(at, _)| at.saturating_mul(1000) < t) {
                steps.push((at.saturating_mul(1000), step_of(a)));
            }
            steps.push((t, Step::Request { key, by_hand: false }));
        }
        steps.extend(acts.map(|(at, a)| (at.saturating_mul(1000), step_of(a))));
        let requested = requested_keys(&steps);
        let total = requested.len() as u64;
        let capacity = config.capacity as usize;
        let policies: Vec<Box<dyn Policy>> = config.policies.iter().map(|&k| build(k, capacity, seed)).collect();
        let n = policies.len();
        let window_len = total.div_ceil(WINDOWS).max(1);
        Ok(Self {
            seed,
            parts: Rc::new(config.clone()),
            capacity: config.capacity,
            workload: config.workload.describe(),
            steps: steps.into(),
            next: 0,
            served: 0,
            total,
            by_hand: 0,
            restarts: 0,
            kinds: config.policies.clone(),
            policies,
            watched: config.policies.iter().position(|&k| k == config.watched).expect("validated"),
            hits: vec![0; n],
            last_hit: vec![None; n],
            watched_access: None,
            optimal: Min::with_next_uses(next_uses(&requested).into(), capacity),
            optimal_hits: 0,
            optimal_access: None,
            current: None,
            restarted: false,
            recent: VecDeque::with_capacity(RECENT),
            window_len,
            window: Window { until: 0, requests: 0, hits: vec![0; n], optimal_hits: 0 },
            windows: Vec::new(),
        })
    }

    /// Serves the next request (or restart); returns its virtual time, or `None` once the run is over.
    pub fn step(&mut self) -> Option<u64> {
        let &(t, step) = self.steps.get(self.next)?;
        self.next += 1;
        match step {
            Step::Restart => {
                let capacity = self.capacity as usize;
                for (p, &k) in self.policies.iter_mut().zip(&self.kinds) {
                    *p = build(k, capacity, self.seed.wrapping_add(self.restarts + 1));
                }
                self.optimal.clear();
                self.restarts += 1;
                self.restarted = true;
                self.current = None;
                self.watched_access = None;
                self.optimal_access = None;
                self.last_hit.iter_mut().for_each(|h| *h = None);
            }
            Step::Request { key, by_hand } => self.serve(key, by_hand),
        }
        Some(t)
    }

    fn serve(&mut self, key: u64, by_hand: bool) {
        for (i, p) in self.policies.iter_mut().enumerate() {
            let hit = if i == self.watched {
                let a = p.access_explained(key);
                let hit = a.hit;
                self.watched_access = Some(a);
                hit
            } else {
                p.access(key)
            };
            self.last_hit[i] = Some(hit);
            self.hits[i] += u64::from(hit);
            self.window.hits[i] += u64::from(hit);
        }
        let a = self.optimal.step(self.served as usize, key);
        self.optimal_hits += u64::from(a.hit);
        self.window.optimal_hits += u64::from(a.hit);
        let current =
            Recent { key, by_hand, watched_hit: self.last_hit[self.watched] == Some(true), optimal_hit: a.hit };
        self.optimal_access = Some(a);
        self.current = Some(current);
        self.restarted = false;
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(current);
        self.served += 1;
        self.by_hand += u64::from(by_hand);
        self.window.requests += 1;
        if self.window.requests == self.window_len || self.served == self.total {
            self.window.until = self.served;
            let n = self.kinds.len();
            let done = std::mem::replace(
                &mut self.window,
                Window { until: 0, requests: 0, hits: vec![0; n], optimal_hits: 0 },
            );
            self.windows.push(done);
        }
    }

    /// Takes every step at or before virtual time `t_us`.
    pub fn run_until(&mut self, t_us: u64) {
        while self.steps.get(self.next).is_some_and(|&(t, _)| t <= t_us) {
            self.step();
        }
    }

    /// Virtual time of the last step, µs.
    pub fn now(&self) -> u64 {
        self.next.checked_sub(1).map_or(0, |i| self.steps[i].0)
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.next as u64
    }

    pub fn is_finished(&self) -> bool {
        self.next == self.steps.len()
    }

    /// Every key the run requests, in order (the workload's and those made by hand).
    pub fn requested(&self) -> Vec<u64> {
        requested_keys(&self.steps)
    }

    /// The run's seed (the random policy draws from it).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The policies compared, in the configuration's order.
    pub fn kinds(&self) -> &[PolicyKind] {
        &self.kinds
    }

    /// Requests served so far, and in the whole run.
    pub fn served(&self) -> (u64, u64) {
        (self.served, self.total)
    }

    /// What the page shows now.
    pub fn snapshot(&self) -> CacheSnapshot {
        CacheSnapshot {
            served: self.served,
            total: self.total,
            current: self.current,
            restarted: self.restarted,
            watched: self.kinds[self.watched],
            watched_segments: self.policies[self.watched].segments(),
            watched_access: self.watched_access,
            optimal_segments: self.optimal.segments(),
            optimal_access: self.optimal_access,
            rows: self.kinds.iter().zip(&self.hits).zip(&self.last_hit).map(|((&k, &h), &l)| (k, h, l)).collect(),
            optimal_hits: self.optimal_hits,
            recent: self.recent.iter().copied().collect(),
        }
    }

    /// The report of the run as it stands.
    pub fn report(&self) -> CacheLabReport {
        let count = |policy, hits| PolicyHits {
            policy,
            hits,
            requests: self.served,
            hit_ratio: if self.served == 0 { 0.0 } else { hits as f64 / self.served as f64 },
        };
        let policies: Vec<PolicyHits> = self.kinds.iter().zip(&self.hits).map(|(&k, &h)| count(k, h)).collect();
        // The optimum is reported under the watched policy's kind in `policy`; its name is "optimal".
        let optimal = count(self.kinds[self.watched], self.optimal_hits);
        let mut hit_ratio: std::collections::BTreeMap<String, f64> =
            policies.iter().map(|p| (p.policy.name().to_string(), p.hit_ratio)).collect();
        hit_ratio.insert("optimal".into(), optimal.hit_ratio);
        CacheLabReport {
            capacity: self.capacity,
            workload: self.workload.clone(),
            requests: self.served,
            requests_by_hand: self.by_hand,
            restarts: self.restarts,
            policies,
            optimal,
            hit_ratio,
            windows: self.windows.clone(),
        }
    }

    /// The other parts of the lab run to their end, summed up for the command line: the placement's
    /// latency per setup, the consistency models' stale reads, lost writes and errors, the CDN's latency per
    /// region and offload (each as its module computes it; the page runs them in slices).
    pub fn extra(&self) -> serde_json::Value {
        use super::{cdn, consistency, placement};
        let ms = |us: f64| (us / 1000.0 * 1000.0).round() / 1000.0;
        let latency = |s: &super::stats::Summary| serde_json::json!({ "mean": ms(s.mean_us), "p50": ms(s.p50_us as f64), "p99": ms(s.p99_us as f64) });
        let mut out = serde_json::Map::new();
        match placement::PlacementRun::run(self.parts.placement.clone(), self.seed) {
            Ok(r) => {
                let setups: serde_json::Map<String, serde_json::Value> = r
                    .setups
                    .iter()
                    .map(|s| {
                        let name = serde_json::to_value(s.setup).ok().and_then(|v| v.as_str().map(str::to_string));
                        (name.unwrap_or_default(), latency(&s.latency))
                    })
                    .collect();
                out.insert("latency_ms".into(), setups.into());
            }
            Err(e) => {
                out.insert("placement_error".into(), e.into());
            }
        }
        match consistency::ConsistencyRun::run(self.parts.consistency.clone(), self.seed) {
            Ok(r) => {
                out.insert("stale_reads".into(), r.ttl.stale_reads.into());
                out.insert("stale_fraction".into(), r.ttl.stale_fraction.into());
                out.insert("stale_fraction_theory".into(), r.ttl.theory.stale_fraction.into());
                out.insert("db_reads_per_s".into(), r.ttl.db_reads_per_s.into());
                let lost: serde_json::Map<String, serde_json::Value> = r
                    .writes
                    .policies
                    .iter()
                    .map(|p| {
                        let name = serde_json::to_value(p.policy).ok().and_then(|v| v.as_str().map(str::to_string));
                        (name.unwrap_or_default(), p.writes_lost.into())
                    })
                    .collect();
                out.insert("writes_lost".into(), lost.into());
                out.insert("stale_puts".into(), r.race.stale_puts.into());
                out.insert("race_stale_reads".into(), r.race.stale_reads.into());
                out.insert("balance_reads".into(), r.race.balance_reads.into());
                out.insert("balance_errors".into(), r.race.errors.into());
            }
            Err(e) => {
                out.insert("consistency_error".into(), e.into());
            }
        }
        match cdn::CdnRun::run(self.parts.cdn.clone(), self.seed) {
            Ok(r) => {
                let regions: serde_json::Map<String, serde_json::Value> = r
                    .regions
                    .iter()
                    .map(|g| {
                        (
                            g.region.name().to_string(),
                            serde_json::json!({
                                "hit_ratio": g.hit_ratio,
                                "with_cdn_ms": latency(&g.with_cdn),
                                "without_cdn_ms": latency(&g.without_cdn),
                            }),
                        )
                    })
                    .collect();
                out.insert("cdn_regions".into(), regions.into());
                out.insert("origin_offload".into(), r.offload.into());
                out.insert("rate_limited".into(), r.limiter.limited.into());
            }
            Err(e) => {
                out.insert("cdn_error".into(), e.into());
            }
        }
        out.into()
    }

    /// Broken invariants: none unless the core has a bug.
    pub fn violations(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (k, &h) in self.kinds.iter().zip(&self.hits) {
            if h > self.optimal_hits {
                out.push(format!("{k} hit {h} times, more than Belady's optimum ({})", self.optimal_hits));
            }
        }
        for (p, k) in self.policies.iter().zip(&self.kinds) {
            if p.len() > self.capacity as usize {
                out.push(format!("{k} holds {} keys in a cache of {}", p.len(), self.capacity));
            }
        }
        out
    }

    fn approx_bytes(&self) -> usize {
        // Each policy's lists and map: a few words a key, ghosts included.
        let keys: usize = self.policies.iter().map(|p| p.len()).sum::<usize>() + self.capacity as usize;
        keys * 64 + vec_bytes(&self.windows) + self.windows.len() * self.kinds.len() * 8 + RECENT * 32
    }
}

/// The keys `steps` request, in order (restarts left out).
fn requested_keys(steps: &[(u64, Step)]) -> Vec<u64> {
    steps
        .iter()
        .filter_map(|&(_, s)| match s {
            Step::Request { key, .. } => Some(key),
            Step::Restart => None,
        })
        .collect()
}

fn step_of(a: &CacheAction) -> Step {
    match a {
        CacheAction::Request { key } => Step::Request { key: *key, by_hand: true },
        CacheAction::Restart => Step::Restart,
    }
}

impl TimedRun for CacheLabSim {
    fn step(&mut self) -> Option<u64> {
        Self::step(self)
    }
    fn run_until(&mut self, t_us: u64) {
        Self::run_until(self, t_us);
    }
    fn now(&self) -> u64 {
        Self::now(self)
    }
    fn events(&self) -> u64 {
        self.steps()
    }
    fn is_finished(&self) -> bool {
        Self::is_finished(self)
    }
    fn approx_bytes(&self) -> usize {
        Self::approx_bytes(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cache::lab_config::WorkloadSpec;

    fn run(config: &CacheLabConfig, actions: &[(ActionTime, CacheAction)]) -> CacheLabSim {
        let mut sim = CacheLabSim::new(7, config, actions).unwrap();
        while sim.step().is_some() {}
        sim
    }

    #[test]
    fn the_notes_loop_never_hits_under_lru_and_the_optimum_hits_half() {
        let sim = run(&CacheLabConfig::default(), &[]);
        let r = sim.report();
        assert_eq!(r.requests, 12);
        let lru = r.policies.iter().find(|p| p.policy == PolicyKind::Lru).unwrap();
        assert_eq!(lru.hits, 0);
        // Belady on 1, 2, 3, 4 × 3 with room for 3: four cold misses (4 evicts 3, needed furthest ahead),
        // then 1, 2 hit, 3 misses (evicting 2), 4, 1 hit, 2 misses (evicting 1, never needed again), 3, 4
        // hit: 6 hits of 12. In the long run it misses once every c - 1 = 2 repeats: (c - 1)/(L - 1) = 2/3.
        assert_eq!(r.optimal.hits, 6);
        assert_eq!(r.hit_ratio["optimal"], 0.5);
        assert_eq!(r.hit_ratio["lru"], 0.0);
        assert!(sim.violations().is_empty());
        assert_eq!(r.windows.iter().map(|w| w.requests).sum::<u64>(), 12);
    }

    #[test]
    fn stepping_shows_the_notes_sequence_of_evictions() {
        let mut sim = CacheLabSim::new(1, &CacheLabConfig::default(), &[]).unwrap();
        for _ in 0..3 {
            sim.step();
        }
        assert_eq!(sim.snapshot().watched_segments[0].keys, [3, 2, 1]);
        sim.step(); // 4: 1 leaves
        let s = sim.snapshot();
        assert_eq!(s.watched_access.as_ref().unwrap().evicted, Some(1));
        assert_eq!(s.watched_segments[0].keys, [4, 3, 2]);
        sim.step(); // 1 is not there
        assert!(!sim.snapshot().watched_access.unwrap().hit);
    }

    #[test]
    fn requests_by_hand_and_restarts_are_served_at_their_moment() {
        let config = CacheLabConfig::default();
        // After the third request (at 3 s), key 1 by hand: a hit for every policy; then a restart at 5 s.
        let sim = run(&config, &[(3_000, CacheAction::Request { key: 1 }), (5_000, CacheAction::Restart)]);
        let r = sim.report();
        assert_eq!((r.requests, r.requests_by_hand, r.restarts), (13, 1, 1));
        assert!(r.policies.iter().all(|p| p.hits >= 1));
        // A copy at any step continues exactly as the original.
        let mut a = CacheLabSim::new(7, &config, &[(3_000, CacheAction::Request { key: 1 })]).unwrap();
        for _ in 0..5 {
            a.step();
        }
        let mut b = a.clone();
        while a.step().is_some() {}
        while b.step().is_some() {}
        assert_eq!(a.report(), b.report());
    }

    #[test]
    fn no_policy_beats_the_optimum_on_a_skewed_workload() {
        let config = CacheLabConfig {
            capacity: 50,
            workload: WorkloadSpec::ZipfWithScans {
                keys: 2_000,
                s_milli: 900,
                requests: 20_000,
                scan_every: 2_000,
                scan_length: 300,
            },
            ..CacheLabConfig::default()
        };
        let sim = run(&config, &[]);
        assert!(sim.violations().is_empty(), "{:?}", sim.violations());
        let r = sim.report();
        assert_eq!(r.windows.len() as u64, WINDOWS);
        assert!(r.policies.iter().all(|p| p.hits <= r.optimal.hits && p.hits > 0));
    }

    #[test]
    fn setups_outside_the_limits_are_refused_with_a_sentence() {
        let bad = |c: CacheLabConfig| CacheLabSim::new(1, &c, &[]).unwrap_err();
        assert!(bad(CacheLabConfig { capacity: 0, ..CacheLabConfig::default() }).contains("from 1 to"));
        assert!(bad(CacheLabConfig { policies: vec![], ..CacheLabConfig::default() }).contains("at least one"));
        assert!(
            bad(CacheLabConfig { policies: vec![PolicyKind::Fifo], ..CacheLabConfig::default() }).contains("watched")
        );
        assert!(
            bad(CacheLabConfig { workload: WorkloadSpec::Notes { requests: 2_000_000 }, ..CacheLabConfig::default() })
                .contains("1,000,000")
        );
        assert!(
            bad(CacheLabConfig { workload: WorkloadSpec::Trace { keys: vec![] }, ..CacheLabConfig::default() })
                .contains("no request")
        );
    }
}
