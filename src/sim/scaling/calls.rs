//! The notes' IPC against RPC: a request that calls `services` other services, in one process (a call
//! costs `in_process_ns`) or each over the network, one after another or all at once; and a
//! transaction across machines (two-phase commit) against a local one.
//!
//! **A network call's round trip** is `rtt_us` (propagation, serialisation, the stack) plus an
//! exponential jitter of mean `jitter_us`, plus `slow_ms` with probability `slow_permille` / 1000 (a
//! retransmission, a pause of the collector at the callee). Theory: the mean of a chain of k calls is k
//! times the mean round trip; a request waits for a slow call with probability 1 - (1 - p)^k (Dean and
//! Barroso, "The Tail at Scale", 2013: at p = 1% and k = 100, 63%); k calls at once wait for the slowest,
//! whose jitter has mean `jitter_us` × H_k (the k-th harmonic number: the maximum of k exponentials).
//!
//! **Two-phase commit** with `participants` machines, the coordinator apart: it sends *prepare* to all
//! at once; each forces a *prepared* record to its log (`fsync_us`) and votes; once every vote is in, the
//! coordinator forces its *commit* decision and sends *commit*; each participant applies it, releases its
//! locks and acknowledges (its commit record written lazily). The transaction's locks are held from
//! *prepare* to *commit* at each participant: two round trips to the slowest participant and two forced
//! writes in a row; messages 4 × participants, forced writes participants + 1. A local transaction holds
//! its lock for one forced write. One hot row, locked by each transaction in turn, commits at most
//! 1 / (lock time) transactions a second: the notes' "we have to lock all the servers, which is
//! impractical".

use crate::sim::kernel::SimRng;
use crate::sim::queue::stats::exp_delay_for_rate;
use serde::{Deserialize, Serialize};

/// Limits.
pub mod limits {
    pub const SERVICES_MAX: u32 = 100;
    pub const PARTICIPANTS_MAX: u32 = 50;
    /// Most requests sampled.
    pub const SAMPLES: u32 = 20_000;
    /// Most round trips drawn in all (fewer samples for the largest settings: a few tens of ms in a page).
    pub const DRAWS: u32 = 2_000_000;
    /// Largest time setting, µs (10 s).
    pub const TIME_US_MAX: u32 = 10_000_000;
}

/// The calls' settings (whole numbers: a scenario compares and hashes them exactly).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calls {
    /// Services a request calls.
    pub services: u32,
    /// Calls them at once (else one after another).
    pub parallel: bool,
    pub in_process_ns: u32,
    pub rtt_us: u32,
    pub jitter_us: u32,
    pub slow_permille: u32,
    pub slow_ms: u32,
    /// Machines in a transaction across machines.
    pub participants: u32,
    /// A forced write to a log.
    pub fsync_us: u32,
}

impl Default for Calls {
    /// Five services; a function call of 50 ns against a round trip of 500 µs in one datacenter with
    /// 200 µs of jitter, 1% of calls 50 ms late; three participants; a forced write of 1 ms (an SSD's
    /// flush).
    fn default() -> Self {
        Self {
            services: 5,
            parallel: false,
            in_process_ns: 50,
            rtt_us: 500,
            jitter_us: 200,
            slow_permille: 10,
            slow_ms: 50,
            participants: 3,
            fsync_us: 1_000,
        }
    }
}

impl Calls {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    pub fn validate(&self) -> Result<(), String> {
        crate::sim::check_range(
            "the services a request calls",
            u64::from(self.services),
            1,
            u64::from(limits::SERVICES_MAX),
        )?;
        crate::sim::check_range(
            "the participants",
            u64::from(self.participants),
            1,
            u64::from(limits::PARTICIPANTS_MAX),
        )?;
        crate::sim::check_range("the slow calls (per thousand)", u64::from(self.slow_permille), 0, 1000)?;
        for (what, v) in [
            ("a call in one process (ns)", self.in_process_ns),
            ("the round trip (µs)", self.rtt_us),
            ("the jitter (µs)", self.jitter_us),
            ("a forced write (µs)", self.fsync_us),
        ] {
            crate::sim::check_range(what, u64::from(v), 0, u64::from(limits::TIME_US_MAX))?;
        }
        crate::sim::check_range("a slow call's delay (ms)", u64::from(self.slow_ms), 0, 10_000)
    }

    /// One network round trip, µs, and whether it was a slow one.
    fn round_trip(&self, rng: &mut SimRng) -> (f64, bool) {
        let jitter =
            if self.jitter_us == 0 { 0.0 } else { exp_delay_for_rate(rng, 1e6 / f64::from(self.jitter_us)) as f64 };
        let slow = self.slow_permille > 0 && rng.below(1000) < u64::from(self.slow_permille);
        (f64::from(self.rtt_us) + jitter + if slow { f64::from(self.slow_ms) * 1000.0 } else { 0.0 }, slow)
    }

    /// Theory: a network round trip's mean, µs.
    pub fn mean_round_trip_us(&self) -> f64 {
        f64::from(self.rtt_us)
            + f64::from(self.jitter_us)
            + f64::from(self.slow_permille) / 1000.0 * f64::from(self.slow_ms) * 1000.0
    }

    /// Theory: the share of requests that wait for at least one slow call.
    pub fn slow_share(&self) -> f64 {
        1.0 - (1.0 - f64::from(self.slow_permille) / 1000.0).powi(self.services as i32)
    }
}

/// The n-th harmonic number.
pub fn harmonic(n: u32) -> f64 {
    (1..=n).map(|i| 1.0 / f64::from(i)).sum()
}

