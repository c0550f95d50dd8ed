//! Shared by the property tests: a failing schedule printed as a share link that opens the same run in
//! the page, followed by its JSON.

use sysplay::scenario::{LabSetup, SCENARIO_VERSION, Scenario, encode_link};

pub fn replay_link(seed: u64, setup: LabSetup) -> String {
    let scenario = Scenario { version: SCENARIO_VERSION, seed, setup };
    format!(
        "http://127.0.0.1:8080/#{} ({})",
        encode_link(&scenario),
        serde_json::to_string(&scenario).unwrap_or_default()
    )
}
