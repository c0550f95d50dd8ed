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

/// A decimal from a field's text, in thousandths, between 0 and `max_milli` thousandths: the message
/// speaks in the field's own unit ("between 0 and 3"), not in thousandths.
pub fn thousandths(text: &str, what: &str, max_milli: u32) -> Result<u32, String> {
    let t = text.trim();
    let max = f64::from(max_milli) / 1000.0;
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=max).contains(&v) => Ok((v * 1000.0).round() as u32),
        Ok(_) => Err(format!("{what} must be between 0 and {max} (got {t}).")),
        Err(_) => Err(format!("{what} must be a number such as 1.2 (got \"{t}\").")),
    }
}

/// A decimal in thousandths from an input element (see [`thousandths`]).
pub fn decimal_milli(r: &NodeRef, what: &str, max_milli: u32) -> Result<u32, String> {
    thousandths(&r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default(), what, max_milli)
}

/// Thousandths shown as a decimal, without trailing zeros ("1", "1.25").
pub fn milli_text(v: u32) -> String {
    let s = format!("{:.3}", f64::from(v) / 1000.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn decimals_in_thousandths_speak_the_fields_unit() {
        assert_eq!(thousandths(" 1.25 ", "The skew", 3_000), Ok(1_250));
        assert_eq!(thousandths("0", "The skew", 3_000), Ok(0));
        assert_eq!(thousandths("3", "The skew", 3_000), Ok(3_000));
        assert_eq!(thousandths("5", "The skew", 3_000).unwrap_err(), "The skew must be between 0 and 3 (got 5).");
        assert_eq!(thousandths("-1", "The skew", 3_000).unwrap_err(), "The skew must be between 0 and 3 (got -1).");
        assert!(thousandths("NaN", "The skew", 3_000).unwrap_err().contains("between 0 and 3"));
        assert!(thousandths("abc", "The skew", 3_000).unwrap_err().contains("a number such as 1.2"));
        assert_eq!(
            (milli_text(1_000), milli_text(1_250), milli_text(0), milli_text(3)),
            ("1".into(), "1.25".into(), "0".into(), "0.003".into())
        );
        for v in [0, 1, 999, 1_000, 1_250, 3_000] {
            assert_eq!(thousandths(&milli_text(v), "x", 3_000), Ok(v));
        }
    }
}
