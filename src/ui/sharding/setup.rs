//! The setup form: users (how they spread over the cities, their orders), shards and the shard key, where
//! orders live, the age index; how each shard is replicated; the skewed load (hot ids or cities, its Zipf
//! exponent) weighed in the skew table. Exponents are typed as decimals. The core refuses anything
//! outside its limits with a sentence, shown as a notice; the recorded actions are listed below, with
//! undo and clear.

use super::ShardingSession;
use crate::scenario::Edit;
use crate::sim::sharding::data::limits as data_limits;
use crate::sim::sharding::skew::limits as skew_limits;
use crate::sim::sharding::{CitySkew, OrdersBy, ReplMode, ShardKey, ShardLabConfig, Sharding, Workload};
use crate::ui::app::{AppAction, Notice};
use crate::ui::form::{decimal_milli, milli_text, number, selected, sentence, small};
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
    let refs: [NodeRef; 13] = Default::default();
    let c = props.session.config().clone();
    let seed = props.session.seed();
    let [
        users,
        shards,
        key,
        orders,
        index,
        mode,
        replicas,
        lag,
        city_skew,
        orders_max,
        load_kind,
        load_queries,
        load_skew,
    ] = refs.clone();
    let on_apply = {
        let (on_action, base) = (props.on_action.clone(), c.clone());
        let refs = refs.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let [
                users,
                shards,
                key,
                orders,
                index,
                mode,
                replicas,
                lag,
                city_skew,
                orders_max,
                load_kind,
                load_queries,
                load_skew,
            ] = &refs;
            let parsed = (|| -> Result<ShardLabConfig, String> {
                let mut config = base.clone();
                config.data.data.users = number(users, "The number of users")?;
                config.data.data.cities = match decimal_milli(
                    city_skew,
                    "The cities' skew (Zipf exponent)",
                    data_limits::ZIPF_S_MILLI_MAX,
                )? {
                    0 => CitySkew::Uniform,
                    s_milli => CitySkew::Zipf { s_milli },
                };
                config.data.data.orders_per_user_max = small(orders_max, "Orders per user (the most)")?;
                let queries = small(load_queries, "Queries in the skewed load")?;
                let s_milli =
                    decimal_milli(load_skew, "The load's skew (Zipf exponent)", skew_limits::ZIPF_S_MILLI_MAX)?;
                config.data.workload = if selected(load_kind) == "cities" {
                    Workload::Cities { queries, s_milli }
                } else {
                    Workload::ZipfIds { queries, s_milli }
                };
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
    let city_skew_now = match c.data.data.cities {
        CitySkew::Uniform => 0,
        CitySkew::Zipf { s_milli } => s_milli,
    };
    let (Workload::ZipfIds { queries: load_queries_now, s_milli: load_skew_now }
    | Workload::Cities { queries: load_queries_now, s_milli: load_skew_now }) = c.data.workload;
    let decimal = |label: &'static str, r: &NodeRef, testid: &'static str, value: u32, max: u32, hint: &'static str| {
        html! {
            <label>{ label }
                <input ref={r.clone()} data-testid={testid} type="text" inputmode="decimal" value={milli_text(value)}
                    title={format!("0 to {}: {hint}", milli_text(max))} />
            </label>
        }
    };
    let actions = props.session.actions();
    html! {
        <>
        <form class="queue-config sharding-config" onsubmit={on_apply} data-testid="sharding-config" novalidate=true>
            { field("Users", &users, "cfg-users", c.data.data.users.to_string()) }
            { decimal("Cities' skew (Zipf s)", &city_skew, "cfg-city-skew", city_skew_now, data_limits::ZIPF_S_MILLI_MAX,
                "0 spreads users evenly over the cities; 1 puts the most in London") }
            { field("Orders per user (most)", &orders_max, "cfg-orders-max", c.data.data.orders_per_user_max.to_string()) }
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
            <label>{ "Skewed load" }
                <select ref={load_kind} data-testid="cfg-load-kind">
                    <option value="ids" selected={matches!(c.data.workload, Workload::ZipfIds { .. })}>{ "hot ids (lookups by id)" }</option>
                    <option value="cities" selected={matches!(c.data.workload, Workload::Cities { .. })}>{ "hot cities (lookups by location)" }</option>
                </select>
            </label>
            { field("Queries in the load", &load_queries, "cfg-load-queries", load_queries_now.to_string()) }
            { decimal("Load's skew (Zipf s)", &load_skew, "cfg-load-skew", load_skew_now, skew_limits::ZIPF_S_MILLI_MAX,
                "0 is uniform; higher makes the first ids or cities hotter") }
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
