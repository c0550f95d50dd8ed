//! Probabilistically bounded staleness (Bailis, Venkataraman, Franklin, Hellerstein and Stoica, "PBS:
//! Probabilistically Bounded Staleness for Practical Partial Quorums", VLDB 2012), measured against its
//! closed form.
//!
//! A trial: a write is acknowledged by a uniformly random W of the N replicas, and a read asks a
//! uniformly random R of them right after, before any further propagation. The read is stale when its R
//! replicas and the write's W are disjoint, with probability C(N-W, R) / C(N, R) (zero when R + W > N).
//!
//! The window closing: after the acknowledgement, each of the N - W other replicas receives the write
//! after an independent exponential delay of mean m. A read at time t after the acknowledgement is stale
//! when its R replicas are all among those N - W and none has received the write yet:
//! p_stale(t) = C(N-W, R) / C(N, R) · e^(-R t / m).

use crate::sim::check_range;
use crate::sim::kernel::SimRng;
use serde::Serialize;

/// Limits of the experiment.
pub mod limits {
    /// Replicas N (a set of them is a bit mask of 64).
    pub const N_MAX: u32 = 64;
    /// Replicas drawn in all (trials × (W + R)): about a second natively.
    pub const DRAWS_MAX: u64 = 200_000_000;
    /// Longest mean propagation delay, ms.
    pub const MEAN_DELAY_MS_MAX: f64 = 3_600_000.0;
}

/// The z of a two-sided 95% normal interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The times after the acknowledgement at which the window is shown, in means of the delay.
pub const WINDOW_MEANS: [f64; 7] = [0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0];

/// C(n, k) exactly (0 when k > n); exact for every n <= 64 (C(64, 32) < 2^61).
pub fn binomial(n: u32, k: u32) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    // After step i the value is C(n - k + i, i), an integer, so each division is exact.
    (1..=u128::from(k)).fold(1u128, |c, i| c * (u128::from(n - k) + i) / i)
}

/// The probability that a read of R random replicas misses a write acknowledged by W random replicas
/// of N: C(N-W, R) / C(N, R).
pub fn p_stale_theory(n: u32, w: u32, r: u32) -> f64 {
    binomial(n - w, r) as f64 / binomial(n, r) as f64
}

/// The same, a time `t` after the acknowledgement, when each other replica receives the write after an
/// exponential delay of mean `mean` (same unit as `t`).
pub fn p_stale_at(n: u32, w: u32, r: u32, t: f64, mean: f64) -> f64 {
    p_stale_theory(n, w, r) * libm::exp(-f64::from(r) * t / mean)
}

/// The Wilson score interval of a proportion, at normal quantile `z`.
pub fn wilson(successes: u64, trials: u64, z: f64) -> (f64, f64) {
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * libm::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// One moment of the closing window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowPoint {
    pub t_ms: f64,
    pub p_stale: f64,
    pub theory: f64,
}

/// The measured staleness beside the theory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Staleness {
    pub n: u32,
    pub w: u32,
    pub r: u32,
    pub trials: u64,
    pub seed: u64,
    /// Trials whose read missed the write (right after the acknowledgement).
    pub stale: u64,
    pub p_stale: f64,
    pub theory: f64,
    /// The 95% Wilson score interval of the measured fraction.
    pub ci95: [f64; 2],
    /// R + W > N: every read meets every acknowledged write.
    pub strict_quorum: bool,
    pub mean_delay_ms: f64,
    pub window: Vec<WindowPoint>,
}

/// `k` distinct replicas of `0..n`, uniformly, as a bit mask (Floyd's algorithm: exactly k draws).
fn subset(rng: &mut SimRng, n: u32, k: u32) -> u64 {
    let mut set = 0u64;
    for j in n - k..n {
        let t = rng.below(u64::from(j) + 1) as u32;
        set |= if set & (1 << t) != 0 { 1 << j } else { 1 << t };
    }
    set
}

