//! The page's edges: the URL fragment, localStorage autosave, the clipboard, scenario files downloaded
//! and opened. Every function here tolerates a browser that refuses (private mode, no clipboard): it
//! returns `None` or does nothing, or (the autosave, a download) says why.

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

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

/// Before this version: the session of the lab shown last, as a share-link fragment (still read).
const LEGACY_LAST_KEY: &str = "sysplay.session";
/// Each lab's session: `sysplay.session.<lab>`.
const LAB_PREFIX: &str = "sysplay.session.";
/// The key of the lab shown last.
const LAST_KEY: &str = "sysplay.last";
/// Set while the page opens a session (an autosave, a link, a file) and cleared once the page is idle
/// with it shown: still set at the next visit means that visit never finished opening it.
const OPENING_PREFIX: &str = "sysplay.opening";

/// The mark of this page (each lab's page opens its own sessions; see `OPENING_PREFIX`).
fn opening_key() -> String {
    format!("{OPENING_PREFIX}.{}", crate::scenario::LabId::ALL[0].key())
}

/// The autosaved session of one lab: its scenario JSON (or, saved by an older version, a share-link
/// fragment); `lab` is a short stable name.
pub fn load_lab_autosave(lab: &str) -> Option<String> {
    storage()?.get_item(&format!("{LAB_PREFIX}{lab}")).ok()?
}

/// The lab shown last (its key), or the session an older version saved as the last one shown.
pub enum Last {
    Lab(String),
    Legacy(String),
}

/// The lab shown last, if any was saved.
pub fn load_last() -> Option<Last> {
    let s = storage()?;
    if let Some(lab) = s.get_item(LAST_KEY).ok()? {
        return Some(Last::Lab(lab));
    }
    s.get_item(LEGACY_LAST_KEY).ok()?.map(Last::Legacy)
}

/// True when some session is saved in this browser.
pub fn has_saved() -> bool {
    saved_keys().next().is_some()
}

fn saved_keys() -> impl Iterator<Item = String> {
    let s = storage();
    let n = s.as_ref().and_then(|s| s.length().ok()).unwrap_or(0);
    (0..n)
        .filter_map(move |i| s.as_ref()?.key(i).ok()?)
        // This page's labs only: the sessions of labs with pages of their own are theirs to keep.
        .filter(|k| {
            k.strip_prefix(LAB_PREFIX).is_some_and(|lab| crate::scenario::LabId::from_key(lab).is_some())
                || k == LEGACY_LAST_KEY
                || k == LAST_KEY
        })
        .collect::<Vec<_>>()
        .into_iter()
}

/// Saves the session of the lab shown (its scenario JSON, not bound by a link's size): as that lab's,
/// and that lab as the last one shown. Says why when the browser refuses (storage full or disabled).
pub fn autosave(lab: &str, json: &str) -> Result<(), String> {
    let s = storage().ok_or("this browser gives the page no storage")?;
    s.set_item(&format!("{LAB_PREFIX}{lab}"), json).map_err(|e| {
        let name = js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
        if name.contains("Quota") {
            format!("this browser's storage for the page is full ({} KB needed)", json.len().div_ceil(1000))
        } else {
            "this browser refused to store it".to_string()
        }
    })?;
    let _ = s.set_item(LAST_KEY, lab);
    let _ = s.remove_item(LEGACY_LAST_KEY);
    Ok(())
}

/// Forgets every saved session.
pub fn forget_saved() {
    if let Some(s) = storage() {
        for key in saved_keys() {
            let _ = s.remove_item(&key);
        }
    }
}

/// Notes that the page is opening a session (see `OPENING_PREFIX`).
pub fn mark_opening() {
    if let Some(s) = storage() {
        let _ = s.set_item(&opening_key(), &js_sys::Date::now().to_string());
    }
}

/// The page has shown the session it was opening, and is idle.
pub fn clear_opening() {
    if let Some(s) = storage() {
        let _ = s.remove_item(&opening_key());
    }
}

/// True when a visit started opening a session and never finished.
pub fn opening_marked() -> bool {
    storage().and_then(|s| s.get_item(&opening_key()).ok().flatten()).is_some()
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, text: &str) -> Result<(), String> {
    let fail = |_| "this browser refused the download".to_string();
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(fail)?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The download has started from the click; the address can go once the browser has it.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// Reads the file chosen in `input` (at most `max` bytes: a larger one is refused unread) and hands
/// its name and bytes, or the size of a file too large, to `done`.
pub fn read_chosen_file(input: &web_sys::HtmlInputElement, max: usize, done: impl FnOnce(ChosenFile) + 'static) {
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
    input.set_value("");
    let name = file.name();
    let size = file.size() as usize;
    if size > max {
        done(ChosenFile::TooLarge { name, size });
        return;
    }
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let on_read = {
        let (done, name) = (done.clone(), name.clone());
        Closure::once(move |buffer: JsValue| {
            if let Some(done) = done.borrow_mut().take() {
                done(ChosenFile::Read { name, bytes: js_sys::Uint8Array::new(&buffer).to_vec() });
            }
        })
    };
    let on_fail = Closure::once(move |_: JsValue| {
        if let Some(done) = done.borrow_mut().take() {
            done(ChosenFile::Unreadable { name });
        }
    });
    let _ = file.array_buffer().then2(&on_read, &on_fail);
    on_read.forget();
    on_fail.forget();
}

/// What `read_chosen_file` found.
pub enum ChosenFile {
    Read { name: String, bytes: Vec<u8> },
    TooLarge { name: String, size: usize },
    Unreadable { name: String },
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
