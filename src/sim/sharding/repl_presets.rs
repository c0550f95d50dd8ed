//! Named replication runs, as plain constructors (the lab's contract turns them into scenarios). Each
//! preset's lesson is pinned by a test below.

use super::repl_config::{ReadFrom, ReplAction, ReplConfig, ReplMode, TimedReplAction};
use super::replication::ReplSim;

/// A named replication run.
#[derive(Clone, Debug)]
pub struct ReplPreset {
    pub name: &'static str,
    pub title: &'static str,
    pub explains: &'static str,
    pub seed: u64,
    pub config: ReplConfig,
    pub actions: Vec<TimedReplAction>,
}

impl ReplPreset {
    /// The run at its start.
    pub fn start(&self) -> ReplSim {
        ReplSim::new(self.seed, &self.config, &self.actions).expect("presets are valid")
    }

    /// Runs the preset to the end.
    pub fn run(&self) -> ReplSim {
        let mut sim = self.start();
        sim.run();
        sim
    }
}

/// The seed every replication preset uses.
pub const REPL_PRESET_SEED: u64 = 2024;

/// Two shards of a primary and two replicas, 200 writes and 100 reads a second from replicas; the
/// primary of shard 0 dies at 3 s and comes back at 6 s.
fn failover(mode: ReplMode) -> (ReplConfig, Vec<TimedReplAction>) {
    let config = ReplConfig {
        shards: 2,
        mode,
        writes_per_s: 200,
        reads_per_s: 100,
        read_from: ReadFrom::Replicas,
        ..ReplConfig::default()
    };
    let actions =
        vec![(3_000, ReplAction::KillPrimary { shard: 0 }), (6_000, ReplAction::ReviveNode { shard: 0, node: 0 })];
    (config, actions)
}

/// All replication presets, in the order the page lists them.
pub fn repl_presets() -> Vec<ReplPreset> {
    let (async_config, async_actions) = failover(ReplMode::Async { lag_ms: 300, jitter_ms: 200 });
    let (quorum_config, quorum_actions) = failover(ReplMode::Quorum);
    vec![
        ReplPreset {
            name: "failover-async",
            title: "Failover under asynchronous replication",
            explains: "Replicas trail the primary by 300-500 ms. The primary of shard 0 dies at 3 s: a replica is \
                       elected, and the writes the old primary had acknowledged but not yet shipped are lost, \
                       listed one by one. When it comes back at 6 s, its divergent entries are removed.",
            seed: REPL_PRESET_SEED,
            config: async_config,
            actions: async_actions,
        },
        ReplPreset {
            name: "failover-quorum",
            title: "Failover under majority quorum",
            explains: "The same failover with majority-quorum replication: a write is acknowledged only once two \
                       of the three nodes hold it, the new primary is one of them, and no acknowledged write is \
                       lost.",
            seed: REPL_PRESET_SEED,
            config: quorum_config,
            actions: quorum_actions,
        },
        ReplPreset {
            name: "kill-whole-shard",
            title: "A whole shard down",
            explains: "Every node of shard 1 dies at 2 s and comes back at 6 s: its requests fail with an error \
                       saying so while shards 0 and 2 keep serving; then it elects a primary and serves again.",
            seed: REPL_PRESET_SEED,
            config: ReplConfig::default(),
            actions: vec![(2_000, ReplAction::KillShard { shard: 1 }), (6_000, ReplAction::ReviveShard { shard: 1 })],
        },
        ReplPreset {
            name: "split-brain",
            title: "A partition: the minority cannot elect",
            explains: "Five nodes; at 2 s the network splits the primary and node 1 from nodes 2-4. The majority \
                       elects a new primary; the old one, cut off, can no longer commit. At 3 s it dies: node 1, \
                       alone with no primary, campaigns again and again and never gets three votes. At 6 s the \
                       network heals, at 7 s node 0 returns and catches up.",
            seed: REPL_PRESET_SEED,
            config: ReplConfig { shards: 1, replicas: 4, ..ReplConfig::default() },
            actions: vec![
                (2_000, ReplAction::Partition { shard: 0, groups: vec![vec![0, 1], vec![2, 3, 4]] }),
                (3_000, ReplAction::KillNode { shard: 0, node: 0 }),
                (6_000, ReplAction::Heal { shard: 0 }),
                (7_000, ReplAction::ReviveNode { shard: 0, node: 0 }),
            ],
        },
    ]
}

