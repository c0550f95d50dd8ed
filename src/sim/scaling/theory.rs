//! What queueing theory says about N identical servers (service rate mu each, exponential) behind a
//! balancer fed Poisson arrivals of rate lambda, per policy. Times in seconds.
//!
//! - **Random**: each server sees a Poisson stream of lambda / N (a thinned Poisson process), so each is
//!   an M/M/1 queue: the time in system is exponential of rate mu - lambda / N.
//! - **Round robin**: each server gets every N-th arrival, so its inter-arrival times are Erlang-N of
//!   rate lambda per stage: an E_N/M/1 queue. As any GI/M/1 queue, its time in system is exponential of
//!   rate mu (1 - sigma), sigma the root in (0, 1) of sigma = A*(mu (1 - sigma)), where A*(s) =
//!   (lambda / (lambda + s))^N is the Laplace-Stieltjes transform of the inter-arrival time (Kleinrock,
//!   Queueing Systems vol. 1, section 6.4). Regular arrivals wait less than Poisson ones: sigma < rho.
//! - **One shared queue** (M/M/c with c = N): Erlang C; the time in system is the wait (zero with
//!   probability 1 - C, else exponential of rate N mu - lambda) plus an exponential service. No policy
//!   that sends a request to a server on arrival does better on the mean: join the shortest queue comes
//!   closest.
//! - **Power of d choices** (the supermarket model): as N grows, the mean time in system tends to
//!   (1 / mu) sum over i >= 1 of rho^((d^i - d) / (d - 1)), for d = 2 the sum of rho^(2^i - 2)
//!   (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", IEEE TPDS 2001, theorem
//!   3.6, with service rate 1).
//!
//! Percentiles are exact for the exponential laws, and found by bisection on the tail for M/M/c's.

use crate::sim::queue::theory::{check_mmc, mmc};
use serde::Serialize;

/// What theory predicts for one policy.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Predicted {
    pub mean_sojourn_s: f64,
    /// None where the law is not known in closed form (the power of d choices: its limit gives the mean).
    pub p50_sojourn_s: Option<f64>,
    pub p99_sojourn_s: Option<f64>,
}

/// The `q` quantile of an exponential law of rate `rate`.
fn exp_quantile(rate: f64, q: f64) -> f64 {
    -(1.0 - q).ln() / rate
}

fn exponential(rate: f64) -> Predicted {
    Predicted {
        mean_sojourn_s: 1.0 / rate,
        p50_sojourn_s: Some(exp_quantile(rate, 0.5)),
        p99_sojourn_s: Some(exp_quantile(rate, 0.99)),
    }
}

/// Random balancing: N M/M/1 queues of arrival rate lambda / N each.
pub fn random(n: u32, lambda: f64, mu: f64) -> Result<Predicted, String> {
    check_mmc(n, lambda, mu)?;
    Ok(exponential(mu - lambda / f64::from(n)))
}

