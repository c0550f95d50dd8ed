//! Zipf(s) over 1..=n: item k drawn with probability proportional to 1/k^s. Skewed popularity is what
//! the sharding lab's hot ids and the cache lab's workloads both need, so both draw from this one sampler.

use crate::sim::kernel::SimRng;

/// Zipf(s) over 1..=n by rejection-inversion (Hörmann & Derflinger 1996, as in Apache Commons RNG's
/// `RejectionInversionZipfSampler`), with `libm`'s functions so every machine draws the same values.
#[derive(Clone, Debug)]
pub struct Zipf {
    n: f64,
    s: f64,
    h_integral_x1: f64,
    h_integral_n: f64,
    cut: f64,
}

impl Zipf {
    /// The sampler over `n` items (at least one) with exponent `s` (0 or more: 0 is uniform). Callers
    /// check their settings first and refuse bad ones with a sentence; this only asserts.
    pub fn new(n: u64, s: f64) -> Self {
        assert!(n >= 1 && s >= 0.0, "Zipf needs at least one item and an exponent of 0 or more");
        let mut z = Self { n: n as f64, s, h_integral_x1: 0.0, h_integral_n: 0.0, cut: 0.0 };
        z.h_integral_x1 = z.h_integral(1.5) - 1.0;
        z.h_integral_n = z.h_integral(n as f64 + 0.5);
        z.cut = 2.0 - z.h_integral_inverse(z.h_integral(2.5) - z.h(2.0));
        z
    }

    fn h(&self, x: f64) -> f64 {
        libm::exp(-self.s * libm::log(x))
    }

    fn h_integral(&self, x: f64) -> f64 {
        let lx = libm::log(x);
        helper2((1.0 - self.s) * lx) * lx
    }

    fn h_integral_inverse(&self, x: f64) -> f64 {
        let t = (x * (1.0 - self.s)).max(-1.0);
        libm::exp(helper1(t) * x)
    }

    /// One draw in 1..=n.
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        loop {
            let u = self.h_integral_n + rng.unit_f64() * (self.h_integral_x1 - self.h_integral_n);
            let x = self.h_integral_inverse(u);
            let k = (x + 0.5).clamp(1.0, self.n) as u64;
            if k as f64 - x <= self.cut || u >= self.h_integral(k as f64 + 0.5) - self.h(k as f64) {
                return k;
            }
        }
    }
}

fn helper1(x: f64) -> f64 {
    if x.abs() > 1e-8 { libm::log1p(x) / x } else { 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x)) }
}

fn helper2(x: f64) -> f64 {
    if x.abs() > 1e-8 { libm::expm1(x) / x } else { 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_draws_follow_the_exact_probabilities() {
        for s in [0.0, 0.5, 1.0, 2.0] {
            let z = Zipf::new(10, s);
            let mut rng = SimRng::new(1);
            let mut counts = [0u64; 10];
            let draws = 100_000u64;
            for _ in 0..draws {
                counts[z.sample(&mut rng) as usize - 1] += 1;
            }
            let h: f64 = (1..=10).map(|k| 1.0 / libm::pow(k as f64, s)).sum();
            for (k, &c) in counts.iter().enumerate() {
                let p = 1.0 / libm::pow(k as f64 + 1.0, s) / h;
                let sd = (draws as f64 * p * (1.0 - p)).sqrt();
                assert!((c as f64 - draws as f64 * p).abs() < 5.0 * sd, "s={s} k={k}: {c}");
            }
        }
        // Ten million items: every draw in range.
        let z = Zipf::new(10_000_000, 1.1);
        let mut rng = SimRng::new(2);
        assert!((0..10_000).all(|_| (1..=10_000_000).contains(&z.sample(&mut rng))));
    }
}
