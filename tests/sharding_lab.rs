//! The sharding lab through the lab contract: every preset replays through the scenario path with no
//! broken invariant, and shows its lesson (queries routed to one shard or all, failovers that lose
//! acknowledged writes or none, a dead shard failing the queries that need it).
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{Report, preset};
use sysplay::sim::sharding::{
    Dataset, Layout, QueryStatus, ReplAction, ShardAction, ShardLabConfig, ShardLabReport, ShardLabSim,
};

fn report(name: &str) -> ShardLabReport {
    let run = preset(name).unwrap_or_else(|| panic!("no preset {name}")).scenario.run().expect("replays");
    assert!(run.violations().is_empty(), "{name}: {:?}", run.violations());
    match run.report() {
        Report::Sharding(r) => *r,
        _ => panic!("{name} is not a sharding preset"),
    }
}

fn touched(r: &ShardLabReport) -> Vec<usize> {
    r.queries.iter().map(|q| q.plan.touched.len()).collect()
}

#[test]
fn ten_shards_by_id_one_shard_for_an_id_two_for_a_range_all_for_a_city() {
    let r = report("ten-shards-by-id");
    assert_eq!(touched(&r), vec![1, 2, 10]);
    // ids 2,500,000..3,500,000 lie in the third and fourth ranges of a million.
    assert_eq!(r.queries[1].plan.touched, vec![2, 3]);
    assert!(r.queries.iter().all(|q| q.status == QueryStatus::Answered));
    assert_eq!(r.shards_touched, Some(10));
}

#[test]
fn location_as_the_shard_key_sends_london_to_one_shard() {
    let r = report("london-50-plus");
    assert_eq!(touched(&r), vec![1]);
    let r = report("hotels-by-location");
    assert_eq!(touched(&r), vec![1, 1]);
}

#[test]
fn a_join_across_shards_asks_every_shard() {
    let r = report("cross-shard-join");
    assert_eq!(r.queries[0].plan.co_located, Some(false));
    assert_eq!(touched(&r), vec![4]);
}

#[test]
fn asynchronous_failover_loses_acknowledged_writes_and_quorum_none() {
    let lost = report("failover-async");
    assert!(lost.repl.lost_writes > 0);
    assert_eq!(lost.repl.lost.len() as u64, lost.repl.lost_writes);
    let kept = report("failover-quorum");
    assert_eq!(kept.repl.lost_writes, 0);
    assert!(kept.repl.elections > 0, "a new primary was elected");
}

#[test]
fn a_dead_shard_fails_the_queries_that_need_it_unless_a_partial_answer_is_allowed() {
    let r = report("kill-whole-shard");
    let at = |ms: u64| r.queries.iter().filter(move |q| q.at_ms == ms);
    let during: Vec<_> = at(3_000).collect();
    // The scatter-gather count: failed without permission, partial with it, both naming shard 1.
    let scatter: Vec<_> = during.iter().filter(|q| q.sql.contains("age >= 50")).collect();
    assert_eq!(scatter.len(), 2);
    for q in &scatter {
        assert_eq!(q.unavailable.len(), 1);
        assert_eq!(q.unavailable[0].0, 1);
        assert!(q.unavailable[0].1.contains("shard 1 is unavailable"), "{}", q.unavailable[0].1);
        let want = if q.allow_partial { QueryStatus::Partial } else { QueryStatus::Failed };
        assert_eq!(q.status, want);
    }
    // The point lookup fails exactly when id 7 lives on the dead shard.
    let config = ShardLabConfig { ..preset_config("kill-whole-shard") };
    let data = Dataset::new(2024, &config.data.data).unwrap();
    let home = Layout::new(&data, &config.data.sharding).unwrap().shard_of_id(7);
    let lookup = during.iter().find(|q| q.sql.contains("id = 7")).unwrap();
    assert_eq!(lookup.plan.touched, vec![home]);
    assert_eq!(lookup.status == QueryStatus::Failed, home == 1);
    // After the shard is back (6 s) and has elected a primary, the same count is answered.
    assert!(at(8_000).all(|q| q.status == QueryStatus::Answered));
    assert_eq!(r.queries_failed, 1 + u64::from(home == 1));
    assert_eq!(r.queries_partial, 1);
}

fn preset_config(name: &str) -> ShardLabConfig {
    match preset(name).unwrap().scenario.setup {
        sysplay::scenario::LabSetup::Sharding { config, .. } => config,
        _ => panic!("not a sharding preset"),
    }
}

#[test]
fn a_split_brain_minority_never_elects() {
    let r = report("split-brain");
    let minority_wins = r.repl.election_log.iter().filter(|e| e.term > 1 && e.node <= 1 && e.at_us < 6_000_000).count();
    assert_eq!(minority_wins, 0, "{:?}", r.repl.election_log);
}

#[test]
fn bad_setups_and_queries_get_sentences() {
    let mut config = ShardLabConfig::default();
    config.repl.shards += 1;
    let e = ShardLabSim::new(1, &config, &[]).err().unwrap();
    assert!(e.contains("both sides shard the same tables"), "{e}");
    let config = ShardLabConfig::default();
    let bad = [(1_000, ShardAction::Query { sql: "DELETE FROM users".into(), allow_partial: false })];
    let e = ShardLabSim::new(1, &config, &bad).err().unwrap();
    assert!(e.starts_with("the query at 1000 ms") && e.contains("supported"), "{e}");
    let late =
        [(config.repl.horizon_ms + 1, ShardAction::Query { sql: "SELECT * FROM users".into(), allow_partial: false })];
    assert!(ShardLabSim::new(1, &config, &late).err().unwrap().contains("past the end of the run"));
    let ghost = [(1_000, ShardAction::Node(ReplAction::KillNode { shard: 9, node: 0 }))];
    assert!(ShardLabSim::new(1, &config, &ghost).is_err());
}

#[test]
fn a_query_and_a_kill_at_the_same_moment_the_kill_comes_first() {
    let config = ShardLabConfig::default();
    let actions = [
        (2_000, ShardAction::Query { sql: "SELECT count(*) FROM users".into(), allow_partial: false }),
        (2_000, ShardAction::Node(ReplAction::KillShard { shard: 0 })),
    ];
    let mut sim = ShardLabSim::new(7, &config, &actions).unwrap();
    sim.run();
    assert_eq!(sim.queries()[0].status, QueryStatus::Failed);
}

#[test]
fn running_until_past_the_horizon_ends_the_run_like_running_it() {
    let config = ShardLabConfig::default();
    let actions = [(9_000, ShardAction::Query { sql: "SELECT count(*) FROM users".into(), allow_partial: false })];
    let mut until = ShardLabSim::new(3, &config, &actions).unwrap();
    until.run_until(u64::MAX);
    assert!(until.is_finished(), "the page's \"to the end\" reaches the end");
    let mut whole = ShardLabSim::new(3, &config, &actions).unwrap();
    whole.run();
    assert_eq!(until.report(), whole.report());
    assert_eq!(until.steps(), whole.steps());
}

#[test]
fn the_failover_async_digest_is_pinned() {
    // Same constant as the browser test in tests/web.rs: the core runs the same natively and in wasm.
    let digest = preset("failover-async").unwrap().scenario.run().unwrap().digest();
    let want: u64 = include!("golden/sharding_digest.txt");
    assert_eq!(digest, want, "got {digest:#018x}; if intended, update tests/golden/sharding_digest.txt");
}
