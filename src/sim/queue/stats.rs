//! Random variates and order statistics shared by the queue simulations. Anything that decides a number
//! uses `libm` (a pinned pure-Rust libm) so a run is bit-identical natively and in wasm.

use crate::sim::kernel::{MICROS_PER_S, SimRng, SimTime};

/// Longest single delay a variate may produce (about 11.6 virtual days), so sums never overflow.
const DELAY_MAX_US: f64 = 1e12;

/// An exponential delay with the given mean in microseconds, by inversion: `-mean · ln(1 - u)`.
/// `u` is in `[0, 1)`, so `1 - u` is in `(0, 1]` and the logarithm is finite: the u = 0 guard.
pub fn exp_delay_us(rng: &mut SimRng, mean_us: f64) -> SimTime {
    let v = 1.0 - rng.unit_f64();
    let x = -mean_us * libm::log(v);
    libm::round(x.min(DELAY_MAX_US)) as SimTime
}

/// An exponential delay for a rate per second (mean `1/rate` s), in microseconds.
pub fn exp_delay_for_rate(rng: &mut SimRng, rate_per_s: f64) -> SimTime {
    exp_delay_us(rng, MICROS_PER_S as f64 / rate_per_s)
}

/// Microseconds to seconds.
pub fn secs(us: SimTime) -> f64 {
    us as f64 / MICROS_PER_S as f64
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `p`% of the values at
/// or below it (rank `ceil(p/100 · n)`). `None` when there are no values.
pub fn nearest_rank(sorted: &[SimTime], p: f64) -> Option<SimTime> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = libm::ceil(p / 100.0 * n as f64) as usize;
    Some(sorted[rank.clamp(1, n) - 1])
}

/// p50, p95 and p99 (nearest rank) of unsorted values, in seconds; zeros when empty.
pub fn percentiles_s(values: &mut [SimTime]) -> [f64; 3] {
    values.sort_unstable();
    [50.0, 95.0, 99.0].map(|p| nearest_rank(values, p).map_or(0.0, secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_follows_the_definition() {
        let v: Vec<SimTime> = (1..=100).collect();
        assert_eq!(nearest_rank(&v, 50.0), Some(50));
        assert_eq!(nearest_rank(&v, 95.0), Some(95));
        assert_eq!(nearest_rank(&v, 99.0), Some(99));
        assert_eq!(nearest_rank(&[7], 99.0), Some(7));
        assert_eq!(nearest_rank(&[1, 2, 3], 50.0), Some(2));
        assert_eq!(nearest_rank(&[], 50.0), None);
    }

    #[test]
    fn exponential_mean_is_close() {
        let mut rng = SimRng::new(3);
        let n = 200_000;
        let sum: u64 = (0..n).map(|_| exp_delay_us(&mut rng, 1000.0)).sum();
        let mean = sum as f64 / f64::from(n);
        assert!((mean - 1000.0).abs() < 10.0, "{mean}");
    }
}
