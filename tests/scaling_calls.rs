//! IPC against RPC and a transaction across machines: the sampled calls against their theory, and the
//! published worked example of the tail at scale.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::sim::scaling::calls::{Calls, harmonic, measure, slowest_of_mean_us};

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs()
}

#[test]
fn the_tail_at_scale_worked_example() {
    // Dean and Barroso (2013): a server slow 1% of the time, a request touching 100 of them: 63% of
    // requests are slow.
    let c = Calls { services: 100, slow_permille: 10, ..Calls::default() };
    assert!((c.slow_share() - 0.634).abs() < 5e-4, "{}", c.slow_share());
    let r = measure(&c, 1);
    // 20,000 requests: the share's standard error is 0.0034.
    assert!((r.slow_share - 0.634).abs() < 0.015, "{}", r.slow_share);
    // One call: 1%.
    let one = measure(&Calls { services: 1, ..c }, 2);
    assert!((one.slow_share - 0.01).abs() < 0.003, "{}", one.slow_share);
}

#[test]
fn a_chain_of_calls_costs_k_round_trips() {
    for services in [1, 5, 20] {
        let c = Calls { services, ..Calls::default() };
        let r = measure(&c, 3);
        // 5 × (500 + 200 + 1% of 50 ms) = 6 ms for the default.
        assert!(close(c.mean_round_trip_us(), 1_200.0, 1e-12));
        assert!(close(r.network.mean_us, f64::from(services) * 1_200.0, 0.05), "{services}: {:?}", r.network);
        // In one process: 50 ns a call.
        assert!(close(r.in_process.mean_us, f64::from(services) * 0.05, 1e-12));
        assert!(r.network.mean_us > 10_000.0 * r.in_process.mean_us);
    }
}

#[test]
fn calls_at_once_wait_for_the_slowest() {
    // With no slow calls the slowest of k exponentials has mean H_k times theirs.
    let quiet = Calls { services: 20, parallel: true, slow_permille: 0, ..Calls::default() };
    assert!(close(slowest_of_mean_us(&quiet, 20), 500.0 + 200.0 * harmonic(20), 1e-12));
    let r = measure(&quiet, 4);
    assert!(
        close(r.network.mean_us, r.network_mean_theory_us, 0.02),
        "{} vs {}",
        r.network.mean_us,
        r.network_mean_theory_us
    );
    // With slow calls: the integral, against the samples.
    for services in [2, 10, 50] {
        let c = Calls { services, parallel: true, ..Calls::default() };
        let r = measure(&c, 5);
        assert!(
            close(r.network.mean_us, r.network_mean_theory_us, 0.05),
            "{services}: {} vs {}",
            r.network.mean_us,
            r.network_mean_theory_us
        );
    }
    // The integral's limits: no jitter, a slow call certain.
    let still = Calls { jitter_us: 0, ..Calls::default() };
    assert!(close(slowest_of_mean_us(&still, 3), 500.0 + (1.0 - 0.99f64.powi(3)) * 50_000.0, 1e-12));
    let all_slow = Calls { slow_permille: 1000, ..Calls::default() };
    assert!(close(slowest_of_mean_us(&all_slow, 4), 500.0 + 50_000.0 + 200.0 * harmonic(4), 1e-4));
}

#[test]
fn two_phase_commit_against_a_local_transaction() {
    let c = Calls::default();
    let r = measure(&c, 6);
    assert_eq!((r.two_phase_messages, r.two_phase_forced_writes), (12, 4));
    assert!(close(r.local_tx.mean_us, 1_000.0, 1e-12));
    assert!(close(r.hot_row_local_per_s, 1_000.0, 1e-12));
    // Two round trips to the slowest of three and two forced writes in a row.
    assert!(
        close(r.two_phase.mean_us, r.two_phase_mean_theory_us, 0.05),
        "{} vs {}",
        r.two_phase.mean_us,
        r.two_phase_mean_theory_us
    );
    let quiet = Calls { slow_permille: 0, ..c };
    let want = 2.0 * (500.0 + 200.0 * harmonic(3)) + 2_000.0;
    assert!(close(measure(&quiet, 7).two_phase_mean_theory_us, want, 1e-12));
    // A hot row commits several times fewer transactions a second across machines.
    assert!(r.hot_row_two_phase_per_s * 3.0 < r.hot_row_local_per_s, "{}", r.hot_row_two_phase_per_s);
}

#[test]
fn bad_settings_get_a_sentence() {
    for bad in [
        Calls { services: 0, ..Calls::default() },
        Calls { services: 101, ..Calls::default() },
        Calls { participants: 0, ..Calls::default() },
        Calls { slow_permille: 1001, ..Calls::default() },
        Calls { rtt_us: 20_000_000, ..Calls::default() },
    ] {
        let e = bad.validate().unwrap_err();
        assert!(e.len() > 10, "{e}");
    }
    assert!(Calls::default().validate().is_ok());
}
