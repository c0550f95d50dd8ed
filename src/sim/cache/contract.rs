//! The caching lab behind the lab contract (`scenario::Lab`): a timed lab whose virtual clock counts
//! requests, one a second, so the animation steps through them and a link opens at a request.

use super::lab::{CacheLabReport, CacheLabSim, REQUEST_US};
use super::lab_config::{CacheAction, CacheLabConfig};
use super::lab_presets::caching_presets;
use crate::scenario::{ActionTime, Lab, LabPreset};

/// The caching & CDN lab.
pub struct Caching;

impl Lab for Caching {
    const TITLE: &'static str = "Caching & CDN";
    const SUMMARY: &'static str = "Watch a cache serve requests one at a time under LRU, LFU, FIFO, CLOCK, ARC, W-TinyLFU, \
        S3-FIFO and SIEVE, beside Belady's optimum: what each holds, why each request hits or misses, and \
        the hit ratio of every policy over time and across cache sizes.";
    const INTRO: &'static str = "<h1>Caching</h1><p>A cache keeps a few answers close so most requests skip the slow \
        trip to the database; when it is full, its <strong>eviction policy</strong> decides which key \
        leaves for a new one. Step through the requests and watch what each policy holds and why each \
        request hits or misses, beside <strong>Belady's optimum</strong>, which knows the future and \
        which no real cache can beat.</p>";
    const TIMED: bool = true;
    type Config = CacheLabConfig;
    type Action = CacheAction;
    type Sim = CacheLabSim;
    type Report = CacheLabReport;

    fn presets() -> Vec<LabPreset<Self>> {
        caching_presets()
    }
    fn describe(action: &CacheAction) -> String {
        action.describe()
    }
    fn horizon_ms(config: &CacheLabConfig) -> ActionTime {
        // Up to the workload's last request.
        config.workload.requests().saturating_mul(REQUEST_US / 1000)
    }
    fn start(seed: u64, config: &CacheLabConfig, actions: &[(ActionTime, CacheAction)]) -> Result<CacheLabSim, String> {
        CacheLabSim::new(seed, config, actions)
    }
    fn report(sim: &CacheLabSim) -> CacheLabReport {
        sim.report()
    }
    fn violations(sim: &CacheLabSim, _: &CacheLabReport) -> Vec<String> {
        sim.violations()
    }
    fn fingerprint(_: &CacheLabSim, report: &CacheLabReport) -> Vec<u8> {
        report.fingerprint()
    }
    fn extra_json(sim: &CacheLabSim) -> serde_json::Value {
        sim.extra()
    }
}
