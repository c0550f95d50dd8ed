//! The setup form: users (how they spread over the cities, their orders), shards and the shard key, where
//! orders live, the age index; how each shard is replicated; the skewed load (hot ids or cities, its Zipf
//! exponent) weighed in the skew table. Exponents are typed as decimals. The core refuses anything
//! outside its limits with a sentence, shown as a notice; the recorded actions are listed below, with
//! undo and clear.

use super::ShardingSession;
use crate::scenario::Edit;
use crate::sim::sharding::data::limits as data_limits;
use crate::sim::sharding::repl_config::limits as repl_limits;
use crate::sim::sharding::skew::limits as skew_limits;
use crate::sim::sharding::{CitySkew, OrdersBy, ReplMode, ShardKey, Sharding, Workload};
use crate::ui::app::{AppAction, Notice};
use crate::ui::form::{
    Check, Checked, Field, checked, milli_text, selected, text_of, thousandths as thousands, use_checked, whole_in,
};
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
    let marks = use_checked((seed, c.clone()));
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
        let (on_action, base, marks) = (props.on_action.clone(), c.clone(), marks.clone());
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
            let mut k = Checked::default();
            let shards_max = u64::from(repl_limits::SHARDS_MAX);
            let fields = (
                k.field("cfg-users", whole_in(&text_of(users), "Users", 1, data_limits::USERS_MAX)),
                k.field(
                    "cfg-city-skew",
                    thousands(&text_of(city_skew), "The cities' skew (Zipf s)", data_limits::ZIPF_S_MILLI_MAX),
                ),
                k.field(
                    "cfg-orders-max",
                    whole_in(&text_of(orders_max), "Orders per user", 0, data_limits::ORDERS_PER_USER_MAX.into()),
                ),
                k.field("cfg-shards", whole_in(&text_of(shards), "Shards", 1, shards_max)),
                k.field(
                    "cfg-replicas",
                    whole_in(&text_of(replicas), "Replicas per shard", 0, repl_limits::REPLICAS_MAX.into()),
                ),
                k.field("cfg-lag", whole_in(&text_of(lag), "The asynchronous lag (ms)", 0, repl_limits::DELAY_MS_MAX)),
                k.field(
                    "cfg-load-queries",
                    whole_in(&text_of(load_queries), "Queries in the load", 1, skew_limits::QUERIES_MAX.into()),
                ),
                k.field(
                    "cfg-load-skew",
                    thousands(&text_of(load_skew), "The load's skew (Zipf s)", skew_limits::ZIPF_S_MILLI_MAX),
                ),
            );
            let (
                Some(users),
                Some(city_skew),
                Some(orders_max),
                Some(n),
                Some(r),
                Some(lag_ms),
                Some(queries),
                Some(s_milli),
            ) = fields
            else {
                on_action.emit(AppAction::Notice(Notice::error(k.summary())));
                return marks.set(k);
            };
            let (n, r) = (n as u32, r as u32);
            let mut config = base.clone();
            config.data.data.users = users;
            config.data.data.cities =
                if city_skew == 0 { CitySkew::Uniform } else { CitySkew::Zipf { s_milli: city_skew } };
            config.data.data.orders_per_user_max = orders_max as u32;
            config.data.workload = if selected(load_kind) == "cities" {
                Workload::Cities { queries: queries as u32, s_milli }
            } else {
                Workload::ZipfIds { queries: queries as u32, s_milli }
            };
            config.data.sharding.shards = n;
            config.repl.shards = n;
            config.data.sharding.directory = None;
            config.data.sharding.orders_by =
                if selected(orders) == "order-id" { OrdersBy::OrderId } else { OrdersBy::UserId };
            config.data.sharding.age_index = checked(index);
            config.repl.replicas = r;
            config.repl.mode = match selected(mode).as_str() {
                "sync" => ReplMode::Sync,
                "async" => ReplMode::Async { lag_ms, jitter_ms: 200 },
                "leaderless" => {
                    let n = r + 1;
                    let q = n / 2 + 1;
                    ReplMode::Leaderless { n, w: q, r: q }
                }
                _ => ReplMode::Quorum,
            };
            let mut key_ok = true;
            match selected(key).parse::<ShardKey>() {
                Ok(key) => config.data.sharding.key = key,
                Err(e) => {
                    key_ok = false;
                    k.whole(Err(e));
                }
            }
            if key_ok {
                k.whole(config.validate());
            }
            if k.is_ok() {
                marks.set(Checked::default());
                on_action.emit(AppAction::edit::<Sharding>(Edit::Setup { seed, config }));
            } else {
                on_action.emit(AppAction::Notice(Notice::error(k.summary())));
                marks.set(k);
            }
        })
    };
    let emit = |edit: Edit<Sharding>| {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(AppAction::edit::<Sharding>(edit.clone())))
    };
    let field = |label: &'static str, r: &NodeRef, testid: &'static str, value: String| {
        html! { <Field label={label} node={r.clone()} testid={testid} source={value} error={marks.error(testid)} /> }
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
            <Field label={label} node={r.clone()} testid={testid} source={milli_text(value)} inputmode="decimal"
                title={format!("0 to {}: {hint}", milli_text(max))} error={marks.error(testid)} />
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
            <Check label="Index on age in every shard" node={index} testid="cfg-index" source={c.data.sharding.age_index} />
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
            if let Some(e) = marks.whole_error() { <p class="form-error" role="alert" data-testid="form-error">{ e }</p> }
            <button class="primary" type="submit" data-testid="sharding-apply">{ "Apply and restart" }</button>
        </form>
        <div class="recorded">
            <h3>{ format!("Recorded actions ({})", actions.len()) }</h3>
            if actions.is_empty() {
                <p class="muted">{ "None yet: kill a primary, a whole shard, or route a query while the run plays." }</p>
            } else {
                <ol class="actions-list" data-testid="sharding-actions" tabindex="0" aria-label="Recorded actions">
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
