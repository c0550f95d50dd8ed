//! Reading form fields, and turning the core's messages into sentences: shared by every lab's forms.
//!
//! Forms keep what the user typed. A field ([`Field`], [`Check`], [`TextArea`]) writes the session's
//! value into the page only when that value changes (a preset, an applied setup, undo) or its `reset`
//! key does, never because the page re-rendered: a notice, a playing run or another field's change
//! cannot put old values back under the user's hands. A form reads every field through a
//! [`Checked`], which keeps each invalid field's message: every invalid field is marked and explained
//! at once, and nothing is applied while one is.

use super::format::count;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// A whole number from a field's text, with a sentence naming the field when it is not one.
pub fn whole(text: &str, what: &str) -> Result<u64, String> {
    text.trim().parse::<u64>().map_err(|_| format!("{what} must be a whole number (got \"{}\").", text.trim()))
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

/// A whole number from a field's text between `lo` and `hi`, with a sentence in the field's own words.
pub fn whole_in(text: &str, what: &str, lo: u64, hi: u64) -> Result<u64, String> {
    let v = whole(text, what)?;
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{what} must be between {} and {} (got {}).", count(lo), count(hi), count(v)))
    }
}

/// Seconds typed in a field (decimals allowed, to the millisecond), between `lo_ms` and `hi_ms`, as
/// milliseconds: the message speaks seconds, the field's unit.
pub fn seconds_in(text: &str, what: &str, lo_ms: u64, hi_ms: u64) -> Result<u64, String> {
    let t = text.trim();
    let range = || format!("between {} and {}", seconds_text(lo_ms), seconds_text(hi_ms));
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 && (v * 1000.0).round() <= hi_ms as f64 => {
            let ms = (v * 1000.0).round() as u64;
            if ms >= lo_ms { Ok(ms) } else { Err(format!("{what} must be {} (got {t}).", range())) }
        }
        Ok(_) => Err(format!("{what} must be {} (got {t}).", range())),
        Err(_) => Err(format!("{what} must be a number of seconds such as 2.5 (got \"{t}\").")),
    }
}

/// Milliseconds shown as seconds, without trailing zeros ("15", "2.5", "3,600").
pub fn seconds_text(ms: u64) -> String {
    let whole = count(ms / 1000);
    match ms % 1000 {
        0 => whole,
        frac => format!("{whole}.{}", format!("{frac:03}").trim_end_matches('0')),
    }
}

/// Milliseconds as seconds to type into a field: [`seconds_text`] without thousands separators.
pub fn seconds_plain(ms: u64) -> String {
    seconds_text(ms).replace(',', "")
}

/// An input's text ("" when it is not on the page).
pub fn text_of(r: &NodeRef) -> String {
    if let Some(i) = r.cast::<HtmlInputElement>() {
        i.value()
    } else if let Some(t) = r.cast::<HtmlTextAreaElement>() {
        t.value()
    } else {
        selected(r)
    }
}

/// A checkbox's state.
pub fn checked(r: &NodeRef) -> bool {
    r.cast::<HtmlInputElement>().is_some_and(|i| i.checked())
}

/// What a form's fields said when it was submitted: each invalid field's message, by its test id, and
/// what was wrong with the whole (a rule across fields, the work budget).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checked {
    fields: Vec<(String, String)>,
    whole: Option<String>,
}

impl Checked {
    /// Keeps `field`'s value, or its message.
    pub fn field<T>(&mut self, field: impl Into<String>, r: Result<T, String>) -> Option<T> {
        r.map_err(|e| self.fields.push((field.into(), sentence(&e)))).ok()
    }

    /// A message about the whole form.
    pub fn whole(&mut self, r: Result<(), String>) {
        if let Err(e) = r {
            self.whole = Some(sentence(&e));
        }
    }

    /// `field`'s message, when it is invalid.
    pub fn error(&self, field: &str) -> Option<AttrValue> {
        self.fields.iter().find(|(f, _)| *f == field).map(|(_, e)| AttrValue::from(e.clone()))
    }

