//! The distributions the caching lab's runs report (placement, consistency, CDN): an exact `Tally` of
//! values that take few distinct values (latencies built from a handful of fixed costs), fixed-width
//! `Bins` for continuous ones (the age of a cached copy), both summed up as a [`Summary`] with
//! nearest-rank percentiles and a [`Histogram`] of fixed buckets a page can chart; and the exponential
//! variate the Poisson processes draw.

use crate::sim::kernel::SimRng;
use serde::Serialize;
use std::collections::BTreeMap;

/// Longest single exponential delay drawn, µs (about 11.6 virtual days), so sums never overflow.
const DELAY_MAX_US: f64 = 1e12;

/// An exponential delay of mean `mean_us` microseconds, by inversion: `-mean · ln(1 - u)` with `u` in
/// `[0, 1)`, so the logarithm is finite; `libm`'s `log`, so every machine draws the same values. Rounded
/// to the microsecond.
pub(crate) fn exp_us(rng: &mut SimRng, mean_us: f64) -> u64 {
    let v = 1.0 - rng.unit_f64();
    libm::round((-mean_us * libm::log(v)).min(DELAY_MAX_US)) as u64
}

/// Values summed up: how many, their mean, the nearest-rank 50th, 90th and 99th percentiles (the
/// smallest value with at least p% of the values at or below it) and the largest, all in µs.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    pub count: u64,
    pub mean_us: f64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

/// Fixed buckets: bucket `i` counts the values in `[i · bucket_us, (i + 1) · bucket_us)`, the last one
/// also every larger value, so no value is left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Histogram {
    pub bucket_us: u64,
    pub counts: Vec<u64>,
}

/// Nearest rank of percentile `p` (an integer percent) among `n` values: `ceil(p · n / 100)`, at least 1.
fn rank(p: u64, n: u64) -> u64 {
    (p * n).div_ceil(100).max(1)
}

/// An exact count of every distinct value (µs): memory is one entry per distinct value, few when the
/// values are sums of a handful of fixed costs, and at most one per value added.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    counts: BTreeMap<u64, u64>,
    n: u64,
    sum: u128,
}

impl Tally {
    pub(crate) fn add(&mut self, v: u64) {
        *self.counts.entry(v).or_default() += 1;
        self.n += 1;
        self.sum += u128::from(v);
    }

    /// Values added so far.
    pub(crate) fn count(&self) -> u64 {
        self.n
    }

    /// The smallest value with at least `p`% of the values at or below it (0 when empty).
    fn percentile(&self, p: u64) -> u64 {
        let r = rank(p, self.n);
        let mut seen = 0;
        for (&v, &c) in &self.counts {
            seen += c;
            if seen >= r {
                return v;
            }
        }
        0
    }

    pub(crate) fn summary(&self) -> Summary {
        if self.n == 0 {
            return Summary::default();
        }
        Summary {
            count: self.n,
            mean_us: self.sum as f64 / self.n as f64,
            p50_us: self.percentile(50),
            p90_us: self.percentile(90),
            p99_us: self.percentile(99),
            max_us: self.counts.keys().next_back().copied().unwrap_or(0),
        }
    }

    /// The values in `buckets` buckets of `bucket_us` (at least 1), the last one open-ended.
    pub(crate) fn histogram(&self, bucket_us: u64, buckets: usize) -> Histogram {
        let bucket_us = bucket_us.max(1);
        let mut counts = vec![0u64; buckets.max(1)];
        let last = counts.len() - 1;
        for (&v, &c) in &self.counts {
            counts[((v / bucket_us) as usize).min(last)] += c;
        }
        Histogram { bucket_us, counts }
    }
}

/// Values counted in fixed-width bins: constant memory whatever the number of values, with the mean and
/// the largest value exact and each percentile the upper edge of its bin (never more than the largest
/// value), so within one bin's width above the exact one.
#[derive(Clone, Debug)]
pub(crate) struct Bins {
    width_us: u64,
    counts: Vec<u64>,
    n: u64,
    sum: u128,
    max: u64,
}

