//! The query router: type a query of the documented SQL subset (or pick an example) and route it at the
//! animation's moment; it is recorded like any action and meets the shards as they are then. The
//! latest query routed by the moment shown is drawn: the shards it asks (one, some, or all:
//! scatter-gather), those that could not answer, and its exact answer, read in slices (the census of the
//! shards first, then the rows the plan reads), with the rows read per second of this browser.

use super::{Frame, ShardingSession};
use crate::scenario::Edit;
use crate::sim::sharding::{
    Access, Census, Cluster, Dataset, Layout, Outcome, Query, QueryLog, QueryRun, QueryStatus, SUPPORTED, ShardAction,
    ShardLabConfig, Sharding, parse,
};
use crate::ui::app::{AppAction, Notice};
use crate::ui::form::TextArea;
use crate::ui::format::count;
use crate::ui::scroll::scroll;
use crate::ui::sliced::{Finite, Progress, now_ms, use_sliced};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The notes' example queries.
const EXAMPLES: [(&str, &str); 6] = [
    ("Point lookup by id", "SELECT * FROM users WHERE id = 4200"),
    ("Users in London", "SELECT count(*) FROM users WHERE location = 'London'"),
    ("London, aged 50 or more", "SELECT * FROM users WHERE location = 'London' AND age >= 50"),
    ("A range of ids", "SELECT count(*) FROM users WHERE id >= 1000 AND id < 3000"),
    ("Users and their orders", "SELECT count(*) FROM users JOIN orders ON users.id = orders.user_id WHERE age >= 60"),
    ("Names and emails", "SELECT name, email FROM users WHERE age = 30"),
];

/// Rows of the answer shown.
const ROWS_SHOWN: usize = 20;
/// Users counted or read per unit of work (the slicing doubles the units up to its chunk).
const USERS_PER_UNIT: u64 = 2_048;

#[derive(Properties, PartialEq)]
pub struct QueryPanelProps {
    pub session: ShardingSession,
    pub frame: Option<Frame>,
    pub on_action: Callback<AppAction>,
}

