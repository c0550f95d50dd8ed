//! The Yew interface: a view of the core. Components dispatch typed actions to one reducer (`app`),
//! which calls into `sim` and `scenario`; nothing in here simulates.

mod app;
mod busy;
mod chart;
mod chunked;
mod form;
mod format;
mod hashing;
pub mod lab;
mod palette;
mod panic;
mod persist;
mod playback;
mod pubsub;
mod queue;
mod root;
mod scroll;
mod sharding;
mod shell;
mod sliced;
mod stream;

// The interface's own unit tests run in the browser with the other wasm-bindgen tests.
#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

pub use panic::{remember_link, show_overlay as show_panic_overlay};
pub use root::App;

/// Mounts the app on the page body, with the panic overlay installed first.
pub fn start() {
    panic::install();
    yew::Renderer::<App>::new().render();
}

/// Mounts the app inside `root` (used by the browser tests).
pub fn mount(root: web_sys::Element) {
    yew::Renderer::<App>::with_root(root).render();
}
