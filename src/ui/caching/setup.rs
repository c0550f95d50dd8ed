//! The setup: the cache's size, the requests (a generated workload, or a trace pasted or uploaded), the
//! policies compared and the one watched. Applying it replays the session with its recorded actions.

use super::CachingSession;
use crate::scenario::Edit;
use crate::sim::cache::lab_config::{CacheLabConfig, WorkloadSpec, limits};
use crate::sim::cache::{Caching, PolicyKind};
use crate::ui::app::AppAction;
use crate::ui::form::{
    Check, Checked, Field, TextArea, checked, milli_text, selected, text_of, thousandths, use_checked, whole_in,
};
use crate::ui::persist::{ChosenFile, read_chosen_file};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The workload kinds the form offers: (value, label).
const KINDS: [(&str, &str); 7] = [
    ("notes", "the notes' 1, 2, 3, 4, 1, 2, …"),
    ("loop", "a loop over the keys"),
    ("uniform", "uniform over the keys"),
    ("zipf", "Zipf: a few keys popular"),
    ("zipf_with_scans", "Zipf with scans"),
    ("scan", "a scan: every key new"),
    ("trace", "a trace, pasted or uploaded"),
];

/// Largest trace file read, bytes: a line is a key of at most 20 digits.
const TRACE_FILE_MAX: usize = limits::TRACE_MAX * 22;

/// The form's text, field by field.
pub struct SetupText {
    pub capacity: String,
    pub kind: String,
    pub keys: String,
    pub requests: String,
    pub s: String,
    pub scan_every: String,
    pub scan_length: String,
    pub trace: String,
    pub policies: Vec<PolicyKind>,
    pub watched: String,
}

/// The configuration the form describes, or every invalid field marked (by test id).
pub fn parse_setup(base: &CacheLabConfig, t: &SetupText) -> Result<CacheLabConfig, Checked> {
    let mut k = Checked::default();
    let capacity =
        k.field("cache-capacity", whole_in(&t.capacity, "The cache size", 1, u64::from(limits::CAPACITY_MAX)));
    let keys = || whole_in(&t.keys, "Keys", 1, limits::KEYS_MAX);
    let requests = || whole_in(&t.requests, "Requests", 1, limits::REQUESTS_MAX);
    let s = || thousandths(&t.s, "Zipf's s", limits::S_MILLI_MAX);
    let workload = match t.kind.as_str() {
        "notes" => k.field("cache-requests", requests()).map(|requests| WorkloadSpec::Notes { requests }),
        "loop" | "uniform" => {
            let (keys, requests) = (k.field("cache-keys", keys()), k.field("cache-requests", requests()));
            keys.zip(requests).map(|(keys, requests)| {
                if t.kind == "loop" {
                    WorkloadSpec::Loop { keys, requests }
                } else {
                    WorkloadSpec::Uniform { keys, requests }
                }
            })
        }
        "zipf" => {
            let (keys, s, requests) =
                (k.field("cache-keys", keys()), k.field("cache-s", s()), k.field("cache-requests", requests()));
            match (keys, s, requests) {
                (Some(keys), Some(s_milli), Some(requests)) => Some(WorkloadSpec::Zipf { keys, s_milli, requests }),
                _ => None,
            }
        }
        "zipf_with_scans" => {
            let (keys, s, requests) =
                (k.field("cache-keys", keys()), k.field("cache-s", s()), k.field("cache-requests", requests()));
            let every = k.field("cache-scan-every", whole_in(&t.scan_every, "A scan every", 1, limits::REQUESTS_MAX));
            let length = k.field("cache-scan-length", whole_in(&t.scan_length, "Scan length", 1, limits::REQUESTS_MAX));
            match (keys, s, requests, every, length) {
                (Some(keys), Some(s_milli), Some(requests), Some(scan_every), Some(scan_length)) => {
                    Some(WorkloadSpec::ZipfWithScans { keys, s_milli, requests, scan_every, scan_length })
                }
                _ => None,
            }
        }
        "scan" => k.field("cache-requests", requests()).map(|requests| WorkloadSpec::Scan { requests }),
        _ => k.field("cache-trace", WorkloadSpec::parse_trace(&t.trace)),
    };
    if t.policies.is_empty() {
        k.field::<()>("cache-policies", Err("Tick at least one policy to compare.".into()));
    }
    let watched = PolicyKind::ALL.iter().copied().find(|p| p.name() == t.watched).unwrap_or(PolicyKind::Lru);
    let mut policies = t.policies.clone();
    if !policies.is_empty() && !policies.contains(&watched) {
        // The policy watched is always compared.
        policies.push(watched);
        policies.sort_by_key(|p| PolicyKind::ALL.iter().position(|q| q == p));
    }
    if let (Some(capacity), Some(workload)) = (capacity, workload) {
        let c = CacheLabConfig { capacity: capacity as u32, workload, policies, watched, ..base.clone() };
        if k.is_ok() {
            k.whole(c.validate());
        }
        if k.is_ok() {
            return Ok(c);
        }
    }
    Err(k)
}

