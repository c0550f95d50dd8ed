//! The page's edges: the URL fragment, localStorage autosave and the clipboard. Every function here
//! tolerates a browser that refuses (private mode, no clipboard): it returns `None` or does nothing.

use wasm_bindgen::JsValue;

const AUTOSAVE_KEY: &str = "sysplay.session";

/// The URL fragment without `#`, if any.
pub fn fragment() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let hash = hash.strip_prefix('#').unwrap_or(&hash).to_string();
    (!hash.is_empty()).then_some(hash)
}

/// Removes the fragment from the address bar without reloading.
pub fn clear_fragment() {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let url = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Shows `fragment` in the address bar without reloading.
pub fn set_fragment(fragment: &str) {
    let Some(window) = web_sys::window() else { return };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{fragment}")));
    }
}

/// The full page address carrying `fragment`.
pub fn page_url(fragment: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}{}", l.origin().ok()?, l.pathname().ok()?, l.search().ok()?))
        })
        .unwrap_or_default();
    format!("{base}#{fragment}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The autosaved session of the lab shown last (a share-link fragment).
pub fn load_autosave() -> Option<String> {
    storage()?.get_item(AUTOSAVE_KEY).ok()?
}

/// The autosaved session of one lab (a share-link fragment); `lab` is a short stable name.
pub fn load_lab_autosave(lab: &str) -> Option<String> {
    storage()?.get_item(&format!("{AUTOSAVE_KEY}.{lab}")).ok()?
}

/// Saves the session of the lab shown (a share-link fragment), as that lab's and as the last one shown.
pub fn autosave(lab: &str, fragment: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(AUTOSAVE_KEY, fragment);
        let _ = s.set_item(&format!("{AUTOSAVE_KEY}.{lab}"), fragment);
    }
}

/// Copies `text` to the clipboard; the promise's outcome is ignored (the link is also shown on screen).
pub fn copy(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

/// True when the system asks for a dark theme.
pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}