/// The replication preset with this name.
pub fn repl_preset(name: &str) -> Option<ReplPreset> {
    repl_presets().into_iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::super::repl_invariants::check_all;
    use super::super::replication::{Fate, Role, TimelineKind};
    use super::*;

    fn run(name: &str) -> ReplSim {
        let sim = repl_preset(name).unwrap().run();
        assert!(sim.is_finished());
        let errors = check_all(&sim);
        assert!(errors.is_empty(), "{name}: {errors:?}");
        sim
    }

    #[test]
    fn async_failover_loses_acknowledged_writes_and_lists_them() {
        let sim = run("failover-async");
        let r = sim.report();
        assert!(r.lost_writes > 0, "{r:#?}");
        assert_eq!(r.lost.len() as u64, r.lost_writes);
        // Counted from the write records, independently of the loss list.
        let lost_by_fate = sim.writes().iter().filter(|w| w.fate == Fate::Lost).count() as u64;
        assert_eq!(lost_by_fate, r.lost_writes);
        for l in &r.lost {
            assert_eq!((l.shard, l.acked_by, l.term), (0, 0, 1), "acknowledged by the old primary: {l:?}");
            // Acknowledged before the kill (the answer travels one network delay, at most 10 ms); lost
            // when the new primary first commits in its term, a replication lag or two after the
            // election, all at that moment.
            assert!(l.acked_at_us <= 3_010_000 && l.lost_at_us > 3_000_000, "{l:?}");
            assert!(l.lost_at_us < 5_000_000 && l.lost_at_us == r.lost[0].lost_at_us, "{l:?}");
            let w = sim.writes()[l.write as usize];
            assert_eq!((w.acked_at, w.key), (Some(l.acked_at_us), l.key));
            // The lost write is in no node's log at the end: the old primary's copy was removed.
            assert!((0..3).all(|v| !sim.log(0, v).iter().any(|e| e.write == Some(l.write))));
        }
        // The old primary rejoined and its divergent suffix was removed.
        assert!(r.truncations.iter().any(|t| t.shard == 0 && t.node == 0), "{:?}", r.truncations);
        assert_eq!(r.per_shard[1].counts.lost_writes, 0, "shard 1 never failed over");
        assert!(r.stale_reads > 0, "replicas trail by 300 ms: some reads miss the latest write");
        assert_eq!(r.per_shard[0].elections, 1);
    }

    #[test]
    fn quorum_failover_loses_nothing() {
        let sim = run("failover-quorum");
        let r = sim.report();
        assert_eq!(r.lost_writes, 0, "{r:#?}");
        assert!(sim.writes().iter().all(|w| w.fate != Fate::Lost));
        assert_eq!(r.per_shard[0].elections, 1);
        assert!(r.writes_acked > 1_500, "{}", r.writes_acked);
        // The new primary was a replica, and the client routes to it.
        let won = r.election_log.iter().find(|e| e.shard == 0 && e.at_us > 0).unwrap();
        assert_ne!(won.node, 0);
        assert_eq!(r.per_shard[0].routed_to, Some(won.node));
        // Failover took an election timeout or two: failures only around the kill.
        assert!(r.per_shard[0].counts.writes_failed < 200, "{:?}", r.per_shard[0]);
        assert_eq!(r.per_shard[1].counts.writes_failed, 0);
    }

    #[test]
    fn a_dead_shard_fails_with_a_clear_error_while_the_others_serve() {
        let mut sim = repl_preset("kill-whole-shard").unwrap().start();
        sim.run_until(5_000_000);
        let r = sim.report();
        let dead = &r.per_shard[1];
        assert!(dead.counts.writes_failed > 50 && dead.counts.reads_failed > 50, "{dead:?}");
        let shard_down = dead.failures.iter().find(|f| f.message.contains("every one of its nodes is down")).unwrap();
        assert!(shard_down.writes + shard_down.reads > 100);
        for s in [0, 2] {
            let c = &r.per_shard[s].counts;
            assert_eq!((c.writes_failed, c.reads_failed), (0, 0), "shard {s}");
            assert!(c.writes_acked > 100);
        }
        assert_eq!(sim.serving(1).unwrap_err(), "shard 1 is unavailable: every one of its nodes is down");
        assert_eq!(sim.serving(0), Ok(0));
        sim.run();
        let r = sim.report();
        assert_eq!(r.per_shard[1].elections, 1, "it elects a primary once back");
        assert_eq!(sim.serving(1), Ok(r.per_shard[1].routed_to.unwrap()));
        assert!(r.lost_writes == 0 && check_all(&sim).is_empty());
    }

    #[test]
    fn split_brain_minority_never_elects_and_majority_does() {
        let sim = run("split-brain");
        let r = sim.report();
        let during = |e: &&super::super::replication::Election| (2_000_000..6_000_000).contains(&e.at_us);
        let won: Vec<_> = r.election_log.iter().filter(during).collect();
        assert!(!won.is_empty(), "the majority elects");
        assert!(won.iter().all(|e| e.node >= 2), "only the majority side elects: {won:?}");
        let snap = sim.snapshot();
        let minority_campaigns = snap
            .timeline
            .iter()
            .filter(|e| (3_000_000..6_000_000).contains(&e.at_us) && e.node == Some(1))
            .filter(|e| e.kind == TimelineKind::Campaign)
            .count();
        assert!(minority_campaigns >= 5, "node 1 keeps trying: {minority_campaigns}");
        assert_eq!(r.lost_writes, 0);
        // At the end one primary, every node up and caught up.
        let nodes = &snap.shards[0].nodes;
        assert_eq!(nodes.iter().filter(|n| n.role == Role::Primary).count(), 1, "{nodes:?}");
        // Caught up: behind by the writes in flight only (100 a second, 5-10 ms a message).
        assert!(nodes.iter().all(|n| n.up && n.lag <= 5), "{nodes:?}");
    }

    #[test]
    fn a_run_replays_bit_for_bit() {
        for p in repl_presets() {
            let a = p.run().report().fingerprint();
            assert_eq!(a, p.run().report().fingerprint(), "{}", p.name);
            let mut other = p.clone();
            other.seed += 1;
            assert_ne!(a, other.run().report().fingerprint(), "{}", p.name);
        }
    }

    #[test]
    fn a_timeline_seek_is_a_fresh_run() {
        use crate::sim::timeline::Timeline;
        for p in repl_presets() {
            let mut timeline = Timeline::with_budget(p.start(), 500, 64 << 20);
            while !timeline.advance(1_000) {}
            assert!(timeline.checkpoints() > 5, "{}", p.name);
            for t in [0, 1_234_567, 3_000_000, 3_456_789, 9_999_999] {
                let mut fresh = p.start();
                fresh.run_until(t);
                assert_eq!(timeline.seek(t).report(), fresh.report(), "{} at {t}", p.name);
            }
            let end = timeline.seek_events(u64::MAX);
            assert_eq!(end.report(), p.run().report(), "{}", p.name);
            assert!(end.approx_bytes() > 0);
        }
    }

    #[test]
    fn running_in_slices_gives_the_same_run() {
        let p = repl_preset("failover-async").unwrap();
        let mut sliced = p.start();
        let mut t = 0;
        while !sliced.is_finished() {
            t += 97_000;
            sliced.run_until(t);
            let copy = sliced.clone();
            assert_eq!(copy.report(), sliced.report());
            if sliced.now() >= 10_000_000 {
                while sliced.step().is_some() {}
            }
        }
        assert_eq!(sliced.report(), p.run().report());
    }
}
