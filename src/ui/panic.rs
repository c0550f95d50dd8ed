//! A panic shows an overlay with the message and a "copy scenario link" button instead of a dead page.
//! The overlay is built with plain DOM calls because Yew may no longer be running.

use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

thread_local! {
    /// The share link of the latest state, kept up to date by the app.
    static LAST_LINK: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records the current scenario's link, for the overlay's copy button.
pub fn remember_link(link: &str) {
    LAST_LINK.with(|l| link.clone_into(&mut l.borrow_mut()));
}

/// Installs the panic hook: log to the console, then show the overlay.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_overlay(&info.to_string());
    }));
}

/// Shows the overlay with `message` (what the panic hook calls; public for the browser tests).
pub fn show_overlay(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = document.body() else { return };
    if document.get_element_by_id("panic-overlay").is_some() {
        return;
    }
    let link = LAST_LINK.with(|l| l.borrow().clone());
    let build = || -> Option<()> {
        let overlay = document.create_element("div").ok()?;
        overlay.set_id("panic-overlay");
        overlay.set_attribute("role", "alertdialog").ok()?;
        let title = document.create_element("h2").ok()?;
        title.set_text_content(Some("Sysplay stopped because of a bug"));
        let text = document.create_element("p").ok()?;
        text.set_text_content(Some(
            "Your session is saved. Copy the scenario link to report the bug or to reopen the same state.",
        ));
        let detail = document.create_element("pre").ok()?;
        detail.set_text_content(Some(message));
        let button = document.create_element("button").ok()?;
        button.set_attribute("data-testid", "panic-copy").ok()?;
        button.set_text_content(Some("Copy scenario link"));
        let copied = link.clone();
        let onclick = Closure::<dyn Fn()>::new(move || super::persist::copy(&copied));
        button.add_event_listener_with_callback("click", onclick.as_ref().unchecked_ref()).ok()?;
        onclick.forget();
        let reload = document.create_element("a").ok()?;
        reload.set_attribute("href", &link).ok()?;
        reload.set_text_content(Some("Reload with this scenario"));
        for child in [&title, &text, &detail, &button, &reload] {
            overlay.append_child(child).ok()?;
        }
        body.append_child(&overlay).ok()?;
        Some(())
    };
    build();
}
