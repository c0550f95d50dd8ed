//! What the chain and the flow share: the five services, their latencies, fault windows, the requests'
//! arrival times and latency summaries in milliseconds.

use crate::sim::cache::stats::{Summary, exp_us};
use crate::sim::check_range;
use crate::sim::kernel::{SimRng, SimTime};
use serde::{Deserialize, Serialize};

const MS: SimTime = 1_000;

/// Mixed into the seed for the latencies' stream, so the arrivals (drawn from the seed itself) are the
/// same whatever the services draw.
pub(crate) const LATENCY_STREAM: u64 = 0x5eed_1a7e_0c11_a115;

/// One of the notes' five services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    S0,
    S1,
    S2,
    S3,
    S4,
}

impl Service {
    /// S0..S4 in order.
    pub const ALL: [Service; 5] = [Service::S0, Service::S1, Service::S2, Service::S3, Service::S4];

    /// Its position in S0..S4.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The service's name on the page.
    pub fn name(self) -> &'static str {
        ["S0", "S1", "S2", "S3", "S4"][self.index()]
    }

    /// The services it calls (chain) or that consume what it publishes (flow): S1 → S0, S2; S2 → S3, S4.
    pub fn children(self) -> &'static [Service] {
        match self {
            Service::S1 => &[Service::S0, Service::S2],
            Service::S2 => &[Service::S3, Service::S4],
            _ => &[],
        }
    }
}

/// One service's costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Fixed part of its latency, µs.
    pub base_us: u32,
    /// Mean of the exponential part of its latency, µs (0: fixed).
    pub jitter_us: u32,
    /// Its timeout on each call it makes (chain), ms.
    pub call_timeout_ms: u32,
    /// Whether it commits a database write for each request.
    pub writes: bool,
}

/// What a fault does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum FaultKind {
    /// No answer: a call fails at the caller's timeout; a delivery fails.
    Down,
    /// Latency multiplied by `factor_pct` / 100.
    Slow { factor_pct: u32 },
}

/// A fault on `service` over `[from_ms, to_ms)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub service: Service,
    pub kind: FaultKind,
    pub from_ms: u32,
    pub to_ms: u32,
}

/// The fault windows looked up by service.
#[derive(Clone, Debug, Default)]
pub(crate) struct Windows {
    down: [Vec<(SimTime, SimTime)>; 5],
    slow: [Vec<(SimTime, SimTime, u32)>; 5],
}

impl Windows {
    pub(crate) fn new(faults: &[Fault]) -> Self {
        let mut w = Self::default();
        for f in faults {
            let (a, b) = (SimTime::from(f.from_ms) * MS, SimTime::from(f.to_ms) * MS);
            match f.kind {
                FaultKind::Down => w.down[f.service.index()].push((a, b)),
                FaultKind::Slow { factor_pct } => w.slow[f.service.index()].push((a, b, factor_pct)),
            }
        }
        w
    }

    /// Refuses fault windows outside the limits.
    pub(crate) fn check(faults: &[Fault]) -> Result<(), String> {
        use super::chain::limits;
        check_range("fault windows", faults.len() as u64, 0, limits::FAULTS_MAX as u64)?;
        for f in faults {
            let n = f.service.name();
            let t = u64::from(limits::TIME_MS_MAX);
            check_range(&format!("{n}'s fault start (ms)"), u64::from(f.from_ms), 0, t)?;
            check_range(&format!("{n}'s fault end (ms)"), u64::from(f.to_ms), u64::from(f.from_ms) + 1, t)?;
            if let FaultKind::Slow { factor_pct } = f.kind {
                check_range(
                    &format!("{n}'s slowdown (percent)"),
                    u64::from(factor_pct),
                    1,
                    u64::from(limits::SLOW_PCT_MAX),
                )?;
            }
        }
        Ok(())
    }

    /// True when `s` is down at `t`.
    pub(crate) fn down(&self, s: Service, t: SimTime) -> bool {
        self.down[s.index()].iter().any(|&(a, b)| (a..b).contains(&t))
    }

    /// The latency factor of `s` at `t`, percent (the largest of the slow windows covering `t`; 100 if none).
    pub(crate) fn slow_pct(&self, s: Service, t: SimTime) -> u32 {
        self.slow[s.index()].iter().filter(|&&(a, b, _)| (a..b).contains(&t)).map(|&(_, _, f)| f).max().unwrap_or(100)
    }

    /// The end of the last down window of `s`, µs (0 if none).
    pub(crate) fn last_down_end(&self, s: Service) -> SimTime {
        self.down[s.index()].iter().map(|&(_, b)| b).max().unwrap_or(0)
    }
}

/// A service's latency: base plus exponential jitter, times the slowdown.
pub(crate) fn latency_us(rng: &mut SimRng, spec: &ServiceSpec, slow_pct: u32) -> SimTime {
    let l = u64::from(spec.base_us) + if spec.jitter_us > 0 { exp_us(rng, f64::from(spec.jitter_us)) } else { 0 };
    l * u64::from(slow_pct) / 100
}

/// `n` arrival times of a Poisson stream of `rate_per_s`, from `seed` alone.
pub(crate) fn arrivals(n: u32, rate_per_s: u32, seed: u64) -> Vec<SimTime> {
    let mut rng = SimRng::new(seed);
    let mean = 1_000_000.0 / f64::from(rate_per_s.max(1));
    let mut t = 0;
    (0..n)
        .map(|_| {
            t += exp_us(&mut rng, mean);
            t
        })
        .collect()
}

/// A latency summary in milliseconds: the mean and the nearest-rank percentiles.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LatencyMs {
    pub count: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl From<&Summary> for LatencyMs {
    fn from(s: &Summary) -> Self {
        Self {
            count: s.count,
            mean_ms: s.mean_us / 1_000.0,
            p50_ms: s.p50_us as f64 / 1_000.0,
            p99_ms: s.p99_us as f64 / 1_000.0,
            max_ms: s.max_us as f64 / 1_000.0,
        }
    }
}
