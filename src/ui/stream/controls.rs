//! The setup form: partitions, keys, records and rate, handling time, batch size, session timeout,
//! rebalance time, assignor, and the first group's consumers and commit mode. The core refuses
//! anything outside its limits with a sentence, shown as a notice; recorded actions are listed below.

use super::StreamSession;
use crate::scenario::Edit;
use crate::sim::stream::PartitionedLog;
use crate::sim::stream::{Assignor, CommitMode, StreamConfig, limits};
use crate::ui::app::{AppAction, Notice};
use crate::ui::form::{number, selected, small};
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
    let [partitions, keys, records, rate, handle, batch, session, rebalance, assignor, consumers, commit, auto] =
        refs.clone();
    let on_apply = {
        let (on_action, base) = (props.on_action.clone(), c.clone());
        let refs = refs.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let [partitions, keys, records, rate, handle, batch, session, rebalance, assignor, consumers, commit, auto] =
                &refs;
            let parsed = (|| -> Result<StreamConfig, String> {
                let n = number(consumers, "The number of consumers")?;
                if n > limits::CONSUMERS_MAX as u64 {
                    return Err(format!(
                        "The number of consumers must be between 0 and {} (got {n}).",
                        limits::CONSUMERS_MAX
                    ));
                }
                let auto_ms = number(auto, "The auto-commit interval")?.saturating_mul(1000);
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
                    partitions: small(partitions, "The number of partitions")?,
                    keys: small(keys, "The number of keys")?,
                    records: small(records, "Records")?,
                    rate_per_min: small(rate, "The record rate")?,
                    handle_ms: number(handle, "The handling time")?,
                    batch_max: small(batch, "Records per poll")?,
                    session_timeout_ms: number(session, "The session timeout")?.saturating_mul(1000),
                    rebalance_ms: number(rebalance, "The rebalance time")?,
                    assignor: if selected(assignor) == "round-robin" { Assignor::RoundRobin } else { Assignor::Range },
                    groups,
                    ..base.clone()
                };
                config.validate().map_err(|e| {
                    let mut c = e.chars();
                    c.next().map_or_else(String::new, |f| format!("{}{}.", f.to_ascii_uppercase(), c.as_str()))
                })?;
                Ok(config)
            })();
            match parsed {
                Ok(config) => on_action.emit(AppAction::edit::<PartitionedLog>(Edit::Setup { seed, config })),
                Err(e) => on_action.emit(AppAction::Notice(Notice::error(e))),
            }
        })
    };
    let emit = |edit: Edit<PartitionedLog>| {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(AppAction::edit::<PartitionedLog>(edit.clone())))
    };
    let field = |label: &'static str, r: &NodeRef, testid: &'static str, value: String, max: String| {
        html! {
            <label>{ label }
                <input ref={r.clone()} data-testid={testid} type="number" min="0" max={max} inputmode="numeric" value={value} />
            </label>
        }
    };
    let first = c.groups.first();
    let mode = first.map_or(CommitMode::AfterWork, |g| g.commit);
    let auto_s = match mode {
        CommitMode::Auto { every_ms } => every_ms / 1000,
        _ => 5,
    };
    let actions = props.session.actions();
    html! {
        <>
        <form class="queue-config stream-config" onsubmit={on_apply} data-testid="stream-config" novalidate=true>
            { field("Partitions", &partitions, "cfg-partitions", c.partitions.to_string(), limits::PARTITIONS_MAX.to_string()) }
            { field("Keys (customers)", &keys, "cfg-keys", c.keys.to_string(), limits::KEYS_MAX.to_string()) }
            { field("Records", &records, "cfg-records", c.records.to_string(), limits::RECORDS_MAX.to_string()) }
            { field("Records / min", &rate, "cfg-rate", c.rate_per_min.to_string(), limits::RATE_PER_MIN_MAX.to_string()) }
            { field("Handling time (ms)", &handle, "cfg-handle", c.handle_ms.to_string(), limits::DURATION_MS_MAX.to_string()) }
            { field("Records per poll", &batch, "cfg-batch", c.batch_max.to_string(), limits::BATCH_MAX.to_string()) }
            { field("Session timeout (s)", &session, "cfg-session", (c.session_timeout_ms / 1000).to_string(), "3600".into()) }
            { field("Rebalance sync (ms)", &rebalance, "cfg-rebalance", c.rebalance_ms.to_string(), limits::DURATION_MS_MAX.to_string()) }
            { field("Consumers (first group)", &consumers, "cfg-consumers", first.map_or(0, |g| g.consumers.len()).to_string(), limits::CONSUMERS_MAX.to_string()) }
            { field("Auto-commit every (s)", &auto, "cfg-auto", auto_s.to_string(), "3600".into()) }
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
            <button class="primary" type="submit" data-testid="stream-apply">{ "Apply and restart" }</button>
        </form>
        <div class="recorded">
            <h3>{ format!("Recorded actions ({})", actions.len()) }</h3>
            if actions.is_empty() {
                <p class="muted">{ "None yet: add, crash or slow a consumer while the log runs." }</p>
            } else {
                <ol class="actions-list" data-testid="stream-actions">
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
