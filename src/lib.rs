//! Sysplay: a system-design playground. `sim` is the deterministic core, `scenario` the shareable
//! description of a session, `ui` the Yew interface over both (compiled only for wasm32: native builds,
//! tests and the command line never build it).

pub mod scenario;
pub mod sim;
#[cfg(target_arch = "wasm32")]
pub mod ui;