/// The text of a trace, one key a line.
fn trace_text(w: &WorkloadSpec) -> String {
    match w {
        WorkloadSpec::Trace { keys } => keys.iter().map(u64::to_string).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

#[derive(Properties, PartialEq)]
pub struct SetupProps {
    pub session: CachingSession,
    pub on_action: Callback<AppAction>,
}

/// The setup form.
#[function_component(SetupForm)]
pub fn setup_form(props: &SetupProps) -> Html {
    let c = props.session.config();
    let seed = props.session.seed();
    let nodes: [NodeRef; 9] = Default::default();
    let [capacity, kind, keys, requests, s, every, length, trace, watched] = nodes.clone();
    let boxes: Vec<NodeRef> = PolicyKind::ALL.iter().map(|_| NodeRef::default()).collect();
    let marks = use_checked((seed, c.clone()));
    let file_note = use_state(|| None::<String>);
    let (w_keys, w_s, w_every, w_length) = match c.workload {
        WorkloadSpec::Loop { keys, .. } | WorkloadSpec::Uniform { keys, .. } => (keys, 900, 2_000, 500),
        WorkloadSpec::Zipf { keys, s_milli, .. } => (keys, s_milli, 2_000, 500),
        WorkloadSpec::ZipfWithScans { keys, s_milli, scan_every, scan_length, .. } => {
            (keys, s_milli, scan_every, scan_length)
        }
        _ => (1_000, 900, 2_000, 500),
    };
    let kind_now = match c.workload {
        WorkloadSpec::Notes { .. } => "notes",
        WorkloadSpec::Loop { .. } => "loop",
        WorkloadSpec::Uniform { .. } => "uniform",
        WorkloadSpec::Zipf { .. } => "zipf",
        WorkloadSpec::ZipfWithScans { .. } => "zipf_with_scans",
        WorkloadSpec::Scan { .. } => "scan",
        WorkloadSpec::Trace { .. } => "trace",
    };
    let on_submit = {
        let (nodes, boxes, marks, on, base) =
            (nodes.clone(), boxes.clone(), marks.clone(), props.on_action.clone(), c.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let [capacity, kind, keys, requests, s, every, length, trace, watched] = &nodes;
            let t = SetupText {
                capacity: text_of(capacity),
                kind: selected(kind),
                keys: text_of(keys),
                requests: text_of(requests),
                s: text_of(s),
                scan_every: text_of(every),
                scan_length: text_of(length),
                trace: text_of(trace),
                policies: PolicyKind::ALL.iter().zip(&boxes).filter(|(_, b)| checked(b)).map(|(&k, _)| k).collect(),
                watched: selected(watched),
            };
            match parse_setup(&base, &t) {
                Ok(config) => {
                    marks.set(Checked::default());
                    on.emit(AppAction::edit::<Caching>(Edit::Setup { seed, config }));
                }
                Err(k) => marks.set(k),
            }
        })
    };
    let on_file = {
        let (trace, kind, file_note) = (trace.clone(), kind.clone(), file_note.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
            let (trace, kind, file_note) = (trace.clone(), kind.clone(), file_note.clone());
            read_chosen_file(&input, TRACE_FILE_MAX, move |f| {
                let note = match f {
                    ChosenFile::TooLarge { name, size } => format!(
                        "{name} is {} bytes; a trace here holds at most {} requests (about {} bytes). Replay it with `sysplay cache --trace {name}`.",
                        crate::ui::format::count(size as u64),
                        crate::ui::format::count(limits::TRACE_MAX as u64),
                        crate::ui::format::count(TRACE_FILE_MAX as u64)
                    ),
                    ChosenFile::Unreadable { name } => format!("{name} could not be read."),
                    ChosenFile::Read { name, bytes } if bytes.starts_with(&[0x1f, 0x8b]) => {
                        format!(
                            "{name} is compressed (gzip): decompress it first (gunzip), or replay it with `sysplay cache --trace {name}`."
                        )
                    }
                    ChosenFile::Read { name, bytes } => match String::from_utf8(bytes) {
                        Err(_) => format!("{name} is not text: a trace is one whole-number key a line."),
                        Ok(text) => match WorkloadSpec::parse_trace(&text) {
                            Err(e) => format!("{name}: {}", crate::ui::form::sentence(&e)),
                            Ok(w) => {
                                if let Some(area) = trace.cast::<web_sys::HtmlTextAreaElement>() {
                                    area.set_value(&text);
                                }
                                if let Some(select) = kind.cast::<web_sys::HtmlSelectElement>() {
                                    select.set_value("trace");
                                }
                                format!(
                                    "{name}: {} requests read; Apply to replay them.",
                                    crate::ui::format::count(w.requests())
                                )
                            }
                        },
                    },
                };
                file_note.set(Some(note));
            });
        })
    };
    {
        // The select follows the session (a preset, an undo), never a re-render.
        let (kind, watched, w) = (kind.clone(), watched.clone(), c.watched.name());
        use_effect_with((kind_now, w), move |(k, w)| {
            if let Some(select) = kind.cast::<web_sys::HtmlSelectElement>() {
                select.set_value(k);
            }
            if let Some(select) = watched.cast::<web_sys::HtmlSelectElement>() {
                select.set_value(w);
            }
        });
    }
    html! {
        <form class="ps-form setup-form cache-setup" onsubmit={on_submit} data-testid="cache-setup-form" novalidate=true>
            <Field label="Cache size (keys)" node={capacity} testid="cache-capacity" source={c.capacity.to_string()} error={marks.error("cache-capacity")} />
            <label>{ "Requests" }
                <select ref={kind} data-testid="cache-kind">
                    { for KINDS.iter().map(|(v, l)| html! { <option value={*v}>{ *l }</option> }) }
                </select></label>
            <Field label="Keys" node={keys} testid="cache-keys" source={w_keys.to_string()} error={marks.error("cache-keys")} />
            <Field label="Requests" node={requests} testid="cache-requests" source={c.workload.requests().to_string()} error={marks.error("cache-requests")} />
            <Field label="Zipf's s" node={s} testid="cache-s" source={milli_text(w_s)} inputmode="decimal" error={marks.error("cache-s")} />
            <Field label="A scan every (requests)" node={every} testid="cache-scan-every" source={w_every.to_string()} error={marks.error("cache-scan-every")} />
            <Field label="Scan length (keys)" node={length} testid="cache-scan-length" source={w_length.to_string()} error={marks.error("cache-scan-length")} />
            <div class="trace-input">
                <label for="cache-trace">{ format!("Trace: one key a line, lines starting with * skipped (at most {} requests)", crate::ui::format::count(limits::TRACE_MAX as u64)) }</label>
                <TextArea id="cache-trace" node={trace} testid="cache-trace" source={trace_text(&c.workload)} rows={3} />
                <label class="file">{ "or upload a file " }<input type="file" accept=".txt,.trace,text/plain" data-testid="cache-trace-file" onchange={on_file} /></label>
                if let Some(e) = marks.error("cache-trace") { <p class="form-error" role="alert">{ e }</p> }
                if let Some(n) = &*file_note { <p class="muted" role="status" data-testid="cache-trace-note">{ n }</p> }
            </div>
            <fieldset class="policies" data-testid="cache-policies-field">
                <legend>{ "Policies compared" }</legend>
                { for PolicyKind::ALL.iter().zip(&boxes).map(|(k, b)| html! {
                    <Check label={k.title()} node={b.clone()} testid={format!("cache-policy-{}", k.name())} source={c.policies.contains(k)} />
                }) }
                if let Some(e) = marks.error("cache-policies") { <p class="form-error" role="alert">{ e }</p> }
            </fieldset>
            <label>{ "Watched beside the optimum" }
                <select ref={watched} data-testid="cache-watched">
                    { for PolicyKind::ALL.iter().map(|k| html! { <option value={k.name()}>{ k.title() }</option> }) }
                </select></label>
            <button type="submit" data-testid="cache-apply">{ "Apply" }</button>
            if !marks.is_ok() {
                <p class="form-error" role="alert" data-testid="cache-setup-error">{ marks.summary() }</p>
            }
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> SetupText {
        SetupText {
            capacity: "3".into(),
            kind: "notes".into(),
            keys: "100".into(),
            requests: "12".into(),
            s: "0.9".into(),
            scan_every: "100".into(),
            scan_length: "10".into(),
            trace: String::new(),
            policies: PolicyKind::ALL.to_vec(),
            watched: "lru".into(),
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_setup_form_checks_its_fields() {
        assert_eq!(parse_setup(&CacheLabConfig::default(), &text()).unwrap(), CacheLabConfig::default());
        let zipf = parse_setup(&CacheLabConfig::default(), &SetupText { kind: "zipf".into(), ..text() }).unwrap();
        assert_eq!(zipf.workload, WorkloadSpec::Zipf { keys: 100, s_milli: 900, requests: 12 });
        let err = |t: SetupText, field: &str| {
            parse_setup(&CacheLabConfig::default(), &t)
                .unwrap_err()
                .error(field)
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(err(SetupText { capacity: "0".into(), ..text() }, "cache-capacity").contains("between 1 and 100,000"));
        assert!(err(SetupText { kind: "zipf".into(), s: "9".into(), ..text() }, "cache-s").contains("between 0 and 5"));
        assert!(
            err(SetupText { kind: "trace".into(), trace: "1\nx\n".into(), ..text() }, "cache-trace").contains("Line 2")
        );
        assert!(err(SetupText { kind: "trace".into(), ..text() }, "cache-trace").contains("no request"));
        assert!(err(SetupText { policies: vec![], ..text() }, "cache-policies").contains("at least one"));
        // The policy watched joins those compared.
        let c = parse_setup(
            &CacheLabConfig::default(),
            &SetupText { policies: vec![PolicyKind::Fifo], watched: "arc".into(), ..text() },
        )
        .unwrap();
        assert_eq!(c.policies, [PolicyKind::Fifo, PolicyKind::Arc]);
        let trace = parse_setup(
            &CacheLabConfig::default(),
            &SetupText { kind: "trace".into(), trace: "* a comment\n1\n2\n\n1\n".into(), ..text() },
        )
        .unwrap();
        assert_eq!(trace.workload, WorkloadSpec::Trace { keys: vec![1, 2, 1] });
    }
}
