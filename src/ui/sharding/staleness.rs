//! Quorum staleness (probabilistically bounded staleness, Bailis et al.): a write acknowledged by W of N
//! replicas and a read of R of them right after it miss each other with probability C(N-W, R) / C(N, R);
//! the page measures it by trials beside the formula, and shows the window closing as the write reaches
//! the other replicas (each after an exponential delay).

use crate::sim::sharding::{ReplMode, quorum};
use crate::ui::format::{count, pct};
use crate::ui::sliced::{Finite, use_sliced};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Trials per measurement: a few milliseconds of work, a confidence interval of about ±0.6%.
const TRIALS: u64 = 20_000;
/// The mean propagation delay the window is drawn for, ms.
const MEAN_DELAY_MS: f64 = 10.0;

#[derive(Properties, PartialEq)]
pub struct StalenessProps {
    pub seed: u64,
    pub mode: ReplMode,
}

/// N, W and R, and what they give.
#[function_component(Staleness)]
pub fn staleness(props: &StalenessProps) -> Html {
    let start = match props.mode {
        ReplMode::Leaderless { n, w, r } => (n, w, r),
        _ => (3, 1, 1),
    };
    let nwr = use_state(|| start);
    let refs: [NodeRef; 3] = Default::default();
    let on_submit = {
        let (nwr, refs) = (nwr.clone(), refs.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let read = |r: &NodeRef| r.cast::<HtmlInputElement>().and_then(|i| i.value().trim().parse::<u32>().ok());
            if let (Some(n), Some(w), Some(r)) = (read(&refs[0]), read(&refs[1]), read(&refs[2])) {
                nwr.set((n, w, r));
            }
        })
    };
    let (n, w, r) = *nwr;
    // Measured in slices: twenty thousand trials are a long task on a slow phone.
    let progress = use_sliced::<(u32, u32, u32, u64), Trials>(Rc::new((n, w, r, props.seed)), |&(n, w, r, seed)| {
        Some(Trials(quorum::Measure::new(n, w, r, TRIALS, seed, MEAN_DELAY_MS)))
    });

    let field = |label: &'static str, r: &NodeRef, testid: &'static str, v: u32| {
        html! { <label>{ label }<input ref={r.clone()} type="number" min="1" data-testid={testid} value={v.to_string()} /></label> }
    };
    html! {
        <div class="staleness" data-testid="staleness">
            <form class="ps-form" onsubmit={on_submit} novalidate=true>
                { field("N replicas", &refs[0], "pbs-n", n) }
                { field("W acknowledge", &refs[1], "pbs-w", w) }
                { field("R read", &refs[2], "pbs-r", r) }
                <button type="submit" data-testid="pbs-measure">{ "Measure" }</button>
            </form>
            { match progress.done().as_deref() {
                None => html! {
                    <p class="progress" role="status"><progress aria-label="Measuring" />{ format!(" {} of {} trials…", count(progress.events()), count(TRIALS)) }</p>
                },
                Some(Err(e)) => html! { <p class="form-error" role="alert" data-testid="pbs-error">{ crate::ui::form::sentence(e) }</p> },
                Some(Ok(s)) => html! {
                    <>
                    <p data-testid="pbs-result">{ format!(
                        "A read right after the acknowledgement missed the write in {} of {} trials: {} (95% interval {} to {}); \
                         theory C(N-W, R) / C(N, R) = {}.{}",
                        count(s.stale), count(s.trials), pct(100.0 * s.p_stale), pct(100.0 * s.ci95[0]), pct(100.0 * s.ci95[1]),
                        pct(100.0 * s.theory),
                        if s.strict_quorum { " R + W > N: every read meets every acknowledged write, never stale." } else { "" }
                    ) }</p>
                    if !s.strict_quorum {
                        <table class="window" data-testid="pbs-window">
                            <caption>{ format!("The window closing: the other replicas receive the write after {MEAN_DELAY_MS:.0} ms on average") }</caption>
                            <thead><tr><th>{ "Time after the ack" }</th><th class="num">{ "stale, measured" }</th><th class="num">{ "theory" }</th></tr></thead>
                            <tbody>{ for s.window.iter().map(|p| html! {
                                <tr><td>{ format!("{:.1} ms", p.t_ms) }</td><td class="num">{ pct(100.0 * p.p_stale) }</td><td class="num">{ pct(100.0 * p.theory) }</td></tr>
                            }) }</tbody>
                        </table>
                    }
                    </>
                },
            } }
        </div>
    }
}

/// The trials of one measurement, or why it cannot run.
struct Trials(Result<quorum::Measure, String>);

impl Finite for Trials {
    /// The measurement, or why it cannot run.
    type Outcome = Result<quorum::Staleness, String>;
    fn advance(&mut self, max: u64) -> bool {
        // A unit of work is a hundred trials.
        self.0.as_mut().map_or(true, |m| m.advance(max.saturating_mul(100)))
    }
    fn done_events(&self) -> u64 {
        self.0.as_ref().map_or(0, quorum::Measure::done)
    }
    fn outcome(&mut self, over: bool) -> Option<Self::Outcome> {
        over.then(|| self.0.as_ref().map(quorum::Measure::finish).map_err(Clone::clone))
    }
}
