//! Virtual nodes against theory: the ring's load spread shrinks like 1/sqrt(k).
#![cfg(not(target_arch = "wasm32"))]

use sysplay::sim::hashing::{HashingConfig, HashingLab, ServerSpec};

fn lab(servers: usize, vnodes: u32, seed: u64) -> HashingLab {
    let config = HashingConfig {
        ring_size: 1 << 48,
        key_count: 0,
        servers: (0..servers)
            .map(|i| ServerSpec { name: format!("node-{seed}-{i}"), position: None, weight: 1 })
            .collect(),
        vnodes,
        ..HashingConfig::default()
    };
    HashingLab::new(seed, &config).unwrap()
}

/// Mean over several independent server sets of the exact key-space standard deviation.
fn mean_space_std_dev(servers: usize, vnodes: u32, sets: u64) -> (f64, f64) {
    let (mut sum, mut theory) = (0.0, 0.0);
    for seed in 0..sets {
        let s = lab(servers, vnodes, seed).report().spread.unwrap();
        sum += s.space_std_dev_pct;
        theory = s.theory_std_dev_pct;
    }
    (sum / sets as f64, theory)
}

#[test]
fn a_thousand_points_per_server_gives_about_three_percent() {
    // Karger et al. (as quoted by Lamping & Veach 2014): about 3.2% (1/sqrt(1000)) with 1000 points.
    let (measured, theory) = mean_space_std_dev(50, 1000, 4);
    assert!((theory - 3.13).abs() < 0.01, "{theory}");
    assert!((measured - 3.16).abs() < 0.5, "measured {measured:.2}% vs about 3.2%");
}

#[test]
fn spread_follows_the_beta_share_formula_across_k() {
    for (k, sets) in [(1, 200), (10, 60), (100, 20)] {
        let (measured, theory) = mean_space_std_dev(20, k, sets);
        // The mean of a sample standard deviation sits a little below the true one; 15% covers it and
        // the sampling noise of this many sets.
        assert!((measured / theory - 1.0).abs() < 0.15, "k={k}: measured {measured:.2}% theory {theory:.2}%");
    }
}

#[test]
fn weights_get_proportional_shares() {
    let mut config = HashingConfig {
        ring_size: 1 << 48,
        key_count: 0,
        servers: (0..4).map(|i| ServerSpec { name: format!("w{i}"), position: None, weight: 1 }).collect(),
        vnodes: 400,
        ..HashingConfig::default()
    };
    config.servers[0].weight = 3;
    let r = HashingLab::new(1, &config).unwrap().report();
    let share = |i: usize| r.servers[i].ring_space_pct;
    let others = (share(1) + share(2) + share(3)) / 3.0;
    assert!((share(0) / others - 3.0).abs() < 0.35, "{} vs {}", share(0), others);
    assert_eq!(r.servers[0].points, 1200);
}
