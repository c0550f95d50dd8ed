//! Runs each lab's heaviest accepted scenario natively and prints its time, its events and the
//! estimate the lab refused or accepted it on, so the work budget (`sim::WORK_EVENTS_MAX`) can be
//! checked against the clock:
//!
//! ```text
//! cargo bench --bench run_budget --profile release            # tests/golden/heaviest/*.json
//! cargo bench --bench run_budget --profile release -- A.json  # any scenario files
//! ```
//!
//! A run is timed from the scenario's JSON to its report, as the command line's `run` does: parsing
//! and checking (for the hashing lab, the dry replay that estimates the work), the run, the report.

use std::path::{Path, PathBuf};
use std::time::Instant;
use sysplay::scenario::{LabRun, LabSetup, Scenario, scenario_from_json};
use sysplay::sim::{cache, events, hashing, pubsub, queue, resilience, sharding, stream};

fn estimate(s: &Scenario) -> Result<u64, String> {
    Ok(match &s.setup {
        LabSetup::Hashing { config, actions } => {
            hashing::check_replay(s.seed, config, actions.iter().map(|(_, a)| a))?.total()
        }
        LabSetup::Queue { config, actions } => queue::estimate_work(config, actions).total(),
        LabSetup::Stream { config, actions } => stream::estimate_work(config, actions).total(),
        LabSetup::Pubsub { config, actions } => pubsub::estimate_work(config, actions).total(),
        LabSetup::Sharding { config, actions } => sharding::lab::estimate_work(config, actions).total(),
        LabSetup::Caching { config, actions } => cache::estimate_work(config, actions).total(),
        LabSetup::Events { config, actions } => events::lab::work_bound(config, actions)?,
        LabSetup::Scaling { config, .. } => config.requests * 2,
        LabSetup::Resilience { config, actions } => resilience::lab::work_bound(config, actions)?,
    })
}

/// Events the run processed (the hashing lab has none: its work is rings and keys).
fn events(s: &Scenario) -> Option<u64> {
    if !s.lab().timed() {
        return None;
    }
    struct Steps<'a>(&'a Scenario);
    impl sysplay::scenario::LabVisitor for Steps<'_> {
        type Out = Option<u64>;
        fn visit<L: sysplay::scenario::Registered>(self) -> Option<u64> {
            let mut sim = self.0.start::<L>()?.ok()?;
            sysplay::scenario::run_sim::<L>(&mut sim, None);
            Some(L::steps(&sim))
        }
    }
    s.lab().visit(Steps(s))
}

fn run_file(path: &Path) {
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let json = match std::fs::read(path) {
        Ok(j) => j,
        Err(e) => return println!("{name}: {e}"),
    };
    let raw: Scenario = match serde_json::from_slice(&json) {
        Ok(s) => s,
        Err(e) => return println!("{name}: {e}"),
    };
    let estimate = estimate(&raw);
    let start = Instant::now();
    let scenario = match scenario_from_json(&json) {
        Ok(s) => s,
        Err(e) => {
            return println!("{name:<28} refused in {:.3} s: {e}", start.elapsed().as_secs_f64());
        }
    };
    let run = scenario.run().expect("a checked scenario runs");
    let report = serde_json::to_string(&run.report()).expect("reports serialize");
    let seconds = start.elapsed().as_secs_f64();
    if let LabRun::Hashing(lab) = &run {
        assert_eq!(Ok(lab.work().total()), estimate, "the dry replay estimates the real one's work");
    }
    let counted = events(&scenario);
    let est = estimate.unwrap_or(0);
    let per_s = |e: u64| e as f64 / seconds / 1e6;
    match counted {
        Some(n) => println!(
            "{name:<28} {seconds:7.2} s  {n:>11} events ({:.2} M/s)  estimate {est:>11} ({:.2} M/s; {:.0}% used)  report {} KB",
            per_s(n),
            per_s(est),
            100.0 * n as f64 / est.max(1) as f64,
            report.len() / 1024
        ),
        None => println!(
            "{name:<28} {seconds:7.2} s  estimate {est:>11} ({:.2} M/s)  report {} KB",
            per_s(est),
            report.len() / 1024
        ),
    }
}

fn main() {
    let files: Vec<PathBuf> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).map(PathBuf::from).collect();
    let files = if files.is_empty() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/heaviest");
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    } else {
        files
    };
    println!("work budget: {} events", sysplay::sim::WORK_EVENTS_MAX);
    for f in &files {
        run_file(f);
    }
}
