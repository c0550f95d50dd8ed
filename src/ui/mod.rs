//! The Yew interface: a view of the core. Components dispatch typed actions to one reducer (`app`),
//! which calls into `sim` and `scenario`; nothing in here simulates.

mod app;
mod busy;
#[cfg(feature = "lab-caching")]
mod caching;
mod chart;
mod chunked;
#[cfg(feature = "lab-events")]
mod events;
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
#[cfg(any(feature = "lab-caching", feature = "lab-events", feature = "lab-scaling", feature = "lab-resilience"))]
mod recorded;
#[cfg(feature = "lab-resilience")]
mod resilience;
mod root;
#[cfg(feature = "lab-scaling")]
mod scaling;
mod scroll;
#[cfg(feature = "lab-sharding")]
mod sharding;
mod shell;
mod site;
mod sliced;
#[cfg(feature = "lab-stream")]
mod stream;
mod task;

// The interface's own unit tests run in the browser with the other wasm-bindgen tests.
#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use wasm_bindgen::JsCast;

pub use panic::{remember_link, show_overlay as show_panic_overlay};
pub use root::App;

/// Mounts the app on the page body, with the panic overlay installed first.
pub fn start() {
    panic::install();
    let prerendered = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("prerender"));
    let Some(prerendered) = prerendered else { return take_over(None) };
    // The page's HTML holds its shell and the lab's introduction, to read while the code arrives. The
    // app takes over once that has been painted (after the next frame; a hidden tab, which draws no
    // frames, after 100 ms), so however fast the code arrived, the page's largest text is painted
    // once, from the HTML.
    let once = std::rc::Rc::new(std::cell::Cell::new(Some(prerendered)));
    let go = {
        let once = once.clone();
        move || {
            if let Some(p) = once.take() {
                take_over(Some(p));
            }
        }
    };
    let after_frame = {
        let go = go.clone();
        wasm_bindgen::closure::Closure::once_into_js(move || gloo_timers::callback::Timeout::new(0, go).forget())
    };
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(after_frame.unchecked_ref());
    }
    gloo_timers::callback::Timeout::new(100, go).forget();
}

/// Replaces the prerendered shell with the app.
fn take_over(prerendered: Option<web_sys::Element>) {
    if let Some(p) = prerendered {
        p.remove();
    }
    busy::begin_starting();
    yew::Renderer::<App>::new().render();
    site::keep_offline();
}

/// Mounts the app inside `root` (used by the browser tests).
pub fn mount(root: web_sys::Element) {
    yew::Renderer::<App>::with_root(root).render();
}