    /// The message about the whole form.
    pub fn whole_error(&self) -> Option<String> {
        self.whole.clone()
    }

    /// Nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.fields.is_empty() && self.whole.is_none()
    }

    /// One sentence for a notice: nothing was applied, the first problem, how many fields are marked.
    pub fn summary(&self) -> String {
        let first = self.fields.first().map(|(_, e)| e.clone()).or_else(|| self.whole.clone()).unwrap_or_default();
        match self.fields.len() {
            0 | 1 => format!("Nothing was applied: {first}"),
            n => format!("Nothing was applied: {first} ({n} fields are marked.)"),
        }
    }
}

/// A form's marks, forgotten when `session` (what the form edits) changes: a preset or an undo
/// starts the form afresh.
#[hook]
pub fn use_checked<D: PartialEq + Clone + 'static>(session: D) -> UseStateHandle<Checked> {
    let marks = use_state(Checked::default);
    {
        let marks = marks.clone();
        use_effect_with(session, move |_| marks.set(Checked::default()));
    }
    marks
}

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub label: AttrValue,
    pub node: NodeRef,
    pub testid: AttrValue,
    /// The session's value: written into the field when it changes, never by a re-render.
    pub source: AttrValue,
    /// Changing it writes `source` into the field again (an accepted action that empties the form).
    #[prop_or_default]
    pub reset: u64,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    #[prop_or(AttrValue::Static("numeric"))]
    pub inputmode: AttrValue,
    #[prop_or_default]
    pub title: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub maxlength: Option<AttrValue>,
    /// A `data-key` attribute, to tell apart fields sharing a test id.
    #[prop_or_default]
    pub data_key: Option<AttrValue>,
}

/// Writes `source` into the element behind `node` when `(source, reset)` changes.
#[hook]
fn use_source(node: &NodeRef, source: AttrValue, reset: u64) {
    let node = node.clone();
    use_effect_with((source, reset), move |(v, _)| {
        if let Some(i) = node.cast::<HtmlInputElement>() {
            i.set_value(v);
        } else if let Some(t) = node.cast::<HtmlTextAreaElement>() {
            t.set_value(v);
        }
    });
}

fn error_line(id: &str, error: &Option<AttrValue>) -> Html {
    match error {
        Some(e) => html! { <span class="field-error" id={id.to_string()} role="alert">{ e.clone() }</span> },
        None => html! {},
    }
}

