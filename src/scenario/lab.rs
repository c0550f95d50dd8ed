//! The lab contract: what every lab implements in its own folder under `src/sim/` so the scenario layer,
//! the command line and the page (through `ui::lab::LabPage`) handle it without knowing which lab it is.
//! `crate::labs` lists the labs once; ARCHITECTURE.md says how to add one.

use super::{ActionTime, LabId, LabSetup};
use crate::sim::timeline::TimedRun;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// A lab's simulation core, seen from the scenario layer.
///
/// A run is a sequence of steps: for a timed lab one event of its `kernel::Model` (actions take effect
/// at their virtual time), for an instantaneous lab (hashing) one recorded action. Every step is
/// bounded work, so the page can compute any run in slices and never freeze.
pub trait Lab: Sized + 'static {
    /// The lab's name in the navigation and on the about page.
    const TITLE: &'static str;
    /// What the lab shows, in a sentence or two: on the about page, and written into the lab's page so
    /// a visitor reads it before the code has arrived.
    const SUMMARY: &'static str;
    /// The lab page's heading and introduction, as HTML: an `<h1>`, then one `<p>` using only
    /// `<strong>` and `<code>`. The page shows it, and the site writes it into the lab's HTML, so the
    /// largest text of the page is painted before the code arrives and drawn again, identical, after.
    const INTRO: &'static str;
    /// True when actions happen at a virtual time the user picks on a playing simulation; false when
    /// they apply one after another (each recorded 1 ms after the previous one).
    const TIMED: bool;

    type Config: Clone + Debug + PartialEq + Eq + Serialize + DeserializeOwned + 'static;
    type Action: Clone + Debug + PartialEq + Eq + Serialize + DeserializeOwned + 'static;
    /// The state of a run, advanced one step at a time.
    type Sim: Stepped + 'static;
    /// Everything the command line prints about a run (as JSON), and what the page shows of its end.
    type Report: Clone + Debug + PartialEq + Serialize + 'static;

    /// This lab's presets, in the order its page lists them.
    fn presets() -> Vec<LabPreset<Self>>;

    /// One line saying what an action does (history lists, error messages).
    fn describe(action: &Self::Action) -> String;

    /// The last virtual time an action can be recorded at, ms (timed labs: the run's horizon).
    fn horizon_ms(_config: &Self::Config) -> ActionTime {
        ActionTime::MAX
    }

    /// A run at its start, after checking the configuration and every action against the limits (and,
    /// for the hashing lab, that each action applies). Cheap: no step is taken. The message says what
    /// to change.
    fn start(seed: u64, config: &Self::Config, actions: &[(ActionTime, Self::Action)]) -> Result<Self::Sim, String>;

    /// Takes one step; returns its virtual time (µs), or `None` when the run is over.
    fn step(sim: &mut Self::Sim) -> Option<u64> {
        sim.step()
    }
    /// Takes every step at or before virtual time `t_us`.
    fn run_until(sim: &mut Self::Sim, t_us: u64) {
        sim.run_until(t_us);
    }
    /// Virtual time of the last step, µs.
    fn now(sim: &Self::Sim) -> u64 {
        sim.now()
    }
    /// Steps taken so far.
    fn steps(sim: &Self::Sim) -> u64 {
        sim.steps()
    }
    fn is_finished(sim: &Self::Sim) -> bool {
        sim.is_finished()
    }

    /// The report of the run as it stands (the whole run once finished).
    fn report(sim: &Self::Sim) -> Self::Report;
    /// Invariants the run broke (none, unless the core has a bug).
    fn violations(sim: &Self::Sim, report: &Self::Report) -> Vec<String>;
    /// The bytes the run's digest hashes: the same natively and in wasm, stable when reports grow.
    fn fingerprint(sim: &Self::Sim, report: &Self::Report) -> Vec<u8>;
    /// Extra figures the command line prints beside the report (hashing: cache affinity).
    fn extra_json(_sim: &Self::Sim) -> serde_json::Value {
        serde_json::Value::Null
    }
}

