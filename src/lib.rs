//! Sysplay: a system-design playground. `sim` is the deterministic core, `scenario` the shareable
//! description of a session, `labs` the one list of labs, `ui` the Yew interface over both.

pub mod labs;
pub mod limits;
pub mod scenario;
pub mod sim;
pub mod ui;
