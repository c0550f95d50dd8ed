//! Inside the cache: the request just served, what the watched policy and Belady's optimum hold after
//! it (their lists in the policy's own order, with each key's mark, the hand, the ghosts), why it hit or
//! missed, the last requests, requests made by hand and restarts, and every policy's count so far.

use super::{CachingSession, Done, Frame};
use crate::scenario::Edit;
use crate::sim::cache::lab_config::WorkloadSpec;
use crate::sim::cache::{CacheAction, Caching, PolicyKind, Segment, che};
use crate::ui::app::AppAction;
use crate::ui::format::{count, pct};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StepperProps {
    pub frame: Frame,
}

/// The current request, the two caches side by side and the last requests.
#[function_component(Stepper)]
pub fn stepper(props: &StepperProps) -> Html {
    let s = &props.frame.snap;
    let headline = match (&s.current, s.restarted) {
        (_, true) => "The cache restarted empty: every policy, and the optimum, start cold.".to_string(),
        (None, _) => format!("No request served yet: {} to come. Press play, or step one request.", count(s.total)),
        (Some(c), _) => format!(
            "Request {} of {}: key {}{}.",
            count(s.served),
            count(s.total),
            c.key,
            if c.by_hand { ", made by hand" } else { "" }
        ),
    };
    let why =
        |access: &Option<crate::sim::cache::Access>| access.as_ref().map(|a| crate::ui::form::sentence(&a.to_string()));
    html! {
        <div class="stepper" data-testid="cache-stepper">
            <p class="current" role="status" data-testid="cache-current">{ headline }</p>
            <div class="two-caches">
                <div class="cache-pane" data-testid="cache-watched">
                    <h3>{ s.watched.title() }{ outcome_badge(s.current.map(|c| c.watched_hit)) }</h3>
                    if let Some(w) = why(&s.watched_access) {
                        <p class="why" data-testid="cache-watched-why">{ w }</p>
                    }
                    { for s.watched_segments.iter().map(|g| segment(g, false)) }
                </div>
                <div class="cache-pane" data-testid="cache-optimal">
                    <h3>{ "Belady's optimum" }{ outcome_badge(s.current.map(|c| c.optimal_hit)) }</h3>
                    if let Some(w) = why(&s.optimal_access) {
                        <p class="why" data-testid="cache-optimal-why">{ w }</p>
                    }
                    { for s.optimal_segments.iter().map(|g| segment(g, true)) }
                </div>
            </div>
            if !s.recent.is_empty() {
                <div class="recent">
                    <h3>{ "The last requests" }</h3>
                    <ol class="recent-list" data-testid="cache-recent" aria-label={format!("The last requests under {}, oldest first", s.watched.title())}>
                        { for s.recent.iter().map(|r| html! {
                            <li class={classes!("req", if r.watched_hit { "hit" } else { "miss" }, r.by_hand.then_some("by-hand"))}
                                title={format!("key {}: {} under {}, {} under the optimum", r.key, hit_word(r.watched_hit), s.watched.title(), hit_word(r.optimal_hit))}>
                                { r.key }<span class="sr-only">{ format!(" {}", hit_word(r.watched_hit)) }</span>
                            </li>
                        }) }
                    </ol>
                </div>
            }
        </div>
    }
}

fn hit_word(hit: bool) -> &'static str {
    if hit { "hit" } else { "miss" }
}

fn outcome_badge(hit: Option<bool>) -> Html {
    match hit {
        None => html! {},
        Some(h) => html! { <span class={classes!("badge", if h { "hit" } else { "miss" })}>{ hit_word(h) }</span> },
    }
}

