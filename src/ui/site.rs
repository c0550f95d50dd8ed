//! The site's pages: each lab has its own address (`queue/`, `stream/`, …; the first lab at the root),
//! built with only that lab's code, so what a visitor downloads does not grow with the number of labs.
//! A page sends whatever belongs to another lab (a link, a file, the navigation) to that lab's page.
//! A build holding several labs (the development server, the browser tests) switches between them in
//! place.

use crate::labs::DIRECTORY;
use crate::scenario::{LabId, link_lab};

/// The key of the lab whose page this is: the build's first lab.
fn this_page() -> &'static str {
    LabId::ALL[0].key()
}

/// The address of lab `key`'s page, relative to this page (the first lab's page is the site's root).
pub fn href(key: &str) -> String {
    let root = DIRECTORY[0].0;
    let up = if this_page() == root { "" } else { "../" };
    if key == root { if up.is_empty() { "./".to_string() } else { up.to_string() } } else { format!("{up}{key}/") }
}

/// True when this build holds lab `key`'s code (its page is shown here, not elsewhere).
pub fn here(key: &str) -> bool {
    LabId::from_key(key).is_some()
}

/// True when lab `key` is one of the site's, with a page of its own other than this one.
pub fn elsewhere(key: &str) -> bool {
    !here(key) && DIRECTORY.iter().any(|(k, ..)| *k == key)
}

/// Where a share link of a lab this build does not hold opens: that lab's page with the same fragment.
pub fn page_for_link(fragment: &str) -> Option<String> {
    let key = link_lab(fragment)?;
    elsewhere(&key).then(|| format!("{}#{fragment}", href(&key)))
}

/// Leaves for `address` (replacing this entry of the history: the link was never shown here).
pub fn go(address: &str) {
    if let Some(location) = web_sys::window().map(|w| w.location()) {
        let _ = location.replace(address);
    }
}

/// The build shown in the footer: the crate's version and the commit the site was built from.
pub fn version() -> String {
    format!("Version {} ({})", env!("CARGO_PKG_VERSION"), option_env!("SYSPLAY_BUILD").unwrap_or("development build"))
}

/// Registers the site's service worker (`sw.js` at the root, written by scripts/site.mjs), which keeps
/// the whole site for offline use after one visit. Only a page of the site has one: the development
/// build (every lab in one page, served by trunk) does not.
pub fn keep_offline() {
    if cfg!(feature = "all-labs") {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    if !window.is_secure_context() {
        return;
    }
    let root = href(DIRECTORY[0].0);
    let promise = window.navigator().service_worker().register(&format!("{root}sw.js"));
    // A browser that refuses (private mode, storage off) keeps the site working online.
    let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
    let _ = promise.catch(&ignore);
    ignore.forget();
}