/// Latency figures, µs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Latency {
    pub mean_us: f64,
    pub p50_us: f64,
    pub p99_us: f64,
}

fn latency(mut v: Vec<f64>) -> Latency {
    v.sort_by(f64::total_cmp);
    let rank = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Latency { mean_us: v.iter().sum::<f64>() / v.len() as f64, p50_us: rank(0.5), p99_us: rank(0.99) }
}

/// What the calls measured, with theory beside.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallsReport {
    pub samples: u32,
    pub in_process: Latency,
    pub network: Latency,
    /// Requests that waited for at least one slow call, measured and from theory.
    pub slow_share: f64,
    pub slow_share_theory: f64,
    /// The network's mean from theory.
    pub network_mean_theory_us: f64,
    pub local_tx: Latency,
    pub two_phase: Latency,
    /// Two-phase commit's lock time from theory (mean).
    pub two_phase_mean_theory_us: f64,
    pub two_phase_messages: u32,
    pub two_phase_forced_writes: u32,
    /// Most commits a second on one hot row (1 / mean lock time).
    pub hot_row_local_per_s: f64,
    pub hot_row_two_phase_per_s: f64,
}

/// The mean of the slowest of `n` round trips, µs, from theory: `rtt_us` plus the integral of
/// 1 - F(x)^n, F the distribution of the jitter plus the slow delay (with no slow calls, H_n times the
/// jitter's mean: the maximum of n exponentials).
pub fn slowest_of_mean_us(c: &Calls, n: u32) -> f64 {
    let p = f64::from(c.slow_permille) / 1000.0;
    let (m, slow) = (f64::from(c.jitter_us), f64::from(c.slow_ms) * 1000.0);
    let any_slow = 1.0 - (1.0 - p).powi(n as i32);
    if m == 0.0 {
        return f64::from(c.rtt_us) + any_slow * slow;
    }
    if p == 0.0 || slow == 0.0 {
        return f64::from(c.rtt_us) + m * harmonic(n);
    }
    let cdf = |x: f64| {
        let fast = 1.0 - (-x / m).exp();
        let late = if x >= slow { 1.0 - (-(x - slow) / m).exp() } else { 0.0 };
        (1.0 - p) * fast + p * late
    };
    // Simpson's rule up to where 1 - F^n is below 1e-12 of the range's scale; the kink at `slow` is
    // a grid point.
    let end = slow + m * (40.0 + f64::from(n).ln());
    let steps = 20_000usize;
    let h = end / steps as f64;
    let tail = |x: f64| 1.0 - cdf(x).powi(n as i32);
    let simpson = |a: f64, b: f64, k: usize| {
        let h = (b - a) / k as f64;
        let inner: f64 = (1..k).map(|i| tail(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 }).sum();
        (tail(a) + tail(b) + inner) * h / 3.0
    };
    let before = ((slow / h).round() as usize).clamp(2, steps - 2) & !1;
    f64::from(c.rtt_us) + simpson(0.0, slow, before.max(2)) + simpson(slow, end, (steps - before).max(2) & !1)
}

/// Samples requests and transactions from `seed`: `limits::SAMPLES`, or fewer to keep within
/// `limits::DRAWS` round trips.
pub fn measure(c: &Calls, seed: u64) -> CallsReport {
    let mut rng = SimRng::new(seed ^ 0x0ca1_15ca_11ed);
    let n = limits::SAMPLES.min(limits::DRAWS / (c.services + 2 * c.participants).max(1));
    let k = c.services;
    let (mut net, mut two, mut slow) = (Vec::new(), Vec::new(), 0u32);
    let in_process_us = f64::from(c.in_process_ns) * f64::from(k) / 1000.0;
    let fsync = f64::from(c.fsync_us);
    for _ in 0..n {
        let mut any_slow = false;
        let trips: Vec<f64> = (0..k)
            .map(|_| {
                let (t, s) = c.round_trip(&mut rng);
                any_slow |= s;
                t
            })
            .collect();
        slow += u32::from(any_slow);
        net.push(if c.parallel { trips.iter().copied().fold(0.0, f64::max) } else { trips.iter().sum() });
        let phase = |rng: &mut SimRng| (0..c.participants).map(|_| c.round_trip(rng).0).fold(0.0, f64::max);
        let prepare = phase(&mut rng);
        let commit = phase(&mut rng);
        // Prepare, the participants' forced write, the decision's forced write, commit.
        two.push(prepare + fsync + fsync + commit);
    }
    // A local transaction holds its lock for one forced write, always the same.
    let (local, two_phase) = (Latency { mean_us: fsync, p50_us: fsync, p99_us: fsync }, latency(two));
    let one = if c.parallel { slowest_of_mean_us(c, k) } else { f64::from(k) * c.mean_round_trip_us() };
    CallsReport {
        samples: n,
        in_process: Latency { mean_us: in_process_us, p50_us: in_process_us, p99_us: in_process_us },
        network: latency(net),
        slow_share: f64::from(slow) / f64::from(n),
        slow_share_theory: c.slow_share(),
        network_mean_theory_us: one,
        two_phase_mean_theory_us: 2.0 * slowest_of_mean_us(c, c.participants) + 2.0 * fsync,
        two_phase_messages: 4 * c.participants,
        two_phase_forced_writes: c.participants + 1,
        hot_row_local_per_s: if local.mean_us > 0.0 { 1e6 / local.mean_us } else { f64::INFINITY },
        hot_row_two_phase_per_s: 1e6 / two_phase.mean_us.max(1e-9),
        local_tx: local,
        two_phase,
    }
}
