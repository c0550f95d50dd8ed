//! The resilience core: availability by algebra against hand-computed values and against Monte Carlo
//! on random expressions; the expression's errors pointing at their place; the rate limiter and both
//! commands (`sysplay availability`, `sysplay throttle`).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use std::io::Write;
use std::process::{Command, Stdio};
use sysplay::sim::resilience::availability::{at_least, estimate, monte_carlo, parse};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn the_algebra_against_hand_computed_values() {
    let a = |e: &str| parse(e).unwrap().analytic();
    assert!(close(a("x:0.9"), 0.9));
    assert!(close(a("x:99.9%"), 0.999));
    // Series multiply: 0.99 × 0.99 = 0.9801.
    assert!(close(a("a:0.99 > b:0.99"), 0.9801));
    // Parallel: 1 - 0.01 × 0.01.
    assert!(close(a("a:0.99 | b:0.99"), 0.9999));
    // 2 of 3 at 0.99: 3 p^2 (1 - p) + p^3 = 0.029403 + 0.970299.
    assert!(close(a("2/3(a:0.99, b:0.99, c:0.99)"), 0.999702));
    // 1 of n is parallel, n of n is series.
    assert!(close(a("1/2(a:0.9, b:0.8)"), a("a:0.9 | b:0.8")));
    assert!(close(a("2/2(a:0.9, b:0.8)"), a("a:0.9 > b:0.8")));
    // | binds tighter than >: a > (b | c).
    assert!(close(a("a:0.9 > b:0.5 | c:0.5"), 0.9 * 0.75));
    assert!(close(a("(a:0.9 > b:0.5) | c:0.5"), 1.0 - 0.55 * 0.5));
    // The example: 0.9999 × (1 - 1e-6) × 0.999702 × (1 - 1e-6).
    let want = 0.9999 * (1.0 - 1e-6) * 0.999702 * (1.0 - 1e-6);
    let e = "dns:0.9999 > (lb:0.999 | lb:0.999) > 2/3(node:0.99, node:0.99, node:0.99) > (db:0.999 | db:0.999)";
    assert!((a(e) - want).abs() < 1e-12);
    // Unlike parts in k of n: 2 of (0.9, 0.8, 0.7) = 0.9·0.8·0.3 + 0.9·0.2·0.7 + 0.1·0.8·0.7 + 0.9·0.8·0.7.
    assert!(close(at_least(2, &[0.9, 0.8, 0.7]), 0.216 + 0.126 + 0.056 + 0.504));
    // Nines and downtime: 99.9% is 525.6 minutes (8.76 hours) down a year.
    let x = estimate("x:0.999", 1000, 1).unwrap();
    assert!((x.downtime_min_per_year - 525.6).abs() < 1e-9 && (x.nines - 3.0).abs() < 1e-9);
}

#[test]
fn errors_point_at_their_place() {
    for (expr, at, says) in [
        ("a:0.9 >", 7, "found the end"),
        ("a:0.9 > b", 9, "expected : and an availability"),
        ("a:1.5", 2, "between 0 and 1"),
        ("a:0.9 ) ", 6, "expected > or |"),
        ("(a:0.9", 6, "expected )"),
        ("2/3(a:0.9, b:0.9)", 2, "needs 3 parts"),
        ("4/3(a:0.9, b:0.9, c:0.9)", 0, "1 <= k <= n"),
        ("a:0.9 & b:0.9", 6, "expected > or |"),
        ("", 0, "found the end"),
        ("a:x", 2, "expected an availability"),
    ] {
        let e = parse(expr).unwrap_err();
        assert_eq!(e.at, at, "{expr}: {e:?}");
        assert!(e.message.contains(says), "{expr}: {}", e.message);
        let shown = e.show(expr);
        assert!(shown.ends_with(&format!("{}^", " ".repeat(at))), "{shown}");
    }
    assert!(parse(&"(".repeat(100)).unwrap_err().message.contains("nesting"));
    assert!(parse(&vec!["a:0.9"; 1001].join(" > ")).unwrap_err().message.contains("parts"));
    assert!(estimate("a:0.9", 0, 1).is_err());
}