/// A labelled text field that keeps what the user types (see the module header), marked when invalid.
#[function_component(Field)]
pub fn field(p: &FieldProps) -> Html {
    use_source(&p.node, p.source.clone(), p.reset);
    let error_id = format!("{}{}-error", p.testid, p.data_key.as_deref().map(|k| format!("-{k}")).unwrap_or_default());
    html! {
        <label class={classes!(p.error.is_some().then_some("invalid"))}>{ p.label.clone() }
            <input ref={p.node.clone()} data-testid={p.testid.clone()} data-key={p.data_key.clone()} type="text"
                inputmode={p.inputmode.clone()} title={p.title.clone()} placeholder={p.placeholder.clone()}
                maxlength={p.maxlength.clone()} aria-invalid={p.error.is_some().then_some("true")}
                aria-describedby={p.error.is_some().then(|| error_id.clone())} />
            { error_line(&error_id, &p.error) }
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct CheckProps {
    pub label: AttrValue,
    pub node: NodeRef,
    pub testid: AttrValue,
    /// The session's value: written into the box when it changes, never by a re-render.
    pub source: bool,
}

/// A labelled checkbox that keeps what the user ticked until the session's value changes.
#[function_component(Check)]
pub fn check(p: &CheckProps) -> Html {
    {
        let node = p.node.clone();
        use_effect_with(p.source, move |v| {
            if let Some(i) = node.cast::<HtmlInputElement>() {
                i.set_checked(*v);
            }
        });
    }
    html! {
        <label class="check"><input type="checkbox" ref={p.node.clone()} data-testid={p.testid.clone()} />
            { " " }{ p.label.clone() }</label>
    }
}

#[derive(Properties, PartialEq)]
pub struct TextAreaProps {
    pub id: AttrValue,
    pub node: NodeRef,
    pub testid: AttrValue,
    /// The session's value: written into the box when it changes, never by a re-render.
    pub source: AttrValue,
    #[prop_or(2)]
    pub rows: u32,
    #[prop_or_default]
    pub describedby: Option<AttrValue>,
}

/// A text area that keeps what the user types until the session's value changes.
#[function_component(TextArea)]
pub fn text_area(p: &TextAreaProps) -> Html {
    use_source(&p.node, p.source.clone(), 0);
    html! {
        <textarea id={p.id.clone()} ref={p.node.clone()} data-testid={p.testid.clone()} rows={p.rows.to_string()}
            spellcheck="false" aria-describedby={p.describedby.clone()} />
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

/// Thousandths shown as a decimal, without trailing zeros ("1", "1.25").
pub fn milli_text(v: u32) -> String {
    let s = format!("{:.3}", f64::from(v) / 1000.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn ranges_speak_the_fields_unit() {
        assert_eq!(whole_in(" 12 ", "Shards", 1, 64), Ok(12));
        assert_eq!(whole_in("65", "Shards", 1, 64).unwrap_err(), "Shards must be between 1 and 64 (got 65).");
        assert_eq!(whole_in("-5", "Shards", 1, 64).unwrap_err(), "Shards must be a whole number (got \"-5\").");
        assert_eq!(whole_in("3.5", "Shards", 1, 64).unwrap_err(), "Shards must be a whole number (got \"3.5\").");
        assert_eq!(
            seconds_in("1000000000000000", "The session timeout (s)", 1, 3_600_000).unwrap_err(),
            "The session timeout (s) must be between 0.001 and 3,600 (got 1000000000000000)."
        );
        assert_eq!(seconds_in("10", "The session timeout (s)", 1, 3_600_000), Ok(10_000));
        assert_eq!(seconds_in(" 2.5 ", "H (s)", 1_000, 3_600_000), Ok(2_500));
        assert!(seconds_in("0.5", "H (s)", 1_000, 3_600_000).unwrap_err().contains("between 1 and 3,600 (got 0.5)"));
        assert!(seconds_in("-1", "H (s)", 1_000, 3_600_000).unwrap_err().contains("between 1 and 3,600"));
        assert!(seconds_in("soon", "H (s)", 1_000, 3_600_000).unwrap_err().contains("a number of seconds"));
        assert_eq!(
            (seconds_text(15_000), seconds_text(2_500), seconds_text(3_600_000), seconds_text(1)),
            ("15".to_string(), "2.5".to_string(), "3,600".to_string(), "0.001".to_string())
        );
        for ms in [1, 999, 1_000, 2_500, 15_000, 3_600_000] {
            assert_eq!(seconds_in(&seconds_plain(ms), "x", 1, 3_600_000), Ok(ms));
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn every_invalid_field_is_kept_and_nothing_applies() {
        let mut c = Checked::default();
        assert_eq!(c.field("a", Ok::<u32, String>(3)), Some(3));
        assert!(c.is_ok());
        assert_eq!(c.field::<u32>("b", Err("the ring size must be at least 1".into())), None);
        assert_eq!(c.field::<u32>("c", Err("keys: too many".into())), None);
        assert_eq!(c.error("b").as_deref(), Some("The ring size must be at least 1."));
        assert_eq!(c.error("a"), None);
        assert!(!c.is_ok());
        assert_eq!(c.summary(), "Nothing was applied: The ring size must be at least 1. (2 fields are marked.)");
        let mut w = Checked::default();
        w.whole(Err("the run would be too long".into()));
        assert_eq!((w.is_ok(), w.summary()), (false, "Nothing was applied: The run would be too long.".to_string()));
    }

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