/// sigma of the E_N/M/1 queue: the root in (0, 1) of sigma = (lambda / (lambda + mu (1 - sigma)))^n, by
/// bisection on f(s) = A*(mu (1 - s)) - s, positive at 0 and negative just below 1 when stable.
pub fn erlang_sigma(n: u32, lambda: f64, mu: f64) -> f64 {
    let f = |s: f64| (lambda / (lambda + mu * (1.0 - s))).powi(n as i32) - s;
    let (mut lo, mut hi) = (0.0_f64, 1.0 - 1e-15);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Round robin: N E_N/M/1 queues.
pub fn round_robin(n: u32, lambda: f64, mu: f64) -> Result<Predicted, String> {
    check_mmc(n, lambda, mu)?;
    Ok(exponential(mu * (1.0 - erlang_sigma(n, lambda, mu))))
}

/// P(T > t) for M/M/c's time in system T: (1 - C) e^(-mu t) + C P(W + S > t), W ~ Exp(theta), theta =
/// c mu - lambda, S ~ Exp(mu) (a hypoexponential tail).
fn mmc_tail(c: u32, lambda: f64, mu: f64, erlang_c: f64, t: f64) -> f64 {
    let theta = f64::from(c) * mu - lambda;
    let sum = if (theta - mu).abs() < 1e-12 * mu {
        (1.0 + mu * t) * (-mu * t).exp()
    } else {
        (theta * (-mu * t).exp() - mu * (-theta * t).exp()) / (theta - mu)
    };
    (1.0 - erlang_c) * (-mu * t).exp() + erlang_c * sum
}

/// One shared queue: M/M/c with c = N.
pub fn shared_queue(n: u32, lambda: f64, mu: f64) -> Result<Predicted, String> {
    let t = mmc(n, lambda, mu)?;
    let quantile = |q: f64| {
        let (mut lo, mut hi) = (0.0_f64, 1.0 / mu);
        while mmc_tail(n, lambda, mu, t.erlang_c, hi) > 1.0 - q {
            hi *= 2.0;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mmc_tail(n, lambda, mu, t.erlang_c, mid) > 1.0 - q {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    };
    Ok(Predicted {
        mean_sojourn_s: t.mean_sojourn_s,
        p50_sojourn_s: Some(quantile(0.5)),
        p99_sojourn_s: Some(quantile(0.99)),
    })
}

/// The power of `d` choices as N grows: (1 / mu) sum over i >= 1 of rho^((d^i - d) / (d - 1)) (d >= 2).
pub fn power_of_d_limit(d: u32, rho: f64, mu: f64) -> Result<f64, String> {
    if d < 2 {
        return Err(format!("the supermarket model needs at least 2 choices (got {d})"));
    }
    if !(rho > 0.0 && rho < 1.0) {
        return Err(format!("the utilization must be between 0 and 1 (got {rho})"));
    }
    let d = f64::from(d);
    let mut sum = 0.0;
    let mut power = d; // d^i, from i = 1
    loop {
        let term = rho.powf((power - d) / (d - 1.0));
        sum += term;
        if term < 1e-16 || !power.is_finite() {
            return Ok(sum / mu);
        }
        power *= d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-12)
    }

    #[test]
    fn one_server_is_mm1_every_way() {
        // With N = 1 random, round robin and the shared queue are all M/M/1: W = 1 / (mu - lambda).
        for (l, m) in [(0.5, 1.0), (0.9, 1.0), (3.0, 4.0)] {
            let w = 1.0 / (m - l);
            assert!(close(random(1, l, m).unwrap().mean_sojourn_s, w, 1e-12));
            assert!(close(round_robin(1, l, m).unwrap().mean_sojourn_s, w, 1e-9));
            let s = shared_queue(1, l, m).unwrap();
            assert!(close(s.mean_sojourn_s, w, 1e-12));
            assert!(close(s.p99_sojourn_s.unwrap(), exp_quantile(m - l, 0.99), 1e-9), "{s:?}");
        }
    }

    #[test]
    fn e2_m_1_by_hand() {
        // N = 2, lambda = 2, mu = 1.25 (rho = 0.8): sigma = (2 / (3.25 - 1.25 sigma))^2, i.e. sigma (3.25 -
        // 1.25 sigma)^2 = 4. Its root in (0, 1) satisfies the equation and lies below rho (regular
        // arrivals wait less than Poisson ones).
        let s = erlang_sigma(2, 2.0, 1.25);
        assert!((s * (3.25 - 1.25 * s).powi(2) - 4.0).abs() < 1e-9, "{s}");
        assert!(s > 0.0 && s < 0.8);
        // D/M/1 is the limit of E_N/M/1 as N grows: sigma tends to the root of sigma = e^(-(1 - sigma) / rho).
        let rho: f64 = 0.8;
        let dm1 = {
            let mut s: f64 = 0.5;
            for _ in 0..10_000 {
                s = (-(1.0 - s) / rho).exp();
            }
            s
        };
        // Per server rho mu = 0.8 a second, each stage of the Erlang-1000 at 1000 times that.
        let big = erlang_sigma(1000, 1000.0 * rho, 1.0);
        assert!((big - dm1).abs() < 2e-3, "{big} vs D/M/1 {dm1}");
    }

    #[test]
    fn the_supermarket_sum_by_hand() {
        // rho = 0.5, d = 2: 1 + 0.5^2 + 0.5^6 + 0.5^14 + ... = 1.26563...
        let want = 1.0 + 0.25 + 0.015625 + 0.5f64.powi(14) + 0.5f64.powi(30);
        assert!(close(power_of_d_limit(2, 0.5, 1.0).unwrap(), want, 1e-12));
        // Far below random's 1 / (1 - rho) = 2, and d = 3 lower still.
        assert!(power_of_d_limit(3, 0.5, 1.0).unwrap() < want);
        assert!(power_of_d_limit(1, 0.5, 1.0).is_err());
    }

    #[test]
    fn the_policies_order_as_theory_says() {
        // At rho = 0.8 over 10 servers: the shared queue < round robin < random, and the supermarket
        // limit between the shared queue and random.
        let (n, l, m) = (10, 8.0, 1.0);
        let (r, rr, s) = (random(n, l, m).unwrap(), round_robin(n, l, m).unwrap(), shared_queue(n, l, m).unwrap());
        let p2 = power_of_d_limit(2, 0.8, 1.0).unwrap();
        assert!(s.mean_sojourn_s < rr.mean_sojourn_s && rr.mean_sojourn_s < r.mean_sojourn_s);
        assert!(s.mean_sojourn_s < p2 && p2 < r.mean_sojourn_s);
        assert!(close(r.mean_sojourn_s, 5.0, 1e-12));
        // M/M/c's tail: P(T > 0) = 1 and the quantiles grow.
        assert!(close(mmc_tail(n, l, m, mmc(n, l, m).unwrap().erlang_c, 0.0), 1.0, 1e-12));
        assert!(s.p50_sojourn_s.unwrap() < s.mean_sojourn_s * 1.5 && s.p50_sojourn_s < s.p99_sojourn_s);
    }
}
