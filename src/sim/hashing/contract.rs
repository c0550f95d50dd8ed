//! The hashing lab behind the lab contract (`scenario::Lab`): an instantaneous lab whose steps are its
//! recorded changes, applied one at a time (each builds rings of up to a million points, so a long
//! scenario is replayed in slices like any timed run).

use super::{HashingAction, HashingConfig, HashingLab, HashingReport};
use crate::scenario::{ActionTime, Lab, LabPreset, Stepped};

/// The hashing & load-balancing lab.
pub struct Hashing;

/// A replay of a hashing scenario: the lab and the changes not yet applied.
#[derive(Clone, Debug)]
pub struct HashingReplay {
    pub lab: HashingLab,
    actions: Vec<(ActionTime, HashingAction)>,
    next: usize,
}

impl std::ops::Deref for HashingReplay {
    type Target = HashingLab;
    fn deref(&self) -> &HashingLab {
        &self.lab
    }
}

/// `check_replay` places configuration errors itself; the scenario layer places them again.
fn unplaced(e: String) -> String {
    e.strip_prefix("configuration: ").map_or(e.clone(), str::to_string)
}

impl Lab for Hashing {
    const TITLE: &'static str = "Hashing & load balancing";
    const SUMMARY: &'static str = "Modulo hashing against a consistent-hashing ring on the same keys. Add, remove and move \
        servers; see which keys move and who owns how much of the key space.";
    const INTRO: &'static str = "<h1>Hashing &amp; load balancing</h1><p>The same request ids go to servers two ways: \
        <strong>modulo</strong> (server number h % N) and a <strong>consistent-hashing ring</strong> \
        (the first server clockwise at or after the key's position h % M). Change the servers and see \
        how many keys each scheme moves.</p>";
    const TIMED: bool = false;
    type Config = HashingConfig;
    type Action = HashingAction;
    type Sim = HashingReplay;
    type Report = HashingReport;

    fn presets() -> Vec<LabPreset<Self>> {
        super::presets::hashing_presets()
    }
    fn describe(action: &HashingAction) -> String {
        action.describe()
    }
    fn start(
        seed: u64,
        config: &HashingConfig,
        actions: &[(ActionTime, HashingAction)],
    ) -> Result<HashingReplay, String> {
        // Every change applies in turn, and the whole replay is within the work budget: checked on the
        // membership alone, before any ring is built or key drawn.
        super::check_replay(seed, config, actions.iter().map(|(_, a)| a)).map_err(unplaced)?;
        let lab = HashingLab::new(seed, config)?;
        Ok(HashingReplay { lab, actions: actions.to_vec(), next: 0 })
    }
    fn report(sim: &HashingReplay) -> HashingReport {
        sim.lab.report()
    }
    fn violations(_: &HashingReplay, _: &HashingReport) -> Vec<String> {
        Vec::new()
    }
    fn fingerprint(sim: &HashingReplay, _: &HashingReport) -> Vec<u8> {
        sim.lab.fingerprint()
    }
    fn extra_json(sim: &HashingReplay) -> serde_json::Value {
        serde_json::json!({ "cache": sim.lab.cache_affinity() })
    }
}

/// The replay takes one recorded change a step, at the change's moment.
impl Stepped for HashingReplay {
    fn step(&mut self) -> Option<u64> {
        let (at, action) = self.actions.get(self.next)?;
        // `start` checked that every action applies in turn.
        self.lab.apply(action).expect("checked when the replay started");
        self.next += 1;
        Some(at.saturating_mul(1000))
    }
    fn run_until(&mut self, t_us: u64) {
        while self.actions.get(self.next).is_some_and(|(at, _)| at.saturating_mul(1000) <= t_us) {
            self.step();
        }
    }
    fn now(&self) -> u64 {
        self.next.checked_sub(1).map_or(0, |i| self.actions[i].0.saturating_mul(1000))
    }
    fn steps(&self) -> u64 {
        self.next as u64
    }
    fn is_finished(&self) -> bool {
        self.next == self.actions.len()
    }
}
