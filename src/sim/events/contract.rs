//! The request-response vs event-driven lab behind the lab contract (`scenario::Lab`): a timed lab whose
//! run is the chain and the flow on the same requests, services killed, slowed and revived at moments.

use super::lab::{EventsAction, EventsLabConfig, EventsLabReport, EventsLabSim};
use super::lab_presets::events_presets;
use crate::scenario::{ActionTime, Lab, LabPreset};

/// The request-response vs event-driven lab.
pub struct Events;

impl Lab for Events {
    const TITLE: &'static str = "Requests vs events";
    const SUMMARY: &'static str = "Kill a service in a synchronous chain and watch every caller wait for its timeout, then \
        run the same requests through queues; replay the notes' commission anomaly (1000 → 100) and switch on \
        the fixes real systems use: sagas, idempotency keys, the outbox, the inbox, event sourcing.";
    const INTRO: &'static str = "<h1>Request-response vs event-driven</h1><p>In a <strong>request chain</strong> \
        every service waits for the ones it calls, so one dead service makes everything above it wait for a \
        timeout. <strong>Event-driven</strong>, a service writes, publishes and answers at once, and the others \
        catch up from queues: the client never waits, but the system is only <strong>eventually \
        consistent</strong>, and the notes' commission story shows what that can cost, and how it is fixed.</p>";
    const TIMED: bool = true;
    type Config = EventsLabConfig;
    type Action = EventsAction;
    type Sim = EventsLabSim;
    type Report = EventsLabReport;

    fn presets() -> Vec<LabPreset<Self>> {
        events_presets()
    }
    fn describe(action: &EventsAction) -> String {
        action.describe()
    }
    fn horizon_ms(_: &EventsLabConfig) -> ActionTime {
        ActionTime::from(super::chain::limits::TIME_MS_MAX) - 1
    }
    fn start(
        seed: u64,
        config: &EventsLabConfig,
        actions: &[(ActionTime, EventsAction)],
    ) -> Result<EventsLabSim, String> {
        EventsLabSim::new(seed, config, actions)
    }
    fn report(sim: &EventsLabSim) -> EventsLabReport {
        sim.report()
    }
    fn violations(sim: &EventsLabSim, report: &EventsLabReport) -> Vec<String> {
        sim.violations(report)
    }
    fn fingerprint(sim: &EventsLabSim, report: &EventsLabReport) -> Vec<u8> {
        sim.fingerprint(report)
    }
    fn extra_json(sim: &EventsLabSim) -> serde_json::Value {
        sim.extra()
    }
}
