//! The setup form: users, shards and the shard key, where orders live, the age index; how each shard is
//! replicated. The core refuses anything outside its limits with a sentence, shown as a notice; the
//! recorded actions are listed below, with undo and clear.

use super::ShardingSession;
use crate::scenario::Edit;
use crate::sim::sharding::{OrdersBy, ReplMode, ShardKey, ShardLabConfig, Sharding};
use crate::ui::app::{AppAction, Notice};
use crate::ui::form::{number, selected, sentence, small};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SetupProps {
    pub session: ShardingSession,
    pub on_action: Callback<AppAction>,
}

fn mode_key(mode: &ReplMode) -> &'static str {
    match mode {
        ReplMode::Sync => "sync",
        ReplMode::Async { .. } => "async",
        ReplMode::Quorum => "quorum",
        ReplMode::Leaderless { .. } => "leaderless",
    }
}

/// The form and the recorded actions.
#[function_component(SetupForm)]
pub fn setup_form(props: &SetupProps) -> Html {
    let refs: [NodeRef; 8] = Default::default();
    let c = props.session.config().clone();
    let seed = props.session.seed();
    let [users, shards, key, orders, index, mode, replicas, lag] = refs.clone();
    let on_apply = {
        let (on_action, base) = (props.on_action.clone(), c.clone());
        let refs = refs.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let [users, shards, key, orders, index, mode, replicas, lag] = &refs;
            let parsed = (|| -> Result<ShardLabConfig, String> {
                let mut config = base.clone();
                config.data.data.users = number(users, "The number of users")?;
                let n = small(shards, "The number of shards")?;
                config.data.sharding.shards = n;
                config.repl.shards = n;
                config.data.sharding.key = selected(key).parse::<ShardKey>()?;
                config.data.sharding.directory = None;
                config.data.sharding.orders_by =
                    if selected(orders) == "order-id" { OrdersBy::OrderId } else { OrdersBy::UserId };
                config.data.sharding.age_index = index.cast::<HtmlInputElement>().is_some_and(|i| i.checked());
                let r = small(replicas, "The number of replicas")?;
                config.repl.replicas = r;
                config.repl.mode = match selected(mode).as_str() {
                    "sync" => ReplMode::Sync,
                    "async" => ReplMode::Async { lag_ms: number(lag, "The replication lag")?, jitter_ms: 200 },
                    "leaderless" => {
                        let n = r + 1;
                        let q = n / 2 + 1;
                        ReplMode::Leaderless { n, w: q, r: q }
                    }
                    _ => ReplMode::Quorum,
                };
                config.validate().map_err(|e| sentence(&e))?;
                Ok(config)
            })();
            match parsed {
                Ok(config) => on_action.emit(AppAction::edit::<Sharding>(Edit::Setup { seed, config })),
                Err(e) => on_action.emit(AppAction::Notice(Notice::error(e))),
            }
        })
    };
    let emit = |edit: Edit<Sharding>| {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(AppAction::edit::<Sharding>(edit.clone())))
    };
    let field = |label: &'static str, r: &NodeRef, testid: &'static str, value: String| {
        html! {
            <label>{ label }
                <input ref={r.clone()} data-testid={testid} type="number" min="0" inputmode="numeric" value={value} />
            </label>
        }
    };
    let lag_ms = match c.repl.mode {
        ReplMode::Async { lag_ms, .. } => lag_ms,
        _ => 300,
    };
    let replicas_now = match c.repl.mode {
        ReplMode::Leaderless { n, .. } => n.saturating_sub(1),
        _ => c.repl.replicas,
    };
    let actions = props.session.actions();
    html! {
        <>
        <form class="queue-config sharding-config" onsubmit={on_apply} data-testid="sharding-config" novalidate=true>
            { field("Users", &users, "cfg-users", c.data.data.users.to_string()) }
            { field("Shards", &shards, "cfg-shards", c.data.sharding.shards.to_string()) }
            <label>{ "Shard key" }
                <select ref={key} data-testid="cfg-key">
                    { for ShardKey::ALL.iter().map(|k| html! {
                        <option value={k.name()} selected={*k == c.data.sharding.key}>{ k.name() }</option>
                    }) }
                </select>
            </label>
            <label>{ "Orders sharded by" }
                <select ref={orders} data-testid="cfg-orders">
                    <option value="user-id" selected={c.data.sharding.orders_by == OrdersBy::UserId}>{ "user id (co-located)" }</option>
                    <option value="order-id" selected={c.data.sharding.orders_by == OrdersBy::OrderId}>{ "order id" }</option>
                </select>
            </label>
            <label class="check"><input type="checkbox" ref={index} data-testid="cfg-index" checked={c.data.sharding.age_index} />
                { " Index on age in every shard" }</label>
            <label>{ "Replication" }
                <select ref={mode} data-testid="cfg-mode">
                    { for [("sync", "synchronous"), ("async", "asynchronous"), ("quorum", "majority quorum"), ("leaderless", "leaderless (majority N/W/R)")]
                        .into_iter().map(|(v, label)| html! { <option value={v} selected={mode_key(&c.repl.mode) == v}>{ label }</option> }) }
                </select>
            </label>
            { field("Replicas per shard", &replicas, "cfg-replicas", replicas_now.to_string()) }
            { field("Asynchronous lag (ms)", &lag, "cfg-lag", lag_ms.to_string()) }
            <button class="primary" type="submit" data-testid="sharding-apply">{ "Apply and restart" }</button>
        </form>
        <div class="recorded">
            <h3>{ format!("Recorded actions ({})", actions.len()) }</h3>
            if actions.is_empty() {
                <p class="muted">{ "None yet: kill a primary, a whole shard, or route a query while the run plays." }</p>
            } else {
                <ol class="actions-list" data-testid="sharding-actions">
                    { for actions.iter().map(|(t, a)| html! { <li>{ format!("{:.1} s: {}", *t as f64 / 1000.0, a.describe()) }</li> }) }
                </ol>
            }
            <div class="row">
                <button data-testid="sharding-undo" onclick={emit(Edit::Undo)} disabled={actions.is_empty()}>{ "Undo last" }</button>
                <button data-testid="sharding-clear" onclick={emit(Edit::ClearActions)} disabled={actions.is_empty()}>{ "Clear actions" }</button>
            </div>
        </div>
        </>
    }
}
