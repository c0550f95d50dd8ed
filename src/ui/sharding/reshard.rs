//! Resharding: change the number of shards and see, under every shard key, how many users change shard
//! against the least any scheme must move (the new shards' fair share when adding, the removed shards'
//! users when removing) and what theory expects. Every user is counted, in slices.

use crate::sim::sharding::skew::load_on;
use crate::sim::sharding::{
    Dataset, LoadReport, Reshard, ReshardRun, ShardKey, ShardLabConfig, ShardingConfig, Workload,
};
use crate::ui::format::{count, pct};
use crate::ui::sliced::{Finite, Progress, use_sliced};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Users counted per unit of work (the slicing doubles the units up to its chunk).
const USERS_PER_UNIT: u64 = 4_096;

#[derive(Properties, PartialEq)]
pub struct ReshardProps {
    pub seed: u64,
    pub config: Rc<ShardLabConfig>,
}

/// The shard count to go to, and the four keys' movement.
#[function_component(ReshardPanel)]
pub fn reshard_panel(props: &ReshardProps) -> Html {
    let from = props.config.data.sharding.shards;
    // The count asked for, with the count it was asked from: a new setup starts again from S + 1.
    let asked = use_state(|| None::<(u32, u32)>);
    let to = match *asked {
        Some((f, t)) if f == from => t,
        _ => from + 1,
    };
    let error = use_state(|| None::<String>);
    let key = Rc::new(JobKey { seed: props.seed, config: props.config.clone(), to });
    let progress = use_sliced::<JobKey, ReshardJob>(key, ReshardJob::start);
    let on_change = {
        let (asked, error) = (asked.clone(), error.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
            match input.value().trim().parse::<u32>() {
                Ok(n) if (1..=crate::sim::sharding::partition::limits::SHARDS_MAX).contains(&n) && n != from => {
                    error.set(None);
                    asked.set(Some((from, n)));
                }
                _ => error.set(Some(format!(
                    "Reshard to a number of shards from 1 to {} other than {from}.",
                    crate::sim::sharding::partition::limits::SHARDS_MAX
                ))),
            }
        })
    };
    html! {
        <div class="reshard" data-testid="reshard">
            <label>{ format!("From {from} shards to ") }
                <input type="number" min="1" value={to.to_string()} data-testid="reshard-to" onchange={on_change} />
                { " shards" }</label>
            if let Some(e) = &*error { <p class="form-error" role="alert">{ e }</p> }
            { match &progress {
                Progress::Done(r) => html! { <>{ table(r) }{ skew(r, &props.config.data.workload) }</> },
                Progress::Running { events, .. } => html! {
                    <p class="progress" role="status" data-testid="reshard-progress"><progress aria-label="Counting the users that move" />
                        { format!(" counting the users that move: {}…", count(*events)) }</p>
                },
            } }
        </div>
    }
}

fn table(runs: &[(Reshard, LoadReport)]) -> Html {
    let Some((first, _)) = runs.first() else { return html! {} };
    let bar = |fraction: f64, class: &'static str| {
        html! { <span class={classes!("bar", class)} style={format!("width: {:.1}%", (fraction * 100.0).clamp(0.0, 100.0))} /> }
    };
    html! {
        <>
        <table class="reshard-table" data-testid="reshard-table">
            <caption>{ format!("{} users, {} → {} shards", count(first.users), first.from, first.to) }</caption>
            <thead><tr><th>{ "Shard key" }</th><th>{ "Users that move" }</th><th class="num">{ "moved" }</th>
                <th class="num">{ "least possible" }</th><th class="num">{ "theory" }</th></tr></thead>
            <tbody>
            { for runs.iter().map(|(r, _)| html! {
                <tr data-testid="reshard-row" data-key={r.key.name()}>
                    <th scope="row">{ r.key.name() }</th>
                    <td class="bars" aria-hidden="true">{ bar(r.moved_fraction, "moved") }{ bar(r.minimum_fraction, "minimum") }</td>
                    <td class="num" data-testid="reshard-moved">{ format!("{} ({})", count(r.moved), pct(100.0 * r.moved_fraction)) }</td>
                    <td class="num">{ pct(100.0 * r.minimum_fraction) }</td>
                    <td class="num">{ pct(100.0 * r.expected_fraction) }</td>
                </tr>
            }) }
            </tbody>
        </table>
        <p class="muted">{ "Hashing the id modulo the shard count moves almost everyone (1 - 1/(S+1) when adding one); the \
            ring moves only the arcs the new shard takes (about the minimum); equal id ranges shift every boundary; \
            a directory moves whole cities, as few as keep the shards balanced. Theory: modulo over one period of \
            the residues, the ring's changed share of the hash space, the moved cities' expected users." }</p>
        </>
    }
}

