//! The calls card: a request's calls in one process against over the network (one after another or at
//! once), and a transaction across machines (two-phase commit) against a local one, each beside theory.

use super::ScalingSession;
use super::number;
use crate::sim::scaling::calls::{CallsReport, Latency, limits, measure};
use crate::ui::app::AppAction;
use crate::ui::form::{Field, selected, use_checked};
use crate::ui::format::count;
use yew::prelude::*;

/// A duration given in µs, in the unit that reads best.
pub fn us(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2} s", v / 1e6)
    } else if v >= 1_000.0 {
        format!("{:.2} ms", v / 1_000.0)
    } else if v >= 1.0 {
        format!("{v:.1} µs")
    } else {
        format!("{:.0} ns", v * 1_000.0)
    }
}

fn row(name: &str, testid: &'static str, l: &Latency, theory: Option<f64>) -> Html {
    html! {
        <tr data-testid={testid}>
            <th scope="row">{ name.to_string() }</th>
            <td class="num" data-testid="calls-mean">{ us(l.mean_us) }</td>
            <td class="num">{ us(l.p50_us) }</td>
            <td class="num" data-testid="calls-p99">{ us(l.p99_us) }</td>
            <td class="num">{ theory.map_or_else(|| "–".to_string(), us) }</td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
pub struct CallsProps {
    pub session: ScalingSession,
    pub on_action: Callback<AppAction>,
}

/// The card.
#[function_component(CallsCard)]
pub fn calls_card(props: &CallsProps) -> Html {
    let c = props.session.config().calls;
    let seed = props.session.seed();
    let r: std::rc::Rc<CallsReport> = use_memo((c, seed), |(c, seed)| measure(c, *seed));
    let how = if c.parallel { "all at once" } else { "one after another" };
    html! {
        <div class="calls" data-testid="calls">
            <p>{ format!(
                "A request calls {} services {how}. In one process a call costs {} ns; over the network a round trip costs {} µs plus {} µs of jitter on average, and {}‰ of calls are {} ms late.",
                c.services, c.in_process_ns, c.rtt_us, c.jitter_us, c.slow_permille, c.slow_ms) }</p>
            { crate::ui::scroll::scroll("Calls in one process or over the network", html! {
                <table class="calls-table" data-testid="calls-table">
                    <caption>{ format!("{} requests sampled", count(u64::from(r.samples))) }</caption>
                    <thead><tr><th></th><th class="num">{ "mean" }</th><th class="num">{ "p50" }</th><th class="num">{ "p99" }</th><th class="num">{ "theory: mean" }</th></tr></thead>
                    <tbody>
                        { row("in one process (IPC)", "calls-ipc", &r.in_process, Some(r.in_process.mean_us)) }
                        { row("over the network (RPC)", "calls-rpc", &r.network, Some(r.network_mean_theory_us)) }
                    </tbody>
                </table>
            }) }
            <p data-testid="calls-slow-share">{ format!(
                "{:.1}% of requests waited for at least one late call; theory 1 - (1 - p)^k = {:.1}%. A rare delay at each service becomes a common one for a request that touches many (\"The Tail at Scale\": 1% and 100 calls make 63%).",
                100.0 * r.slow_share, 100.0 * r.slow_share_theory) }</p>
            <h3>{ "A transaction across machines" }</h3>
            <p>{ format!(
                "Two-phase commit with {} participants and a coordinator: prepare, each participant forces a record ({} µs) and votes, the coordinator forces its decision, commit. {} messages and {} forced writes; each participant holds its locks for two round trips to the slowest and two forced writes. A local transaction holds them for one forced write.",
                c.participants, c.fsync_us, r.two_phase_messages, r.two_phase_forced_writes) }</p>
            { crate::ui::scroll::scroll("A local transaction or two-phase commit", html! {
                <table class="tx-table" data-testid="tx-table">
                    <thead><tr><th></th><th class="num">{ "mean" }</th><th class="num">{ "p50" }</th><th class="num">{ "p99" }</th><th class="num">{ "theory: mean" }</th></tr></thead>
                    <tbody>
                        { row("local transaction", "tx-local", &r.local_tx, Some(r.local_tx.mean_us)) }
                        { row("two-phase commit", "tx-2pc", &r.two_phase, Some(r.two_phase_mean_theory_us)) }
                    </tbody>
                </table>
            }) }
            <p data-testid="tx-hot-row">{ format!(
                "One hot row, locked by each transaction in turn, commits at most {:.0} transactions a second locally and {:.0} with two-phase commit: locking every server for each transaction is what makes it impractical, as the notes say.",
                r.hot_row_local_per_s, r.hot_row_two_phase_per_s) }</p>
            <CallsForm session={props.session.clone()} on_action={props.on_action.clone()} />
        </div>
    }
}

/// The calls' settings.
#[function_component(CallsForm)]
fn calls_form(props: &CallsProps) -> Html {
    let c = props.session.config().calls;
    let marks = use_checked(props.session.clone());
    let refs: [NodeRef; 8] = std::array::from_fn(|_| NodeRef::default());
    let on_submit = super::setup_submit(&props.session, &props.on_action, &marks, &refs, |refs, m, config| {
        let t = u64::from(limits::TIME_US_MAX);
        let vals = [
            number(refs, m, 0, "calls-services", "The services a request calls", 1, u64::from(limits::SERVICES_MAX)),
            number(refs, m, 1, "calls-rtt", "The round trip (µs)", 0, t),
            number(refs, m, 2, "calls-jitter", "The jitter (µs)", 0, t),
            number(refs, m, 3, "calls-slow", "Late calls (per thousand)", 0, 1000),
            number(refs, m, 4, "calls-late", "A late call's delay (ms)", 0, 10_000),
            number(refs, m, 5, "calls-participants", "The participants", 1, u64::from(limits::PARTICIPANTS_MAX)),
            number(refs, m, 6, "calls-fsync", "A forced write (µs)", 0, t),
        ];
        let [Some(k), Some(rtt), Some(j), Some(p), Some(late), Some(n), Some(f)] = vals else { return None };
        config.calls = crate::sim::scaling::calls::Calls {
            services: k as u32,
            parallel: selected(&refs[7]) == "parallel",
            rtt_us: rtt as u32,
            jitter_us: j as u32,
            slow_permille: p as u32,
            slow_ms: late as u32,
            participants: n as u32,
            fsync_us: f as u32,
            ..config.calls
        };
        Some(())
    });
    let src = |v: u32| AttrValue::from(v.to_string());
    html! {
        <form class="ps-form calls-setup" onsubmit={on_submit} novalidate=true data-testid="calls-setup">
            <div class="form-grid">
                <Field label="Services a request calls" node={refs[0].clone()} testid="calls-services" source={src(c.services)} error={marks.error("calls-services")} />
                <label>{ "Calls" }
                    <select ref={refs[7].clone()} data-testid="calls-parallel">
                        <option value="sequential" selected={!c.parallel}>{ "one after another" }</option>
                        <option value="parallel" selected={c.parallel}>{ "all at once" }</option>
                    </select>
                </label>
                <Field label="Round trip (µs)" node={refs[1].clone()} testid="calls-rtt" source={src(c.rtt_us)} error={marks.error("calls-rtt")} />
                <Field label="Jitter, mean (µs)" node={refs[2].clone()} testid="calls-jitter" source={src(c.jitter_us)} error={marks.error("calls-jitter")} />
                <Field label="Late calls (per thousand)" node={refs[3].clone()} testid="calls-slow" source={src(c.slow_permille)} error={marks.error("calls-slow")} />
                <Field label="A late call's delay (ms)" node={refs[4].clone()} testid="calls-late" source={src(c.slow_ms)} error={marks.error("calls-late")} />
                <Field label="Participants in a transaction" node={refs[5].clone()} testid="calls-participants" source={src(c.participants)} error={marks.error("calls-participants")} />
                <Field label="A forced write (µs)" node={refs[6].clone()} testid="calls-fsync" source={src(c.fsync_us)} error={marks.error("calls-fsync")} />
            </div>
            if let Some(e) = marks.whole_error() {
                <p class="form-error" role="alert" data-testid="calls-setup-error">{ e }</p>
            }
            <button type="submit" data-testid="calls-apply">{ "Apply" }</button>
        </form>
    }
}