/// The query box, the examples, and the latest routed query with its answer.
#[function_component(QueryPanel)]
pub fn query_panel(props: &QueryPanelProps) -> Html {
    let text = use_node_ref();
    let partial = use_node_ref();
    let at_ms = props.frame.as_ref().map_or(0, |f| f.clock_us / 1000);
    let initial = props
        .session
        .actions()
        .iter()
        .rev()
        .find_map(|(_, a)| match a {
            ShardAction::Query { sql, .. } => Some(sql.clone()),
            ShardAction::Node(_) => None,
        })
        .unwrap_or_else(|| EXAMPLES[1].1.to_string());
    let on_route = {
        let (text, partial, on_action) = (text.clone(), partial.clone(), props.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let sql = text.cast::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default();
            let allow_partial = partial.cast::<HtmlInputElement>().is_some_and(|c| c.checked());
            match parse(&sql) {
                Ok(_) => on_action.emit(AppAction::edit::<Sharding>(Edit::Live {
                    at_ms,
                    action: ShardAction::Query { sql: sql.trim().to_string(), allow_partial },
                })),
                Err(e) => on_action.emit(AppAction::Notice(Notice::error(crate::ui::form::sentence(&e)))),
            }
        })
    };
    let example = |sql: &'static str| {
        let text = text.clone();
        Callback::from(move |_| {
            if let Some(t) = text.cast::<HtmlTextAreaElement>() {
                t.set_value(sql);
            }
        })
    };
    let routed = props.frame.as_ref().and_then(|f| f.snap.queries.last().cloned());
    html! {
        <div class="router">
            <form class="query-form" onsubmit={on_route} data-testid="query-form" novalidate=true>
                <label for="query-text">{ "Query" }</label>
                <TextArea id="query-text" node={text.clone()} testid="query-text" source={initial}
                    describedby="query-supported" />
                <p id="query-supported" class="muted small">{ crate::ui::form::sentence(SUPPORTED) }</p>
                <div class="row">
                    { for EXAMPLES.iter().map(|(label, sql)| html! {
                        <button type="button" class="example" onclick={example(sql)} title={*sql}>{ *label }</button>
                    }) }
                </div>
                <label class="check"><input type="checkbox" ref={partial} data-testid="query-partial" />
                    { " Allow a partial answer when a shard is down" }</label>
                <button class="primary" type="submit" data-testid="query-route">
                    { format!("Route it at t = {:.1} s", at_ms as f64 / 1000.0) }</button>
            </form>
            if let Some(q) = routed {
                <RoutedQuery query={Rc::new(q)} seed={props.session.seed()} config={Rc::new(props.session.config().clone())} />
            } else {
                <p class="muted">{ "No query routed yet at this moment: route one, or play on." }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct RoutedProps {
    query: Rc<QueryLog>,
    seed: u64,
    config: Rc<ShardLabConfig>,
}

/// One routed query: its plan drawn over the shards, its status, and its exact answer.
#[function_component(RoutedQuery)]
fn routed_query(props: &RoutedProps) -> Html {
    let q = &props.query;
    let shards = props.config.repl.shards;
    let key = Rc::new(JobKey { seed: props.seed, config: props.config.clone(), sql: q.sql.clone() });
    let progress = use_sliced::<JobKey, QueryJob>(key, QueryJob::start);
    let status = match q.status {
        QueryStatus::Answered => "answered",
        QueryStatus::Partial => "partial answer (flagged)",
        QueryStatus::Failed => "failed",
    };
    let routing = match q.plan.touched.len() as u32 {
        0 => "no shard".to_string(),
        1 => "one shard".to_string(),
        n if n == shards => format!("all {n} shards (scatter-gather)"),
        n => format!("{n} of {shards} shards"),
    };
    html! {
        <div class="routed" data-testid="routed-query">
            <p><strong>{ format!("At {:.1} s: ", q.at_ms as f64 / 1000.0) }</strong><code>{ &q.sql }</code></p>
            <div class="plan" role="img" aria-label={format!("The router asks {routing}")} data-testid="plan">
                <span class="router-box">{ "router" }</span>
                { for (0..shards).map(|s| {
                    let asked = q.plan.touched.contains(&s);
                    let down = q.unavailable.iter().any(|(d, _)| *d == s);
                    html! { <span class={classes!("plan-shard", asked.then_some("asked"), down.then_some("down"))}
                        data-testid="plan-shard" data-asked={asked.to_string()}>{ format!("shard {s}") }</span> }
                }) }
            </div>
            <p data-testid="query-status" class={classes!("status", (q.status == QueryStatus::Failed).then_some("bad"))}>
                { format!("The router asks {routing}: {}. Status: {status}.", q.plan.reason) }</p>
            <p class="muted" data-testid="shards-touched">{ format!("Shards touched: {}", q.plan.touched.len()) }</p>
            if !q.unavailable.is_empty() {
                <ul class="errors" data-testid="query-errors">{ for q.unavailable.iter().map(|(_, e)| html! { <li>{ crate::ui::form::sentence(e) }</li> }) }</ul>
            }
            if let Some(co) = q.plan.co_located {
                <p class="muted">{ if co { "The join is co-located: orders live with their user, each shard joins locally." }
                    else { "The join is not co-located: orders are sharded by their own id, so the matching users go to every shard." } }</p>
            }
            if q.status != QueryStatus::Failed {
                { answer(&progress, q.status == QueryStatus::Partial) }
            }
        </div>
    }
}

fn answer(progress: &Progress<Answered>, partial: bool) -> Html {
    let a = match progress {
        Progress::Done(a) => a.clone(),
        Progress::Running { events, .. } => {
            return html! {
                <p class="progress" role="status" data-testid="answer-progress">
                    <progress aria-label="Reading the shards" />{ format!(" reading the shards: {} users so far…", count(*events)) }
                </p>
            };
        }
    };
    let o = &a.outcome;
    let value = o.answer.rows_value();
    let rate = if a.ms > 0.0 { a.read as f64 / (a.ms / 1000.0) } else { 0.0 };
    html! {
        <div class="answer" data-testid="answer">
            <div class="metrics small">
                <div class="metric"><span class="metric-label">{ if o.answer.count.is_some() { "count(*)" } else { "Rows returned" } }</span>
                    <span class="metric-value" data-testid="answer-rows">{ count(value) }</span></div>
                <div class="metric"><span class="metric-label">{ "Rows scanned" }</span>
                    <span class="metric-value" data-testid="answer-scanned">{ count(o.rows_scanned) }</span></div>
                <div class="metric"><span class="metric-label">{ "without / with an age index" }</span>
                    <span class="metric-value">{ format!("{} / {}", count(o.rows_scanned_without_index), count(o.rows_scanned_with_index)) }</span></div>
                <div class="metric"><span class="metric-label">{ "Simulated latency" }</span>
                    <span class="metric-value" data-testid="answer-latency">{ format!("{:.2} ms", o.latency.total_ns as f64 / 1e6) }</span></div>
            </div>
            if partial { <p class="badge warn">{ "Partial: the rows of the shards that could not answer are missing from what a client gets; the count here is the whole table's." }</p> }
            if o.network_rows > 0 { <p class="muted">{ format!("{} rows sent over the network for the join.", count(o.network_rows)) }</p> }
            <table class="per-shard">
                <thead><tr><th>{ "Shard" }</th><th>{ "Access" }</th><th class="num">{ "Users read" }</th><th class="num">{ "Matched" }</th><th class="num">{ "Orders read" }</th></tr></thead>
                <tbody>{ for o.shards.iter().map(|w| html! {
                    <tr><td>{ w.shard }</td><td>{ access_name(w.access) }</td><td class="num">{ count(w.users_scanned) }</td>
                        <td class="num">{ count(w.users_matched) }</td><td class="num">{ count(w.orders_scanned) }</td></tr>
                }) }</tbody>
            </table>
            if !o.answer.rows.is_empty() && o.answer.count.is_none() {
                { scroll("Rows of the answer", html! { <>
                <table class="rows" data-testid="answer-table">
                    <thead><tr>{ for o.answer.columns.iter().map(|c| html! { <th>{ c }</th> }) }</tr></thead>
                    <tbody>{ for o.answer.rows.iter().map(|r| html! { <tr>{ for r.iter().map(|v| html! { <td>{ v.to_string() }</td> }) }</tr> }) }</tbody>
                </table>
                </> }) }
                if o.answer.truncated { <p class="muted">{ format!("The first {} rows of {}.", o.answer.rows.len(), count(o.answer.row_count)) }</p> }
            }
            <super::split::SplitView split={o.side_by_side.clone()} asked={o.plan.user_shards.clone()} />
            <p class="muted" data-testid="answer-speed">{ format!(
                "Read {} users (the shards' census and the query's rows) in {:.0} ms of this browser: {} rows per second.",
                count(a.read), a.ms, count(rate as u64)) }</p>
        </div>
    }
}

fn access_name(a: Access) -> &'static str {
    match a {
        Access::PrimaryKey => "primary key",
        Access::AgeIndex => "age index",
        Access::FullScan => "full scan",
    }
}

/// What the answer depends on: the data, the sharding and the query.
#[derive(PartialEq)]
struct JobKey {
    seed: u64,
    config: Rc<ShardLabConfig>,
    sql: String,
}

/// The exact answer, with what it took in this browser.
struct Answered {
    outcome: Outcome,
    read: u64,
    ms: f64,
}

/// The census of the shards in slices of users, then the query's run in slices.
struct QueryJob {
    data: Dataset,
    layout: Option<Layout>,
    census: Census,
    query: Query,
    next_id: u64,
    run: Option<QueryRun>,
    read: u64,
    started_ms: f64,
    done: Option<Answered>,
    model: crate::sim::sharding::LatencyModel,
}

impl QueryJob {
    fn start(key: &JobKey) -> Option<Self> {
        let c = &key.config.data;
        let data = Dataset::new(key.seed, &c.data).ok()?;
        let layout = Layout::new(&data, &c.sharding).ok()?;
        let query = parse(&key.sql).ok()?;
        Some(Self {
            census: Census::empty(c.sharding.shards),
            data,
            layout: Some(layout),
            query,
            next_id: 1,
            run: None,
            read: 0,
            started_ms: now_ms(),
            done: None,
            model: c.latency.clone(),
        })
    }
}

impl Finite for QueryJob {
    type Outcome = Answered;
    fn advance(&mut self, max: u64) -> bool {
        if self.done.is_some() {
            return true;
        }
        let users = max.saturating_mul(USERS_PER_UNIT);
        if let Some(layout) = &self.layout {
            let end = self.next_id.saturating_add(users - 1).min(self.data.users());
            if self.next_id <= end {
                self.census.scan(&self.data, layout, self.next_id..=end);
                self.read += end - self.next_id + 1;
                self.next_id = end + 1;
                return false;
            }
            let layout = self.layout.take().expect("checked");
            let cluster = Cluster {
                data: self.data.clone(),
                layout,
                census: std::mem::replace(&mut self.census, Census::empty(0)),
            };
            self.run = Some(QueryRun::new(&cluster, &self.query, ROWS_SHOWN));
            return false;
        }
        let Some(run) = self.run.as_mut() else { return true };
        let before = run.remaining();
        let over = run.advance(users);
        self.read += before - run.remaining();
        if over {
            let outcome = self.run.take().expect("running").finish(&self.model);
            self.done = Some(Answered { outcome, read: self.read, ms: now_ms() - self.started_ms });
        }
        over
    }
    fn done_events(&self) -> u64 {
        self.read
    }
    fn outcome(&mut self, over: bool) -> Option<Answered> {
        if over { self.done.take() } else { None }
    }
}
