//! Sysplay: a system-design playground. `sim` is the deterministic core, `scenario` the shareable
//! description of a session, `ui` the Yew interface over both.

pub mod scenario;
pub mod sim;
pub mod ui;