/// A skewed workload of point queries under each key: the hot shard and how far above the mean it is.
fn skew(runs: &[(Reshard, LoadReport)], workload: &Workload) -> Html {
    if runs.is_empty() {
        return html! {};
    }
    let (what, queries, s_milli) = match *workload {
        Workload::ZipfIds { queries, s_milli } => ("lookups by id, id 1 the hottest", queries, s_milli),
        Workload::Cities { queries, s_milli } => ("lookups by location, London the hottest", queries, s_milli),
    };
    html! {
        <table class="skew-table" data-testid="skew-table">
            <caption data-testid="skew-caption">{ format!("Load of {} {what} (Zipf s = {}), on the shards now",
                count(u64::from(queries)), crate::ui::form::milli_text(s_milli)) }</caption>
            <thead><tr><th>{ "Shard key" }</th><th>{ "Queries per shard" }</th><th class="num">{ "hot shard" }</th>
                <th class="num">{ "queries max/mean" }</th><th class="num">{ "rows max/mean" }</th><th class="num" title="Shards each query asks">{ "fan-out" }</th></tr></thead>
            <tbody>
            { for runs.iter().map(|(_, l)| {
                let top = l.shards.iter().map(|s| s.queries).max().unwrap_or(1).max(1) as f64;
                html! {
                    <tr data-testid="skew-row" data-key={l.key.name()}>
                        <th scope="row">{ l.key.name() }</th>
                        <td class="bars" aria-hidden="true">{ for l.shards.iter().map(|s| html! {
                            <span class={classes!("bar", "moved", (s.shard == l.hot_shard && l.queries_max_over_mean > 1.0).then_some("hot"))}
                                style={format!("width: {:.1}%", 100.0 * s.queries as f64 / top)} />
                        }) }</td>
                        <td class="num">{ l.hot_shard }</td>
                        <td class="num" data-testid="skew-max">{ format!("{:.2}", l.queries_max_over_mean) }</td>
                        <td class="num">{ format!("{:.2}", l.rows_read_max_over_mean) }</td>
                        <td class="num">{ format!("{:.1}", l.fan_out) }</td>
                    </tr>
                }
            }) }
            </tbody>
        </table>
    }
}

/// What the movement depends on: the data, the sharding and the new shard count.
#[derive(PartialEq)]
struct JobKey {
    seed: u64,
    config: Rc<ShardLabConfig>,
    to: u32,
}

/// One count per shard key, one after the other, each set up in a step of its own (building a key's
/// rings and layouts is itself work to slice, not to do while the page renders).
struct ReshardJob {
    data: Dataset,
    sharding: ShardingConfig,
    to: u32,
    workload: Workload,
    seed: u64,
    /// The keys not started yet, the last one next.
    keys: Vec<ShardKey>,
    pending: Option<ReshardRun>,
    done: Vec<(Reshard, LoadReport)>,
    counted: u64,
}

impl ReshardJob {
    fn start(key: &JobKey) -> Option<Self> {
        let c = &key.config.data;
        let data = Dataset::new(key.seed, &c.data).ok()?;
        let keys = ShardKey::ALL.iter().rev().copied().collect();
        Some(Self {
            data,
            sharding: c.sharding.clone(),
            to: key.to,
            workload: c.workload,
            seed: key.seed,
            keys,
            pending: None,
            done: Vec::new(),
            counted: 0,
        })
    }
}

impl Finite for ReshardJob {
    type Outcome = Vec<(Reshard, LoadReport)>;
    fn advance(&mut self, max: u64) -> bool {
        if self.pending.is_none() {
            let Some(k) = self.keys.pop() else { return true };
            let config = ShardingConfig { key: k, directory: None, ..self.sharding.clone() };
            self.pending = ReshardRun::new(&self.data, &config, self.to).ok();
            return false;
        }
        let Some(run) = self.pending.as_mut() else { return self.keys.is_empty() };
        let before = run.done();
        let over = run.advance(max.saturating_mul(USERS_PER_UNIT));
        self.counted += run.done() - before;
        if over {
            // The users per shard now, under this key, also weigh a skewed workload's load.
            let run = self.pending.take().expect("a run");
            let layout = run.before_layout().clone();
            let reshard = run.finish();
            let load = load_on(&self.data, &layout, &reshard.before, &self.workload, self.seed);
            self.done.push((reshard, load));
        }
        self.pending.is_none() && self.keys.is_empty()
    }
    fn done_events(&self) -> u64 {
        self.counted
    }
    fn outcome(&mut self, over: bool) -> Option<Vec<(Reshard, LoadReport)>> {
        if over { Some(std::mem::take(&mut self.done)) } else { None }
    }
}
