//! Sysplay: a system-design playground. `sim` is the deterministic core, `scenario` the shareable
//! description of a session, `labs` the one list of labs, `ui` the Yew interface over both (compiled
//! only for wasm32: native builds, tests and the command line never build it).

pub mod labs;
pub mod limits;
pub mod scenario;
pub mod sim;
// A page built with one lab leaves shared interface code only the other labs use.
#[cfg(target_arch = "wasm32")]
#[cfg_attr(not(feature = "all-labs"), allow(dead_code))]
pub mod ui;
