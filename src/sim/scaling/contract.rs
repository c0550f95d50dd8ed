//! The scaling and load-balancing lab behind the lab contract (`scenario::Lab`): a timed lab whose run
//! is a balancer in front of servers, killed and revived at moments.

use super::lab::{ScalingAction, ScalingConfig, ScalingReport, ScalingSim, fingerprint};
use super::lab_presets::scaling_presets;
use crate::scenario::{ActionTime, Lab, LabPreset};

/// The scaling and load-balancing lab.
pub struct Scaling;

impl Lab for Scaling {
    const TITLE: &'static str = "Scaling & balancing";
    const SUMMARY: &'static str = "One big machine or many behind a load balancer: every balancing policy on the same \
        requests beside queueing theory, the power of two choices, a slow server, a dead one the health checks \
        have not noticed yet.";
    const INTRO: &'static str = "<h1>Scaling and load balancing</h1><p>A bigger machine (<strong>vertical \
        scaling</strong>) or more of them behind a <strong>load balancer</strong> (<strong>horizontal</strong>). \
        How the balancer picks a server decides how long requests wait: watch every policy on the same requests, \
        each beside what <strong>queueing theory</strong> predicts, then kill a server and see what the health \
        checks miss.</p>";
    const TIMED: bool = true;
    type Config = ScalingConfig;
    type Action = ScalingAction;
    type Sim = ScalingSim;
    type Report = ScalingReport;

    fn presets() -> Vec<LabPreset<Self>> {
        scaling_presets()
    }
    fn describe(action: &ScalingAction) -> String {
        action.describe()
    }
    fn horizon_ms(_: &ScalingConfig) -> ActionTime {
        super::lab::limits::TIME_MS_MAX
    }
    fn start(seed: u64, config: &ScalingConfig, actions: &[(ActionTime, ScalingAction)]) -> Result<ScalingSim, String> {
        ScalingSim::new(seed, config, actions)
    }
    fn report(sim: &ScalingSim) -> ScalingReport {
        sim.report()
    }
    fn violations(sim: &ScalingSim, report: &ScalingReport) -> Vec<String> {
        sim.violations(report)
    }
    fn fingerprint(_: &ScalingSim, report: &ScalingReport) -> Vec<u8> {
        fingerprint(report)
    }
}