impl Bins {
    /// `bins` bins (at least 1) of `width_us` (at least 1); values past the last bin count in it.
    pub(crate) fn new(width_us: u64, bins: usize) -> Self {
        Self { width_us: width_us.max(1), counts: vec![0; bins.max(1)], n: 0, sum: 0, max: 0 }
    }

    pub(crate) fn add(&mut self, v: u64) {
        let last = self.counts.len() - 1;
        self.counts[((v / self.width_us) as usize).min(last)] += 1;
        self.n += 1;
        self.sum += u128::from(v);
        self.max = self.max.max(v);
    }

    fn percentile(&self, p: u64) -> u64 {
        let r = rank(p, self.n);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= r {
                return ((i as u64 + 1) * self.width_us).min(self.max);
            }
        }
        self.max
    }

    pub(crate) fn summary(&self) -> Summary {
        if self.n == 0 {
            return Summary::default();
        }
        Summary {
            count: self.n,
            mean_us: self.sum as f64 / self.n as f64,
            p50_us: self.percentile(50),
            p90_us: self.percentile(90),
            p99_us: self.percentile(99),
            max_us: self.max,
        }
    }

    /// The bins merged `per` at a time (at least 1) into a coarser histogram for a chart.
    pub(crate) fn histogram(&self, per: usize) -> Histogram {
        let per = per.max(1);
        Histogram {
            bucket_us: self.width_us * per as u64,
            counts: self.counts.chunks(per).map(|c| c.iter().sum()).collect(),
        }
    }
}

/// A bucket width for `buckets` buckets covering `0..=top_us`: the smallest 1, 2 or 5 × 10^k µs that
/// does, so a chart's axis reads in round numbers.
pub(crate) fn round_bucket_us(top_us: u64, buckets: u64) -> u64 {
    let need = top_us.div_ceil(buckets.max(1)).max(1);
    let mut unit = 1u64;
    loop {
        for m in [1, 2, 5] {
            if unit * m >= need {
                return unit * m;
            }
        }
        unit *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_percentiles_follow_the_nearest_rank_definition() {
        let mut t = Tally::default();
        for v in 1..=100 {
            t.add(v);
        }
        let s = t.summary();
        assert_eq!((s.count, s.p50_us, s.p90_us, s.p99_us, s.max_us), (100, 50, 90, 99, 100));
        assert!((s.mean_us - 50.5).abs() < 1e-12);
        let mut one = Tally::default();
        one.add(7);
        assert_eq!(one.summary().p99_us, 7);
        assert_eq!(Tally::default().summary(), Summary::default());
    }

    #[test]
    fn tally_histogram_keeps_every_value() {
        let mut t = Tally::default();
        for v in [0, 9, 10, 25, 1_000] {
            t.add(v);
        }
        let h = t.histogram(10, 3);
        assert_eq!(h.counts, vec![2, 1, 2]);
    }

    #[test]
    fn bins_are_within_one_width_of_the_exact_percentile() {
        let mut b = Bins::new(10, 100);
        let mut t = Tally::default();
        for v in 0..1000u64 {
            let x = (v * 7919) % 997;
            b.add(x);
            t.add(x);
        }
        let (a, e) = (b.summary(), t.summary());
        assert_eq!((a.count, a.max_us), (e.count, e.max_us));
        assert!((a.mean_us - e.mean_us).abs() < 1e-9);
        for (x, y) in [(a.p50_us, e.p50_us), (a.p90_us, e.p90_us), (a.p99_us, e.p99_us)] {
            assert!(x >= y && x <= y + 10, "{x} vs {y}");
        }
        assert_eq!(b.histogram(10).counts.iter().sum::<u64>(), 1000);
    }

    #[test]
    fn round_buckets() {
        assert_eq!(round_bucket_us(225_500, 24), 10_000);
        assert_eq!(round_bucket_us(100, 100), 1);
        assert_eq!(round_bucket_us(0, 10), 1);
        assert_eq!(round_bucket_us(1_100, 10), 200);
    }

    #[test]
    fn exponential_mean_is_close() {
        let mut rng = SimRng::new(3);
        let n = 200_000;
        let mean = (0..n).map(|_| exp_us(&mut rng, 1_000.0)).sum::<u64>() as f64 / n as f64;
        assert!((mean - 1_000.0).abs() < 10.0, "{mean}");
    }
}
