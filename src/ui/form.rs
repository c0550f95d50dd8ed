//! Reading form fields, and turning the core's messages into sentences: shared by every lab's forms.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// A whole number from a field's text, with a sentence naming the field when it is not one.
pub fn whole(text: &str, what: &str) -> Result<u64, String> {
    text.trim().parse::<u64>().map_err(|_| format!("{what} must be a whole number (got \"{}\").", text.trim()))
}

/// A whole number from an input element.
pub fn number(r: &NodeRef, what: &str) -> Result<u64, String> {
    whole(&r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default(), what)
}

/// A whole number from an input element that fits a `u32`.
pub fn small(r: &NodeRef, what: &str) -> Result<u32, String> {
    let v = number(r, what)?;
    u32::try_from(v).map_err(|_| format!("{what} is far too large ({v})."))
}

/// The chosen value of a select element.
pub fn selected(r: &NodeRef) -> String {
    r.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
}

/// A message as a sentence: a capital first letter and a full stop.
pub fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => {
            let rest: String = c.collect();
            let end = if rest.ends_with('.') { "" } else { "." };
            format!("{}{rest}{end}", first.to_ascii_uppercase())
        }
        None => String::new(),
    }
}
