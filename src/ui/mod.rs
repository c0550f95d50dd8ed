//! The Yew interface: a view of the core. Components dispatch typed actions to one reducer (`app`),
//! which calls into `sim` and `scenario`; nothing in here simulates.

mod app;
mod busy;
mod chart;
mod chunked;
mod form;
mod format;
#[cfg(feature = "lab-hashing")]
mod hashing;
pub mod lab;
mod later;
mod palette;
mod panic;
mod persist;
mod playback;
#[cfg(feature = "lab-pubsub")]
mod pubsub;
#[cfg(feature = "lab-queue")]
mod queue;
mod root;
mod scroll;
#[cfg(feature = "lab-sharding")]
mod sharding;
mod shell;
mod site;
mod sliced;
#[cfg(feature = "lab-stream")]
mod stream;

// The interface's own unit tests run in the browser with the other wasm-bindgen tests.
#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

pub use panic::{remember_link, show_overlay as show_panic_overlay};
pub use root::App;

/// Mounts the app on the page body, with the panic overlay installed first.
pub fn start() {
    panic::install();
    // The page's HTML holds its shell and the lab's text, to read while the code arrives: the app
    // takes over from it.
    if let Some(prerendered) =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("prerender"))
    {
        prerendered.remove();
    }
    busy::begin_starting();
    yew::Renderer::<App>::new().render();
    site::keep_offline();
}

/// Mounts the app inside `root` (used by the browser tests).
pub fn mount(root: web_sys::Element) {
    yew::Renderer::<App>::with_root(root).render();
}
