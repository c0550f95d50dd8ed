//! Che's approximation of LRU's hit ratio (Che, Tung & Wang, 2002): under the independent reference
//! model (each request draws key i with probability p_i, independently), a key stays in an LRU cache
//! of size C for about one characteristic time T after its last request, whatever the key, and T solves
//!
//!   Σ_i (1 − e^(−p_i T)) = C,
//!
//! the expected number of distinct keys requested within T filling the cache. Key i then hits with
//! probability 1 − e^(−p_i T), and the hit ratio is Σ_i p_i (1 − e^(−p_i T)). A closed form to check
//! the simulation against, and to say why a bigger cache helps less and less on a skewed workload.

/// Zipf(s) popularity over `n` keys: p_k = k^−s / Σ_j j^−s, key 1 first.
pub fn zipf_popularity(n: u64, s: f64) -> Vec<f64> {
    let weights: Vec<f64> = (1..=n).map(|k| libm::pow(k as f64, -s)).collect();
    let total: f64 = weights.iter().sum();
    weights.into_iter().map(|w| w / total).collect()
}

/// The expected number of distinct keys among requests spanning time `t`, and its derivative in `t`.
fn filled(popularity: &[f64], t: f64) -> (f64, f64) {
    popularity.iter().fold((0.0, 0.0), |(f, d), &p| {
        let e = libm::exp(-p * t);
        (f + (1.0 - e), d + p * e)
    })
}

/// The characteristic time T of an LRU cache of `capacity` keys under `popularity` (probabilities
/// summing to 1), in requests; `None` when the cache holds every key requested at all (it then misses
/// only each key's first request). Newton's method from T = 0, which never overshoots because the left
/// side is increasing and concave in T, guarded by bisection.
pub fn characteristic_time(popularity: &[f64], capacity: usize) -> Option<f64> {
    let c = capacity as f64;
    let keys = popularity.iter().filter(|&&p| p > 0.0).count();
    if capacity >= keys {
        return None;
    }
    if capacity == 0 {
        return Some(0.0);
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while filled(popularity, hi).0 < c {
        lo = hi;
        hi *= 2.0;
    }
    let mut t = lo;
    for _ in 0..200 {
        let (f, d) = filled(popularity, t);
        let gap = f - c;
        if gap.abs() <= 1e-9 * c {
            return Some(t);
        }
        if gap < 0.0 {
            lo = t;
        } else {
            hi = t;
        }
        let newton = t - gap / d;
        t = if d > 0.0 && newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
    }
    Some(t)
}

/// LRU's hit ratio by Che's approximation for a cache of `capacity` keys under `popularity`.
pub fn hit_ratio(popularity: &[f64], capacity: usize) -> f64 {
    match characteristic_time(popularity, capacity) {
        None => 1.0,
        Some(t) => popularity.iter().map(|&p| p * (1.0 - libm::exp(-p * t))).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_popularity_has_a_closed_form() {
        // n equally popular keys: n (1 − e^(−T/n)) = C, so T = −n ln(1 − C/n) and the hit ratio is C/n.
        let p = vec![0.01; 100];
        let t = characteristic_time(&p, 30).unwrap();
        assert!((t - (-100.0 * libm::log(0.7))).abs() < 1e-6, "{t}");
        assert!((hit_ratio(&p, 30) - 0.3).abs() < 1e-9);
        assert_eq!(hit_ratio(&p, 100), 1.0);
        assert_eq!(hit_ratio(&p, 0), 0.0);
    }

    #[test]
    fn zipf_popularity_sums_to_one_and_skew_raises_the_hit_ratio() {
        let p = zipf_popularity(10_000, 0.8);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p.windows(2).all(|w| w[0] > w[1]));
        let h: Vec<f64> = [0.6, 0.8, 1.0, 1.2].iter().map(|&s| hit_ratio(&zipf_popularity(10_000, s), 500)).collect();
        assert!(h.windows(2).all(|w| w[0] < w[1]), "{h:?}");
        let t = characteristic_time(&p, 500).unwrap();
        let (filled_at_t, _) = filled(&p, t);
        assert!((filled_at_t - 500.0).abs() < 1e-6);
    }
}
