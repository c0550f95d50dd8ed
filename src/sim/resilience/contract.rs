//! The resilience lab behind the lab contract (`scenario::Lab`): an instantaneous lab whose steps are
//! its recorded changes (the notes' steps, kills and revivals), then the simulated years of the
//! architecture reached.

use super::cards::{breaker_run, services_run};
use super::lab::{ResilienceAction, ResilienceConfig, ResilienceReport, ResilienceSim, fingerprint};
use super::lab_presets::resilience_presets;
use crate::scenario::{ActionTime, Lab, LabPreset};

/// The resilience and architecture lab.
pub struct Resilience;

impl Lab for Resilience {
    const TITLE: &'static str = "Resilience & architecture";
    const SUMMARY: &'static str = "From Node → Database to DNS, load balancers, nodes, databases and regions, one step \
        at a time: kill anything and see what fails and what takes over; availability by algebra and by simulated \
        years; circuit breakers, retry storms, rate limits; monolith against microservices.";
    const INTRO: &'static str = "<h1>Resilience and architecture</h1><p>A <strong>single point of failure</strong> \
        is a part whose failure stops everything. Start from one node and one database, take the notes' steps one \
        at a time and watch each single point of failure go; <strong>kill</strong> any part or a whole region, and \
        read the <strong>availability</strong> computed from the structure beside years of simulated failures \
        and repairs.</p>";
    const TIMED: bool = false;
    type Config = ResilienceConfig;
    type Action = ResilienceAction;
    type Sim = ResilienceSim;
    type Report = ResilienceReport;

    fn presets() -> Vec<LabPreset<Self>> {
        resilience_presets()
    }
    fn describe(action: &ResilienceAction) -> String {
        action.describe()
    }
    fn start(
        seed: u64,
        config: &ResilienceConfig,
        actions: &[(ActionTime, ResilienceAction)],
    ) -> Result<ResilienceSim, String> {
        ResilienceSim::new(seed, config, actions)
    }
    fn report(sim: &ResilienceSim) -> ResilienceReport {
        sim.report()
    }
    fn violations(_: &ResilienceSim, report: &ResilienceReport) -> Vec<String> {
        let mut v = Vec::new();
        if report.agrees() == Some(false) {
            let y = report.years.as_ref().expect("agrees only with years");
            v.push(format!(
                "the simulated years ({:.8} ± {:.8}) disagree with the algebra ({:.8}) by more than 4 standard errors",
                y.simulated, y.simulated_stderr, y.analytic
            ));
        }
        v
    }
    fn fingerprint(_: &ResilienceSim, report: &ResilienceReport) -> Vec<u8> {
        fingerprint(report)
    }
    /// The other cards' outcomes: the circuit breaker's, the retry storm's and the services'.
    fn extra_json(sim: &ResilienceSim) -> serde_json::Value {
        let c = sim.config();
        let storm = super::storm::run(&c.storm, sim.seed());
        serde_json::json!({
            "breaker": breaker_run(&c.breaker).ok().map(|r| serde_json::json!({
                "transitions": r.transitions,
                "calls": r.calls,
                "failed": r.failed,
                "refused": r.refused,
                "failed_during_outage": r.failed_during_outage,
                "outage_calls": r.outage_calls,
                "closed_after_outage_s": r.closed_after_outage_s,
            })),
            "storm": storm.ok().map(|r| serde_json::json!({
                "requests": r.requests,
                "succeeded": r.succeeded,
                "failed": r.failed,
                "attempts": r.attempts,
                "wasted": r.wasted,
                "shed": r.shed,
                "goodput_before_per_s": r.goodput_before_per_s,
                "goodput_after_per_s": r.goodput_after_per_s,
                "recovered_at_s": r.recovered_at_s,
            })),
            "services": services_run(&c.services).ok(),
            "bulkhead": super::bulkhead::bulkhead_run(&c.bulkhead, sim.seed()).ok().map(|r| serde_json::json!({
                "a_refused_share": r.a_refused_share,
                "a_refused_theory": r.a_refused_theory,
                "a_refused": r.a_refused,
                "b_refused": r.b_refused,
            })),
        })
    }
}