/// Refuses parameters outside the limits, with a sentence.
pub fn validate(n: u32, w: u32, r: u32, trials: u64, mean_delay_ms: f64) -> Result<(), String> {
    check_range("N (replicas)", u64::from(n), 1, u64::from(limits::N_MAX))?;
    check_range("W (write quorum)", u64::from(w), 1, u64::from(n))?;
    check_range("R (read quorum)", u64::from(r), 1, u64::from(n))?;
    check_range("trials", trials, 1, limits::DRAWS_MAX)?;
    if trials.saturating_mul(u64::from(w + r)) > limits::DRAWS_MAX {
        return Err(format!(
            "too much work: {trials} trials of W + R = {} draws each exceed {} draws; lower the trials",
            w + r,
            limits::DRAWS_MAX
        ));
    }
    if !(mean_delay_ms.is_finite() && mean_delay_ms > 0.0 && mean_delay_ms <= limits::MEAN_DELAY_MS_MAX) {
        return Err(format!(
            "the mean propagation delay must be above 0 and at most {} ms (got {mean_delay_ms})",
            limits::MEAN_DELAY_MS_MAX
        ));
    }
    Ok(())
}

/// Runs `trials` trials from `seed`: the stale fraction right after the acknowledgement, and at the
/// times of [`WINDOW_MEANS`] with propagation delays of mean `mean_delay_ms`.
pub fn measure(n: u32, w: u32, r: u32, trials: u64, seed: u64, mean_delay_ms: f64) -> Result<Staleness, String> {
    let mut m = Measure::new(n, w, r, trials, seed, mean_delay_ms)?;
    m.advance(trials);
    Ok(m.finish())
}

/// [`measure`] a number of trials at a time, for a page that computes it in slices.
#[derive(Debug, Clone)]
pub struct Measure {
    n: u32,
    w: u32,
    r: u32,
    trials: u64,
    seed: u64,
    mean_delay_ms: f64,
    rng: SimRng,
    done: u64,
    stale: u64,
    stale_at: [u64; WINDOW_MEANS.len()],
}

impl Measure {
    /// The measurement before its first trial, once the parameters check.
    pub fn new(n: u32, w: u32, r: u32, trials: u64, seed: u64, mean_delay_ms: f64) -> Result<Self, String> {
        validate(n, w, r, trials, mean_delay_ms)?;
        Ok(Self {
            n,
            w,
            r,
            trials,
            seed,
            mean_delay_ms,
            rng: SimRng::new(seed),
            done: 0,
            stale: 0,
            stale_at: [0; WINDOW_MEANS.len()],
        })
    }

    /// Runs at most `max` more trials; true once all are done.
    pub fn advance(&mut self, max: u64) -> bool {
        let (n, w, r) = (self.n, self.w, self.r);
        let todo = max.min(self.trials - self.done);
        for _ in 0..todo {
            let acked = subset(&mut self.rng, n, w);
            let read = subset(&mut self.rng, n, r);
            if acked & read != 0 {
                continue;
            }
            self.stale += 1;
            // The read's replicas all lack the write at the acknowledgement; it is stale at t while the
            // first of them to receive it has not (the minimum of R exponential delays, in means).
            let rng = &mut self.rng;
            let first = (0..r).map(|_| -libm::log(1.0 - rng.unit_f64())).fold(f64::INFINITY, f64::min);
            for (count, &t) in self.stale_at.iter_mut().zip(&WINDOW_MEANS) {
                *count += u64::from(first > t);
            }
        }
        self.done += todo;
        self.done == self.trials
    }

