//! The setup form: partitions, keys, records and rate, handling time, batch size, session timeout,
//! rebalance time, assignor, and the first group's consumers and commit mode. The core refuses
//! anything outside its limits with a sentence, shown as a notice; recorded actions are listed below.

use super::StreamSession;
use crate::scenario::Edit;
use crate::sim::stream::PartitionedLog;
use crate::sim::stream::{Assignor, CommitMode, StreamConfig, limits};
use crate::ui::app::{AppAction, Notice};
use crate::ui::form::{Checked, Field, seconds_in, seconds_plain, selected, text_of, use_checked, whole_in};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConfigFormProps {
    pub session: StreamSession,
    pub on_action: Callback<AppAction>,
}

/// The form and the recorded actions.
#[function_component(ConfigForm)]
pub fn config_form(props: &ConfigFormProps) -> Html {
    let refs: [NodeRef; 12] = Default::default();
    let c = props.session.config().clone();
    let seed = props.session.seed();
    let marks = use_checked((seed, c.clone()));
    let [partitions, keys, records, rate, handle, batch, session, rebalance, assignor, consumers, commit, auto] =
        refs.clone();
    let on_apply = {
        let (on_action, base, marks) = (props.on_action.clone(), c.clone(), marks.clone());
        let refs = refs.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let [partitions, keys, records, rate, handle, batch, session, rebalance, assignor, consumers, commit, auto] =
                &refs;
            let mut k = Checked::default();
            let hour = limits::DURATION_MS_MAX;
            let fields = (
                k.field(
                    "cfg-partitions",
                    whole_in(&text_of(partitions), "Partitions", 1, limits::PARTITIONS_MAX.into()),
                ),
                k.field("cfg-keys", whole_in(&text_of(keys), "Keys", 1, limits::KEYS_MAX.into())),
                k.field("cfg-records", whole_in(&text_of(records), "Records", 1, limits::RECORDS_MAX.into())),
                k.field("cfg-rate", whole_in(&text_of(rate), "Records / min", 1, limits::RATE_PER_MIN_MAX.into())),
                k.field("cfg-handle", whole_in(&text_of(handle), "The handling time (ms)", 1, hour)),
                k.field("cfg-batch", whole_in(&text_of(batch), "Records per poll", 1, limits::BATCH_MAX.into())),
                k.field("cfg-session", seconds_in(&text_of(session), "The session timeout (s)", 1, hour)),
                k.field("cfg-rebalance", whole_in(&text_of(rebalance), "The rebalance sync (ms)", 0, hour)),
                k.field("cfg-consumers", whole_in(&text_of(consumers), "Consumers", 0, limits::CONSUMERS_MAX as u64)),
                k.field("cfg-auto", seconds_in(&text_of(auto), "The auto-commit interval (s)", 1, hour)),
            );
            let (
                Some(partitions),
                Some(keys),
                Some(records),
                Some(rate),
                Some(handle_ms),
                Some(batch),
                Some(session_ms),
                Some(rebalance_ms),
                Some(n),
                Some(auto_ms),
            ) = fields
            else {
                on_action.emit(AppAction::Notice(Notice::error(k.summary())));
                return marks.set(k);
            };
            let mut groups = base.groups.clone();
            if let Some(g) = groups.first_mut() {
                g.consumers = (1..=n).map(|i| format!("c{i}")).collect();
                g.commit = match selected(commit).as_str() {
                    "before-work" => CommitMode::BeforeWork,
                    "auto" => CommitMode::Auto { every_ms: auto_ms },
                    _ => CommitMode::AfterWork,
                };
            }
            let config = StreamConfig {
                partitions: partitions as u32,
                keys: keys as u32,
                records: records as u32,
                rate_per_min: rate as u32,
                handle_ms,
                batch_max: batch as u32,
                session_timeout_ms: session_ms,
                rebalance_ms,
                assignor: if selected(assignor) == "round-robin" { Assignor::RoundRobin } else { Assignor::Range },
                groups,
                ..base.clone()
            };
            k.whole(config.validate());
            if k.is_ok() {
                marks.set(Checked::default());
                on_action.emit(AppAction::edit::<PartitionedLog>(Edit::Setup { seed, config }));
            } else {
                on_action.emit(AppAction::Notice(Notice::error(k.summary())));
                marks.set(k);
            }
        })
    };
    let emit = |edit: Edit<PartitionedLog>| {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(AppAction::edit::<PartitionedLog>(edit.clone())))
    };
    let field = |label: &'static str, r: &NodeRef, testid: &'static str, value: String| {
        html! { <Field label={label} node={r.clone()} testid={testid} source={value} error={marks.error(testid)} /> }
    };
    let first = c.groups.first();
    let mode = first.map_or(CommitMode::AfterWork, |g| g.commit);
    let auto_ms = match mode {
        CommitMode::Auto { every_ms } => every_ms,
        _ => 5_000,
    };
    let actions = props.session.actions();
    html! {
        <>
        <form class="queue-config stream-config" onsubmit={on_apply} data-testid="stream-config" novalidate=true>
            { field("Partitions", &partitions, "cfg-partitions", c.partitions.to_string()) }
            { field("Keys (customers)", &keys, "cfg-keys", c.keys.to_string()) }
            { field("Records", &records, "cfg-records", c.records.to_string()) }
            { field("Records / min", &rate, "cfg-rate", c.rate_per_min.to_string()) }
            { field("Handling time (ms)", &handle, "cfg-handle", c.handle_ms.to_string()) }
            { field("Records per poll", &batch, "cfg-batch", c.batch_max.to_string()) }
            { field("Session timeout (s)", &session, "cfg-session", seconds_plain(c.session_timeout_ms)) }
            { field("Rebalance sync (ms)", &rebalance, "cfg-rebalance", c.rebalance_ms.to_string()) }
            { field("Consumers (first group)", &consumers, "cfg-consumers", first.map_or(0, |g| g.consumers.len()).to_string()) }
            { field("Auto-commit every (s)", &auto, "cfg-auto", seconds_plain(auto_ms)) }
            <label>{ "Commit (first group)" }
                <select ref={commit} data-testid="cfg-commit">
                    <option value="before-work" selected={mode == CommitMode::BeforeWork}>{ "before the work" }</option>
                    <option value="after-work" selected={mode == CommitMode::AfterWork}>{ "after the work" }</option>
                    <option value="auto" selected={matches!(mode, CommitMode::Auto { .. })}>{ "auto-commit" }</option>
                </select>
            </label>
            <label>{ "Assignor" }
                <select ref={assignor} data-testid="cfg-assignor">
                    <option value="range" selected={c.assignor == Assignor::Range}>{ "range" }</option>
                    <option value="round-robin" selected={c.assignor == Assignor::RoundRobin}>{ "round robin" }</option>
                </select>
            </label>
            if let Some(e) = marks.whole_error() { <p class="form-error" role="alert" data-testid="form-error">{ e }</p> }
            <button class="primary" type="submit" data-testid="stream-apply">{ "Apply and restart" }</button>
        </form>
        <div class="recorded">
            <h3>{ format!("Recorded actions ({})", actions.len()) }</h3>
            if actions.is_empty() {
                <p class="muted">{ "None yet: add, crash or slow a consumer while the log runs." }</p>
            } else {
                <ol class="actions-list" data-testid="stream-actions" tabindex="0" aria-label="Recorded actions">
                    { for actions.iter().map(|(t, a)| html! { <li>{ format!("{:.1} s: {}", *t as f64 / 1000.0, a.describe()) }</li> }) }
                </ol>
            }
            <div class="row">
                <button data-testid="stream-undo" onclick={emit(Edit::Undo)} disabled={actions.is_empty()}>{ "Undo last" }</button>
                <button data-testid="stream-clear" onclick={emit(Edit::ClearActions)} disabled={actions.is_empty()}>{ "Clear actions" }</button>
            </div>
        </div>
        </>
    }
}