/// One of a policy's lists, in its order, with each key's mark.
fn segment(g: &Segment, optimal: bool) -> Html {
    let mark = |i: usize| -> Option<String> {
        let m = *g.marks.get(i)?;
        Some(if optimal {
            if m == u32::MAX { "never again".into() } else { format!("next at {}", count(u64::from(m) + 1)) }
        } else {
            m.to_string()
        })
    };
    html! {
        <div class={classes!("segment", g.ghost.then_some("ghost"))} data-testid="cache-segment" data-name={g.name}>
            <h4>{ g.name }{ if g.ghost { " (ghosts: remembered, not held)" } else { "" } }
                <span class="muted">{ format!(" {} key{}", g.keys.len(), if g.keys.len() == 1 { "" } else { "s" }) }</span></h4>
            if g.keys.is_empty() {
                <p class="muted empty">{ "empty" }</p>
            } else {
                <ol class="keys">
                    { for g.keys.iter().enumerate().take(64).map(|(i, k)| html! {
                        <li class={classes!("key", (g.hand == Some(i)).then_some("hand"))} data-testid="cache-key">
                            <span class="k">{ k }</span>
                            if let Some(m) = mark(i) { <span class="mark">{ m }</span> }
                        </li>
                    }) }
                    if g.keys.len() > 64 {
                        <li class="more muted">{ format!("and {} more", count((g.keys.len() - 64) as u64)) }</li>
                    }
                </ol>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ByHandProps {
    pub frame: Frame,
    pub on_action: Callback<AppAction>,
}

/// A request made by hand, and a restart, at the playhead.
#[function_component(ByHand)]
pub fn by_hand(props: &ByHandProps) -> Html {
    let key = use_node_ref();
    let error = use_state(|| None::<String>);
    let at_ms = props.frame.clock_us / 1000;
    let on_submit = {
        let (key, error, on) = (key.clone(), error.clone(), props.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = key.cast::<HtmlInputElement>() else { return };
            match parse_key(&input.value()) {
                Ok(k) => {
                    error.set(None);
                    on.emit(AppAction::edit::<Caching>(Edit::Live { at_ms, action: CacheAction::Request { key: k } }));
                }
                Err(m) => error.set(Some(m)),
            }
        })
    };
    let restart = {
        let on = props.on_action.clone();
        Callback::from(move |_| on.emit(AppAction::edit::<Caching>(Edit::Live { at_ms, action: CacheAction::Restart })))
    };
    html! {
        <form class="ps-form by-hand" onsubmit={on_submit} novalidate=true>
            <label>{ "Request key" }
                <input ref={key} type="text" inputmode="numeric" data-testid="cache-request-key" placeholder="4"
                    aria-invalid={error.is_some().then_some("true")} /></label>
            <button type="submit" data-testid="cache-request">{ "Request now" }</button>
            <button type="button" data-testid="cache-restart" onclick={restart}>{ "Restart the cache empty" }</button>
            if let Some(e) = &*error {
                <p class="form-error" role="alert" data-testid="cache-request-error">{ e }</p>
            }
        </form>
    }
}

/// A key typed by hand, or why it is not one.
pub fn parse_key(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Type the key to request: a whole number such as 4.".into());
    }
    t.parse::<u64>().map_err(|_| format!("A key is a whole number from 0 to {} (got \"{t}\").", u64::MAX))
}

/// An action's moment as the recorded list says it.
pub fn after_request(t: crate::scenario::ActionTime) -> String {
    format!("after request {}", count(t / 1000))
}

#[derive(Properties, PartialEq)]
pub struct TableProps {
    pub frame: Frame,
    pub outcome: Done,
    pub session: CachingSession,
}

/// Every policy's hits so far and over the whole run, beside the optimum and, for LRU under independent
/// requests, Che's approximation.
#[function_component(PolicyTable)]
pub fn policy_table(props: &TableProps) -> Html {
    let s = &props.frame.snap;
    let config = props.session.config();
    let che = use_memo((config.workload.clone(), config.capacity), |(w, c)| che_of(w, *c));
    let whole = |i: Option<usize>| -> String {
        let Some(o) = &props.outcome else { return "…".into() };
        let p = i.map_or(&o.report.optimal, |i| &o.report.policies[i]);
        pct(100.0 * p.hit_ratio)
    };
    let ratio = |h: u64| if s.served == 0 { "–".to_string() } else { pct(100.0 * h as f64 / s.served as f64) };
    let last = |l: Option<bool>| l.map_or(html! { "–" }, |h| outcome_badge(Some(h)));
    html! {
        <>
        <table class="policy-table" data-testid="cache-policies">
            <caption>{ format!("{} requests served so far, a cache of {} keys", count(s.served), count(u64::from(config.capacity))) }</caption>
            <thead><tr><th>{ "Policy" }</th><th>{ "last request" }</th><th class="num">{ "hits so far" }</th>
                <th class="num">{ "hit ratio so far" }</th><th class="num">{ "whole run" }</th></tr></thead>
            <tbody>
            { for s.rows.iter().enumerate().map(|(i, &(k, hits, l))| html! {
                <tr data-testid="cache-policy-row" data-policy={k.name()} class={classes!((k == s.watched).then_some("watched"))}>
                    <th scope="row" title={k.evicts()}>{ k.title() }</th>
                    <td>{ last(l) }</td>
                    <td class="num">{ count(hits) }</td>
                    <td class="num">{ ratio(hits) }</td>
                    <td class="num" data-testid="cache-policy-whole">{ whole(Some(i)) }</td>
                </tr>
            }) }
            <tr data-testid="cache-policy-row" data-policy="optimal" class="optimal">
                <th scope="row" title="Evicts the key requested furthest in the future: the most any policy can hit">{ "Belady's optimum" }</th>
                <td>{ last(s.current.map(|c| c.optimal_hit)) }</td>
                <td class="num">{ count(s.optimal_hits) }</td>
                <td class="num">{ ratio(s.optimal_hits) }</td>
                <td class="num" data-testid="cache-policy-whole">{ whole(None) }</td>
            </tr>
            </tbody>
        </table>
        if let Some(c) = *che {
            if config.policies.contains(&PolicyKind::Lru) {
                <p class="muted" data-testid="cache-che">{ format!(
                    "Theory: Che's approximation gives LRU a hit ratio of {} once warm, for requests drawn independently \
                     with these popularities (the whole run also counts the first, cold misses).", pct(100.0 * c)) }</p>
            }
        }
        </>
    }
}

/// Most keys Che's approximation is computed over on the page (it solves an equation over every key).
const CHE_KEYS_MAX: u64 = 200_000;

/// Che's approximation of LRU's hit ratio for an independent-reference workload.
fn che_of(w: &WorkloadSpec, capacity: u32) -> Option<f64> {
    let (keys, s) = match *w {
        WorkloadSpec::Uniform { keys, .. } => (keys, 0.0),
        WorkloadSpec::Zipf { keys, s_milli, .. } => (keys, f64::from(s_milli) / 1000.0),
        _ => return None,
    };
    (keys <= CHE_KEYS_MAX).then(|| che::hit_ratio(&che::zipf_popularity(keys, s), capacity as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn keys_typed_by_hand_are_checked() {
        assert_eq!(parse_key(" 42 "), Ok(42));
        assert!(parse_key("").unwrap_err().contains("Type the key"));
        assert!(parse_key("-1").unwrap_err().contains("whole number"));
        assert!(parse_key("99999999999999999999999").unwrap_err().contains("whole number"));
    }
}