    /// Trials done so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// The result (of the trials done so far; all of them once `advance` said so).
    pub fn finish(&self) -> Staleness {
        let (n, w, r, trials, stale) = (self.n, self.w, self.r, self.done.max(1), self.stale);
        let (low, high) = wilson(stale, trials, Z95);
        let window = WINDOW_MEANS
            .iter()
            .zip(self.stale_at)
            .map(|(&t, count)| WindowPoint {
                t_ms: t * self.mean_delay_ms,
                p_stale: count as f64 / trials as f64,
                theory: p_stale_at(n, w, r, t, 1.0),
            })
            .collect();
        Staleness {
            n,
            w,
            r,
            trials: self.done,
            seed: self.seed,
            stale,
            p_stale: stale as f64 / trials as f64,
            theory: p_stale_theory(n, w, r),
            ci95: [low, high],
            strict_quorum: r + w > n,
            mean_delay_ms: self.mean_delay_ms,
            window,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomials_are_exact() {
        assert_eq!(binomial(5, 2), 10);
        assert_eq!(binomial(3, 4), 0);
        assert_eq!(binomial(0, 0), 1);
        assert_eq!(binomial(64, 32), 1_832_624_140_942_590_534);
        assert_eq!(binomial(64, 1), 64);
        // Pascal's rule over the whole table.
        for n in 1..=64 {
            for k in 1..n {
                assert_eq!(binomial(n, k), binomial(n - 1, k - 1) + binomial(n - 1, k), "C({n}, {k})");
            }
        }
    }

    #[test]
    fn theory_matches_worked_values() {
        // N=3, W=1, R=1: the read hits one of the two others with probability 2/3.
        assert!((p_stale_theory(3, 1, 1) - 2.0 / 3.0).abs() < 1e-15);
        // N=5, W=2, R=2: C(3,2)/C(5,2) = 3/10.
        assert!((p_stale_theory(5, 2, 2) - 0.3).abs() < 1e-15);
        assert_eq!(p_stale_theory(3, 2, 2), 0.0, "R + W > N never misses");
        assert_eq!(p_stale_theory(1, 1, 1), 0.0);
    }

    #[test]
    fn measuring_in_slices_gives_the_whole_measurement() {
        let whole = measure(5, 2, 2, 3_001, 9, 10.0).unwrap();
        let mut m = Measure::new(5, 2, 2, 3_001, 9, 10.0).unwrap();
        let mut slices = 0;
        while !m.advance(700) {
            slices += 1;
        }
        assert_eq!(slices, 4);
        assert_eq!(m.done(), 3_001);
        assert_eq!(m.finish(), whole);
    }

    #[test]
    fn subsets_have_k_members_uniformly() {
        let mut rng = SimRng::new(3);
        let mut hits = [0u32; 6];
        for _ in 0..60_000 {
            let s = subset(&mut rng, 6, 2);
            assert_eq!(s.count_ones(), 2);
            (0..6).filter(|i| s & (1 << i) != 0).for_each(|i| hits[i] += 1);
        }
        // Each replica is in a 2-subset of 6 with probability 1/3: 20,000 expected, sd about 115.
        assert!(hits.iter().all(|&h| (19_400..20_600).contains(&h)), "{hits:?}");
        assert_eq!(subset(&mut rng, 64, 64), u64::MAX);
    }

    /// The measured fraction lies within the Wilson interval at z = 4 (two-sided 99.994%) of the
    /// theory, for several (N, W, R); the seeds are fixed, so this cannot flake.
    #[test]
    fn measured_staleness_agrees_with_theory() {
        for (n, w, r) in [(3, 1, 1), (3, 2, 1), (5, 1, 2), (5, 2, 2), (7, 3, 2), (10, 2, 3), (3, 2, 2), (5, 3, 3)] {
            let m = measure(n, w, r, 200_000, 7 + u64::from(n * 100 + w * 10 + r), 10.0).unwrap();
            let (low, high) = wilson(m.stale, m.trials, 4.0);
            assert!((low..=high).contains(&m.theory), "N={n} W={w} R={r}: {} vs {}", m.p_stale, m.theory);
            if r + w > n {
                assert_eq!(m.stale, 0, "a strict quorum is never stale");
            }
            assert!(m.ci95[0] <= m.p_stale && m.p_stale <= m.ci95[1]);
            // The window: every point within z = 4 of its theory, closing monotonically.
            for p in &m.window {
                let sd = (p.theory * (1.0 - p.theory) / m.trials as f64).sqrt();
                assert!((p.p_stale - p.theory).abs() <= 4.0 * sd + 1e-12, "N={n} W={w} R={r} t={}: {p:?}", p.t_ms);
            }
            assert!(m.window.windows(2).all(|x| x[1].p_stale <= x[0].p_stale));
            assert_eq!(m.window[0].p_stale, m.p_stale, "at t = 0 the window is the plain staleness");
        }
    }

    #[test]
    fn bad_parameters_are_sentences() {
        assert_eq!(measure(3, 4, 1, 10, 1, 10.0).unwrap_err(), "W (write quorum) must be between 1 and 3 (got 4)");
        assert!(measure(65, 1, 1, 10, 1, 10.0).unwrap_err().starts_with("N (replicas) must be between 1 and 64"));
        assert!(measure(64, 64, 64, 10_000_000, 1, 10.0).unwrap_err().contains("lower the trials"));
        assert!(measure(3, 1, 1, 10, 1, f64::NAN).unwrap_err().contains("mean propagation delay"));
    }
}