/// A lab's run seen step by step: what the contract's stepping asks of a lab's simulation. A timed
/// lab's run gets it from `sim::timeline::TimedRun`; an instantaneous lab implements it on its replay.
pub trait Stepped {
    /// Takes one step; returns its virtual time (µs), or `None` when the run is over.
    fn step(&mut self) -> Option<u64>;
    /// Takes every step at or before virtual time `t_us`.
    fn run_until(&mut self, t_us: u64);
    /// Virtual time of the last step, µs.
    fn now(&self) -> u64;
    /// Steps taken so far.
    fn steps(&self) -> u64;
    fn is_finished(&self) -> bool;
}

impl<T: crate::sim::timeline::TimedRun> Stepped for T {
    fn step(&mut self) -> Option<u64> {
        TimedRun::step(self)
    }
    fn run_until(&mut self, t_us: u64) {
        TimedRun::run_until(self, t_us);
    }
    fn now(&self) -> u64 {
        TimedRun::now(self)
    }
    fn steps(&self) -> u64 {
        self.events()
    }
    fn is_finished(&self) -> bool {
        TimedRun::is_finished(self)
    }
}

/// A lab as listed in the registry (`crate::labs`): its id and the way in and out of `LabSetup`.
/// Implemented by the registry's macro, never by hand.
pub trait Registered: Lab {
    const ID: LabId;
    /// The configuration and actions of a setup of this lab.
    #[allow(clippy::type_complexity)]
    fn setup_of(setup: &LabSetup) -> Option<(&Self::Config, &[(ActionTime, Self::Action)])>;
    /// The same, mutable.
    #[allow(clippy::type_complexity)]
    fn setup_of_mut(setup: &mut LabSetup) -> Option<(&mut Self::Config, &mut Vec<(ActionTime, Self::Action)>)>;
    fn wrap(config: Self::Config, actions: Vec<(ActionTime, Self::Action)>) -> LabSetup;
}

/// A named starting point of a lab, as the lab's core defines it.
pub struct LabPreset<L: Lab> {
    pub name: &'static str,
    pub title: &'static str,
    pub explains: &'static str,
    pub seed: u64,
    pub config: L::Config,
    pub actions: Vec<(ActionTime, L::Action)>,
}

/// A run taken to its end (or to a moment, with `run_until`): the simulation, its report and any
/// invariant it broke.
pub struct Finished<L: Lab> {
    pub sim: L::Sim,
    pub report: L::Report,
    pub violations: Vec<String>,
}

impl<L: Lab> Finished<L> {
    /// Sums up `sim` as it stands.
    pub fn of(sim: L::Sim) -> Self {
        let report = L::report(&sim);
        let violations = L::violations(&sim, &report);
        Self { sim, report, violations }
    }

    /// The run's digest (xxh3-64 of the lab's fingerprint).
    pub fn digest(&self) -> u64 {
        crate::sim::hash::digest(&L::fingerprint(&self.sim, &self.report))
    }
}

impl<L: Lab> std::ops::Deref for Finished<L> {
    type Target = L::Sim;
    fn deref(&self) -> &L::Sim {
        &self.sim
    }
}

impl<L: Lab> PartialEq for Finished<L> {
    /// Two runs are equal when their reports and broken invariants are.
    fn eq(&self, other: &Self) -> bool {
        self.report == other.report && self.violations == other.violations
    }
}

impl<L: Lab> Debug for Finished<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finished").field("report", &self.report).field("violations", &self.violations).finish()
    }
}

/// Runs `sim` to its end, or up to virtual time `until_us`.
pub fn run_sim<L: Lab>(sim: &mut L::Sim, until_us: Option<u64>) {
    match until_us {
        None => while L::step(sim).is_some() {},
        Some(t) => L::run_until(sim, t),
    }
}
