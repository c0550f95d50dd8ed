//! Queueing theory for M/M/c (and M/M/1 as c = 1): Erlang C and the mean-value formulas.
//!
//! Erlang C is computed from the Erlang B recursion `B(k) = a·B(k-1) / (k + a·B(k-1))`, which stays in
//! `[0, 1]` at every step: no factorials, no powers, no overflow for any `c` up to the limit.

use serde::Serialize;

/// Most servers the formulas accept (the recursion is linear in `c`).
pub const SERVERS_MAX: u32 = 1000;

/// The steady-state figures of an M/M/c queue, times in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MmcTheory {
    /// Offered load a = lambda / mu, in Erlangs.
    pub offered_load: f64,
    /// Utilization of each server, rho = lambda / (c mu).
    pub utilization: f64,
    /// Erlang C: the probability that an arriving order has to wait.
    pub erlang_c: f64,
    /// Mean time queued before service, Wq = C / (c mu - lambda).
    pub mean_wait_s: f64,
    /// Mean time in the system, W = Wq + 1/mu.
    pub mean_sojourn_s: f64,
    /// Mean number waiting, Lq = lambda Wq.
    pub mean_in_queue: f64,
    /// Mean number in the system, L = lambda W (Little's law).
    pub mean_in_system: f64,
}

/// Erlang B (blocking probability of M/M/c/c) for `c` servers and offered load `a`, by recursion.
pub fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        let ab = a * b;
        b = ab / (f64::from(k) + ab);
    }
    b
}

/// Erlang C (probability of waiting in M/M/c) for `c` servers and offered load `a < c`.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let b = erlang_b(c, a);
    let rho = a / f64::from(c);
    b / (1.0 - rho * (1.0 - b))
}

/// Why a set of queue parameters has no steady state or is out of range.
pub fn check_mmc(c: u32, lambda: f64, mu: f64) -> Result<(), String> {
    if c == 0 {
        return Err("at least one server is needed".into());
    }
    if c > SERVERS_MAX {
        return Err(format!("at most {SERVERS_MAX} servers (got {c})"));
    }
    if !(lambda.is_finite() && lambda > 0.0) {
        return Err(format!("the arrival rate must be a positive number of orders per second (got {lambda})"));
    }
    if !(mu.is_finite() && mu > 0.0) {
        return Err(format!("the service rate must be a positive number of orders per second (got {mu})"));
    }
    let rho = lambda / (f64::from(c) * mu);
    if rho >= 1.0 {
        return Err(format!(
            "unstable: utilization rho = lambda / (c mu) = {rho:.4} >= 1, so the queue grows without bound; \
             add servers or lower the arrival rate"
        ));
    }
    Ok(())
}

/// The steady state of M/M/c with `c` servers, arrival rate `lambda` and service rate `mu` (per second).
pub fn mmc(c: u32, lambda: f64, mu: f64) -> Result<MmcTheory, String> {
    check_mmc(c, lambda, mu)?;
    let a = lambda / mu;
    let cf = f64::from(c);
    let erlang_c = erlang_c(c, a);
    let mean_wait_s = erlang_c / (cf * mu - lambda);
    let mean_sojourn_s = mean_wait_s + 1.0 / mu;
    Ok(MmcTheory {
        offered_load: a,
        utilization: a / cf,
        erlang_c,
        mean_wait_s,
        mean_sojourn_s,
        mean_in_queue: lambda * mean_wait_s,
        mean_in_system: lambda * mean_sojourn_s,
    })
}

/// M/M/1: the c = 1 case, where Erlang C is rho and Wq = rho / (mu - lambda).
pub fn mm1(lambda: f64, mu: f64) -> Result<MmcTheory, String> {
    mmc(1, lambda, mu)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn two_servers_lambda_1_mu_three_quarters_by_hand() {
        // a = 4/3, B(2) = (a^2/2) / (1 + a + a^2/2) = 8/29, C = B / (1 - rho (1 - B)) = 8/15,
        // Wq = C / (2 mu - lambda) = 16/15 s, W = 16/15 + 4/3 = 12/5 s, L = 12/5.
        let t = mmc(2, 1.0, 0.75).unwrap();
        assert!(close(erlang_b(2, 4.0 / 3.0), 8.0 / 29.0));
        assert!(close(t.erlang_c, 8.0 / 15.0), "{t:?}");
        assert!(close(t.mean_wait_s, 16.0 / 15.0));
        assert!(close(t.mean_sojourn_s, 12.0 / 5.0));
        assert!(close(t.mean_in_system, 12.0 / 5.0));
        assert!(close(t.utilization, 2.0 / 3.0));
    }

    #[test]
    fn mm1_matches_its_closed_form() {
        for (lambda, mu) in [(1.0, 2.0), (0.5, 1.0), (9.0, 10.0), (3.0, 4.0)] {
            let t = mm1(lambda, mu).unwrap();
            let rho = lambda / mu;
            assert!(close(t.erlang_c, rho));
            assert!(close(t.mean_wait_s, rho / (mu - lambda)));
            assert!(close(t.mean_sojourn_s, 1.0 / (mu - lambda)));
            assert!(close(t.mean_in_system, rho / (1.0 - rho)));
        }
    }

    #[test]
    fn three_servers_against_the_direct_sum() {
        // C(c, a) = (a^c / c!) (c / (c - a)) / (sum_{k<c} a^k / k! + (a^c / c!) (c / (c - a))).
        let (c, a) = (3u32, 2.4f64);
        let mut sum = 0.0;
        let mut term = 1.0;
        for k in 0..c {
            sum += term;
            term *= a / f64::from(k + 1);
        }
        let top = term * f64::from(c) / (f64::from(c) - a);
        assert!(close(erlang_c(c, a), top / (sum + top)));
    }

    #[test]
    fn a_thousand_servers_stay_finite_and_ordered() {
        let heavy = erlang_c(1000, 990.0);
        let light = erlang_c(1000, 900.0);
        assert!(heavy.is_finite() && light.is_finite());
        assert!((0.0..=1.0).contains(&heavy) && (0.0..=1.0).contains(&light));
        assert!(light < heavy, "more load, more waiting: {light} vs {heavy}");
        // Pooling: at equal utilization, 1000 servers wait far less often than one.
        assert!(erlang_c(1000, 900.0) < erlang_c(1, 0.9));
        assert!(mmc(1000, 990.0, 1.0).unwrap().mean_wait_s.is_finite());
    }

    #[test]
    fn unstable_or_invalid_parameters_are_refused() {
        assert!(mmc(1, 1.0, 1.0).unwrap_err().contains("unstable"));
        assert!(mmc(2, 3.0, 1.0).is_err());
        assert!(mmc(0, 1.0, 1.0).is_err());
        assert!(mmc(1, f64::NAN, 1.0).is_err());
        assert!(mmc(1, 1.0, -2.0).is_err());
        assert!(mmc(1, 0.0, 1.0).is_err());
        assert!(mmc(1001, 1.0, 1.0).is_err());
        assert!(mmc(1, f64::INFINITY, 1.0).is_err());
    }
}