/// A random expression of availabilities between 0.5 and 0.999.
fn expr() -> impl Strategy<Value = String> {
    let leaf = (500u32..1000).prop_map(|m| format!("p:{}", f64::from(m) / 1000.0));
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| format!("({})", v.join(" > "))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| format!("({})", v.join(" | "))),
            prop::collection::vec(inner, 2..5).prop_flat_map(|v| {
                let n = v.len();
                (1..=n).prop_map(move |k| format!("{k}/{n}({})", v.join(", ")))
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// Monte Carlo agrees with the algebra within 4 standard errors (the algebra's own: sqrt(A (1 - A) / N)).
    #[test]
    fn monte_carlo_agrees_with_the_algebra(e in expr(), seed in any::<u64>()) {
        let node = parse(&e).unwrap();
        let a = node.analytic();
        let trials = 100_000;
        let (mc, _) = monte_carlo(&node, trials, seed);
        let sd = (a * (1.0 - a) / trials as f64).sqrt();
        prop_assert!((mc - a).abs() <= 4.0 * sd + 1e-12, "{e}: {mc} against {a} (sd {sd})");
    }
}

fn sysplay(args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sysplay"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("writes");
    let out = child.wait_with_output().expect("finishes");
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn the_availability_command() {
    let e = "dns:0.9999 > (lb:0.999 | lb:0.999) > 2/3(node:0.99, node:0.99, node:0.99) > (db:0.999 | db:0.999)";
    let (ok, out, err) = sysplay(&["availability", e, "--trials", "400000", "--seed", "3"], "");
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let a = v["analytic"].as_f64().unwrap();
    assert!((a - 0.9999 * (1.0 - 1e-6) * 0.999702 * (1.0 - 1e-6)).abs() < 1e-12);
    let (mc, se) = (v["monte_carlo"].as_f64().unwrap(), v["monte_carlo_stderr"].as_f64().unwrap());
    assert!((mc - a).abs() < 4.0 * ((a * (1.0 - a)) / 400_000.0).sqrt() && se > 0.0, "{out}");
    assert!((v["downtime_min_per_year"].as_f64().unwrap() - (1.0 - a) * 525_600.0).abs() < 1e-6);
    let (ok, _, err) = sysplay(&["availability", "dns:0.9999 > (lb:0.999 | lb:)"], "");
    assert!(!ok);
    assert!(err.contains("at character 29") && err.contains("^"), "{err}");
}

#[test]
fn the_throttle_command_answers_each_line() {
    // One a second, bursts of 5: five at once pass, the sixth waits a second.
    let input = "0 1\n0 1\n0 1\n0 1\n0 1\n0 1\n1500 1\n";
    let (ok, out, err) = sysplay(&["throttle", "--max-burst", "4", "--count", "1", "--period", "1"], input);
    assert!(ok, "{err}");
    let answers: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(answers.len(), 7);
    let remaining: Vec<i64> = answers.iter().map(|a| a["remaining"].as_i64().unwrap()).collect();
    assert_eq!(remaining, [4, 3, 2, 1, 0, 0, 0]);
    assert_eq!(answers[5]["limited"], true);
    assert_eq!(answers[5]["retry_after_s"].as_f64(), Some(1.0));
    assert_eq!(answers[4]["reset_after_s"].as_f64(), Some(5.0));
    // 1.5 s later one and a half intervals have drained: allowed, with fractional seconds.
    assert_eq!(answers[6]["limited"], false);
    assert_eq!(answers[6]["reset_after_s"].as_f64(), Some(4.5));
    assert!(answers.iter().all(|a| a["limit"] == 5));
    let (ok, _, err) = sysplay(&["throttle", "--max-burst", "4", "--count", "1", "--period", "1"], "5 1\nnonsense\n");
    assert!(!ok && err.contains("line 2"), "{err}");
    let (ok, _, err) = sysplay(&["throttle", "--max-burst", "4", "--count", "0", "--period", "1"], "");
    assert!(!ok && err.contains("count"), "{err}");
}

mod storm {
    use sysplay::sim::resilience::storm::{StormConfig, run};

    #[test]
    fn a_calm_service_answers_everything() {
        let r = run(&StormConfig { outage_to_ms: 20_000, duration_ms: 60_000, ..StormConfig::default() }, 1).unwrap();
        // 800 a second at 80% busy: M/M/10 waits milliseconds, far under the 1 s timeout.
        assert!((r.goodput_before_per_s / 800.0 - 1.0).abs() < 0.05, "{}", r.goodput_before_per_s);
        assert_eq!((r.failed, r.wasted), (0, 0));
        assert_eq!(r.attempts, r.requests);
    }

    #[test]
    fn a_five_second_outage_sticks_without_a_budget() {
        let r = run(&StormConfig::default(), 1).unwrap();
        assert!((r.goodput_before_per_s / 800.0 - 1.0).abs() < 0.05);
        // Long after the outage the service is still 100% busy serving abandoned attempts: each request
        // makes 1 + 3 attempts (3,200 a second against a capacity of 1,000) and almost none is answered.
        assert_eq!(r.recovered_at_s, None);
        assert!(r.goodput_after_per_s < 0.1 * 800.0, "{}", r.goodput_after_per_s);
        assert!((r.offered_after_per_s / 3_200.0 - 1.0).abs() < 0.1, "{}", r.offered_after_per_s);
        let last = r.samples.last().unwrap();
        assert!(last.wasted as f64 > 0.9 * 1_000.0, "{last:?}");
    }

    #[test]
    fn a_retry_budget_with_jitter_recovers() {
        let c = StormConfig { budget_pct: Some(10), jitter: true, ..StormConfig::default() };
        let r = run(&c, 1).unwrap();
        let at = r.recovered_at_s.expect("it recovers");
        assert!(at > 25 && at < 90, "{at}");
        assert!((r.goodput_after_per_s / 800.0 - 1.0).abs() < 0.05, "{}", r.goodput_after_per_s);
        // The queue left by the outage drains at the capacity less what is offered meanwhile (fluid
        // theory): it empties, and the service answers in time again, about queue / (1000 - offered)
        // seconds after the outage.
        let after = r.samples.iter().position(|s| s.t_s == 26).unwrap();
        let draining: Vec<_> = r.samples[after..].iter().take_while(|s| s.queued > 50).collect();
        let offered = draining.iter().map(|s| f64::from(s.offered)).sum::<f64>() / draining.len() as f64;
        let predicted = f64::from(r.samples[after].queued) / (c.capacity_per_s() - offered);
        let measured = draining.len() as f64;
        assert!((measured / predicted - 1.0).abs() < 0.3, "drained in {measured} s, predicted {predicted:.1} s");
        assert!(f64::from(at) >= 26.0 + 0.7 * predicted);
        // Retries stay within the budget: a tenth of the first attempts plus 10 a second, give or take
        // the ten seconds of deposits it keeps.
        let retries: u64 = r.samples.iter().map(|s| u64::from(s.retries)).sum();
        assert!(retries as f64 <= 0.1 * r.requests as f64 + 10.0 * 120.0 + 10.0 * 90.0, "{retries}");
    }

    #[test]
    fn shedding_stale_work_stops_the_waste() {
        let c = StormConfig { shed_stale: true, budget_pct: Some(10), ..StormConfig::default() };
        let r = run(&c, 1).unwrap();
        assert!(r.shed > 0);
        assert!(r.recovered_at_s.is_some());
        let plain = run(&StormConfig { budget_pct: Some(10), ..StormConfig::default() }, 1).unwrap();
        assert!(r.wasted < plain.wasted / 2, "{} against {}", r.wasted, plain.wasted);
        assert!(r.recovered_at_s.unwrap() <= plain.recovered_at_s.unwrap());
    }

    #[test]
    fn the_same_seed_gives_the_same_storm_and_bad_settings_a_sentence() {
        let c = StormConfig::default();
        assert_eq!(run(&c, 7).unwrap(), run(&c, 7).unwrap());
        assert!(run(&StormConfig { arrival_per_s: 1_000, ..c }, 1).unwrap_err().contains("overloaded"));
        assert!(run(&StormConfig { workers: 0, ..c }, 1).is_err());
        assert!(
            run(&StormConfig { duration_ms: 3_600_000, arrival_per_s: 9_000, workers: 100, ..c }, 1)
                .unwrap_err()
                .contains("attempts")
        );
    }
}

mod years {
    use sysplay::sim::resilience::availability::parse;
    use sysplay::sim::resilience::years::{Failures, Group, exact, simulate};

    const NOTES: &str =
        "dns:0.9999 > (lb:0.999 | lb:0.999) > 2/3(node:0.99, node:0.99, node:0.99) > (db:0.999 | db:0.999)";

    fn repaired_in(node: &sysplay::sim::resilience::availability::Node, mttr_h: f64) -> Vec<Failures> {
        node.leaves().into_iter().map(|a| Failures::of_availability(a, mttr_h)).collect()
    }

    #[test]
    fn independent_failures_over_the_years_agree_with_the_algebra() {
        let node = parse(NOTES).unwrap();
        let parts = repaired_in(&node, 4.0);
        let r = simulate(&node, &parts, &[], 3_000.0, 1).unwrap();
        assert!((r.analytic - node.analytic()).abs() < 1e-12 && r.analytic == r.independent);
        assert!((r.simulated - r.analytic).abs() < 4.0 * r.simulated_stderr, "{r:?}");
        assert!(r.outages > 100 && r.mean_outage_h > 0.0);
    }

    #[test]
    fn a_shared_region_breaks_the_independent_formula() {
        // Both load balancers in one region that is down 0.1% of the time.
        let node = parse("lb:0.999 | lb:0.999").unwrap();
        let parts = repaired_in(&node, 2.0);
        let region =
            Group { name: "region".into(), failures: Failures::of_availability(0.999, 8.0), parts: vec![0, 1] };
        let r = simulate(&node, &parts, std::slice::from_ref(&region), 5_000.0, 2).unwrap();
        // Exact: the region and then either balancer, 0.999 × (1 - 0.001²); as if independent, each
        // balancer 0.998001 and the pair 1 - 0.001999².
        assert!((r.analytic - 0.999 * (1.0 - 1e-6)).abs() < 1e-12, "{}", r.analytic);
        assert!((r.independent - (1.0 - (1.0 - 0.999 * 0.999f64).powi(2))).abs() < 1e-12);
        assert!((r.simulated - r.analytic).abs() < 4.0 * r.simulated_stderr, "{r:?}");
        assert!((r.independent - r.simulated) > 10.0 * r.simulated_stderr, "{r:?}");
        // Without the group, exact is the algebra.
        assert!((exact(&node, &[0.9, 0.8], &[]) - 0.98).abs() < 1e-12);
    }

    #[test]
    fn bad_settings_get_a_sentence() {
        let node = parse("a:0.9 > b:0.9").unwrap();
        let f = Failures { mtbf_h: 100.0, mttr_h: 1.0 };
        assert!(simulate(&node, &[f], &[], 1.0, 1).unwrap_err().contains("2 parts"));
        assert!(simulate(&node, &[f, Failures { mtbf_h: 0.0, mttr_h: 1.0 }], &[], 1.0, 1).is_err());
        let g = Group { name: "power".into(), failures: f, parts: vec![5] };
        assert!(simulate(&node, &[f, f], &[g], 1.0, 1).unwrap_err().contains("power"));
        assert!(simulate(&node, &[f, f], &[], 1e9, 1).is_err());
        assert!(
            simulate(&node, &[Failures { mtbf_h: 0.01, mttr_h: 0.01 }; 2], &[], 1_000.0, 1)
                .unwrap_err()
                .contains("fewer years")
        );
    }
}

mod architecture {
    use sysplay::sim::resilience::architecture::{Design, compare, shop};

    #[test]
    fn the_notes_services_three_ways() {
        let r = compare(&shop(), 0.999, 0.999, 500.0, 50.0, 10);
        let [mono, micro, dist] = [&r[0], &r[1], &r[2]];
        assert_eq!(
            (mono.design, micro.design, dist.design),
            (Design::Monolith, Design::Microservices, Design::DistributedMonolith)
        );
        // Availability: the monolith is its process; each request to the services needs its own path:
        // 0.70 × 0.999 + 0.15 × 0.999 + 0.05 × 0.999^4 + 0.10 × 0.999^2; the distributed monolith needs
        // all five for everything.
        let want = 0.85 * 0.999 + 0.05 * 0.999f64.powi(4) + 0.10 * 0.999f64.powi(2);
        assert!((micro.availability - want).abs() < 1e-12);
        assert!((mono.availability - 0.999).abs() < 1e-12);
        assert!((dist.availability - 0.999f64.powi(5)).abs() < 1e-12);
        // Blast radius: a monolith loses everything to any crash; the services lose what needs them
        // (user: sign in, orders, history = 30%; product 75%; order 15%; payment 5%; email none: it is
        // sent through a queue); the distributed monolith everything again.
        assert_eq!(mono.blast_radius, vec![1.0; 5]);
        for (got, want) in micro.blast_radius.iter().zip([0.30, 0.75, 0.15, 0.05, 0.0]) {
            assert!((got - want).abs() < 1e-12, "{:?}", micro.blast_radius);
        }
        assert_eq!(dist.blast_radius, vec![1.0; 5]);
        // Calls: an order makes 3 calls, a look at the history 1: 0.25 a request on average, at 500 µs
        // across machines or 50 ns in one process; the distributed monolith makes 4 round trips always.
        assert!((micro.call_overhead_us - 0.25 * 500.0).abs() < 1e-9);
        assert!((mono.call_overhead_us - 0.25 * 0.05).abs() < 1e-12);
        assert!((dist.call_overhead_us - 4.0 * 500.0).abs() < 1e-9);
        // Ten times the browsing: ten whole copies of the monolith (50 module copies), or nine more
        // product services (14).
        assert_eq!(
            (mono.module_copies_to_scale, micro.module_copies_to_scale, dist.module_copies_to_scale),
            (50, 14, 50)
        );
    }
}
