//! The caching lab's other parts, each computed in slices from the session's seed and setup: where a
//! cache sits on the notes' 220 ms path, consistency (a TTL refresh against theory, write policies with
//! a crash, cache-aside's stale race and the balance that must never be stale), and a CDN's edges per
//! region before an origin in India, with an edge rate limiter under a burst.

use crate::sim::cache::cdn::{CdnConfig, CdnReport, CdnRun, Region};
use crate::sim::cache::consistency::{
    BalanceReads, ConsistencyConfig, ConsistencyReport, ConsistencyRun, RaceFix, TtlMode, WritePolicy,
};
use crate::sim::cache::placement::{Answer, Level, PlacementConfig, PlacementReport, PlacementRun, Setup};
use crate::sim::cache::stats::Summary;
use crate::ui::chart::{Line, LineChart};
use crate::ui::format::{count, pct};
use crate::ui::palette;
use crate::ui::sliced::{RunJob as Job, use_sliced};
use std::rc::Rc;
use yew::prelude::*;

fn ms(us: f64) -> String {
    if us >= 10_000.0 { format!("{:.0} ms", us / 1000.0) } else { format!("{:.1} ms", us / 1000.0) }
}

fn progress_line(testid: &'static str, what: &str, steps: u64) -> Html {
    html! {
        <p class="progress" role="status" data-testid={testid}><progress aria-label={what.to_string()} />
            { format!(" {what}: {} steps…", count(steps)) }</p>
    }
}

fn refusal(testid: &'static str, e: &str) -> Html {
    html! { <p class="form-error" role="alert" data-testid={testid}>{ crate::ui::form::sentence(e) }</p> }
}

// --- Placement ---

#[derive(Properties, PartialEq)]
pub struct PlacementProps {
    pub seed: u64,
    pub config: Rc<PlacementConfig>,
}

fn setup_title(s: Setup) -> &'static str {
    match s {
        Setup::Configured => "as set up",
        Setup::NoCache => "no cache",
        Setup::ClientOnly => "client cache only",
        Setup::ServerOnly => "server cache only",
        Setup::TierOnly => "cache tier only",
        Setup::All => "client, server and tier",
    }
}

fn answer_title(a: Answer) -> &'static str {
    match a {
        Answer::Client => "client cache",
        Answer::Server => "server cache",
        Answer::Tier => "cache tier",
        Answer::Database => "database (memory)",
        Answer::Disk => "database (disk)",
    }
}

/// Every setup on the same requests: where each request was answered and what it cost.
#[function_component(PlacementPart)]
pub fn placement_part(props: &PlacementProps) -> Html {
    let key = Rc::new((props.seed, (*props.config).clone()));
    let progress = use_sliced::<(u64, PlacementConfig), Job<PlacementRun>>(key, |(seed, c)| {
        Some(Job(PlacementRun::new(c.clone(), *seed)))
    });
    let n = &props.config.network;
    let (cs, sd) = (n.client_server_ms, n.server_db_ms);
    let arithmetic = format!(
        "The notes' path: client to server {cs} ms, server to database {sd} ms, so with no cache a request the \
         database answers from memory takes {cs} + {sd} + {sd} + {cs} = {} ms. A hit in the server's cache skips \
         the database's legs ({} ms); the cache tier is a hop of {} each way from the server; the client's own \
         cache skips the network ({} to look); a miss in the database's buffer adds a disk read ({}). A lookup \
         that misses adds its cost to the requests that go further.",
        2 * (cs + sd),
        2 * cs,
        ms(f64::from(n.tier_hop_us)),
        ms(f64::from(n.client_lookup_us)),
        ms(f64::from(n.disk_read_us))
    );
    let body = match progress.done().as_deref() {
        None => progress_line("placement-progress", "Serving the requests under every setup", progress.events()),
        Some(Err(e)) => refusal("placement-error", e),
        Some(Ok(r)) => placement_view(r),
    };
    html! {
        <div class="placement" data-testid="placement">
            <p data-testid="placement-arithmetic">{ arithmetic }</p>
            { body }
        </div>
    }
}

fn placement_view(r: &PlacementReport) -> Html {
    let lines: Rc<Vec<Line>> = Rc::new(
        r.setups
            .iter()
            .filter(|s| s.setup != Setup::Configured)
            .enumerate()
            .map(|(i, s)| {
                let n = s.latency.count.max(1) as f64;
                Line {
                    name: setup_title(s.setup),
                    color: palette::rgb(i),
                    values: s.histogram.counts.iter().map(|&c| c as f64 / n).collect(),
                }
            })
            .collect(),
    );
    let names: Rc<Vec<String>> = Rc::new(
        (0..r.setups.first().map_or(0, |s| s.histogram.counts.len()))
            .map(|i| format!("{:.0}", (i as u64 * r.bucket_us) as f64 / 1000.0))
            .collect(),
    );
    let hit = |s: &crate::sim::cache::placement::SetupReport, l: Level| {
        s.levels
            .iter()
            .find(|x| x.level == l)
            .filter(|x| x.enabled)
            .map_or("–".to_string(), |x| pct(100.0 * x.hit_ratio))
    };
    html! {
        <>
        <table class="placement-table" data-testid="placement-table">
            <caption>{ format!("{} requests for {} keys, the same under every setup", count(u64::from(r.requests)), count(r.keys)) }</caption>
            <thead><tr><th>{ "Setup" }</th><th class="num">{ "mean" }</th><th class="num">{ "p50" }</th><th class="num">{ "p99" }</th>
                <th class="num">{ "reach the database" }</th><th class="num" title="Hit ratio of the client, server and tier caches">{ "hits: client / server / tier" }</th></tr></thead>
            <tbody>
            { for r.setups.iter().map(|s| html! {
                <tr data-testid="placement-row" data-setup={format!("{:?}", s.setup)}>
                    <th scope="row">{ setup_title(s.setup) }</th>
                    <td class="num" data-testid="placement-mean">{ ms(s.latency.mean_us) }</td>
                    <td class="num">{ ms(s.latency.p50_us as f64) }</td>
                    <td class="num">{ ms(s.latency.p99_us as f64) }</td>
                    <td class="num">{ pct(100.0 * s.database_requests as f64 / f64::from(r.requests).max(1.0)) }</td>
                    <td class="num">{ format!("{} / {} / {}", hit(s, Level::Client), hit(s, Level::Server), hit(s, Level::Tier)) }</td>
                </tr>
            }) }
            </tbody>
        </table>
        if let Some(all) = r.setups.iter().find(|s| s.setup == Setup::All) {
            <p class="muted" data-testid="placement-answers">{ format!("With every cache on, requests were answered by: {}.",
                all.answers.iter().filter(|a| a.requests > 0).map(|a| format!("{} {} ({} each)", answer_title(a.at), pct(100.0 * a.fraction), ms(a.latency_us as f64))).collect::<Vec<_>>().join(", ")) }</p>
        }
        <LineChart lines={lines} y_max={1.0} marker={None} y_percent={true} x_names={Some(names)}
            testid="placement-histogram" label="Share of requests by end-to-end latency (ms), per setup" />
        <ul class="legend inline">
            { for r.setups.iter().filter(|s| s.setup != Setup::Configured).enumerate().map(|(i, s)| html! { <li>{ palette::swatch(i) }{ setup_title(s.setup) }</li> }) }
        </ul>
        </>
    }
}

// --- Consistency ---

#[derive(Properties, PartialEq)]
pub struct ConsistencyProps {
    pub seed: u64,
    pub config: Rc<ConsistencyConfig>,
}

fn policy_title(p: WritePolicy) -> &'static str {
    match p {
        WritePolicy::WriteThrough => "write-through",
        WritePolicy::WriteBack => "write-back",
        WritePolicy::WriteAround => "write-around",
        WritePolicy::CacheAside => "cache-aside, invalidate on write",
    }
}

fn fix_title(f: RaceFix) -> String {
    match f {
        RaceFix::None => "no fix".into(),
        RaceFix::DoubleDelete { delay_ms } => format!("a second delete {delay_ms} ms after the first"),
        RaceFix::Versions => "versioned puts (an older version is refused)".into(),
        RaceFix::Leases => "leases (a put whose miss came before the last delete is refused)".into(),
    }
}

/// Staleness against database load, write policies with a crash, the race and the balance.
#[function_component(ConsistencyPart)]
pub fn consistency_part(props: &ConsistencyProps) -> Html {
    let key = Rc::new((props.seed, (*props.config).clone()));
    let progress = use_sliced::<(u64, ConsistencyConfig), Job<ConsistencyRun>>(key, |(seed, c)| {
        Some(Job(ConsistencyRun::new(c.clone(), *seed)))
    });
    match progress.done().as_deref() {
        None => progress_line("consistency-progress", "Reading, writing and racing", progress.events()),
        Some(Err(e)) => refusal("consistency-error", e),
        Some(Ok(r)) => consistency_view(&props.config, r),
    }
}

fn consistency_view(c: &ConsistencyConfig, r: &ConsistencyReport) -> Html {
    let t = &r.ttl;
    let ttl_s = f64::from(c.ttl.ttl_ms) / 1000.0;
    let mode = match c.ttl.mode {
        TtlMode::Refresh => "refreshed",
        TtlMode::Expire => "expiring",
    };
    let race = &r.race;
    let bank = race.balance_reads > 0;
    let balance_where = match c.race.balance_reads {
        BalanceReads::Cache => "through the cache",
        BalanceReads::Database => "straight from the database",
    };
    html! {
        <div class="consistency" data-testid="consistency">
            <h3>{ format!("A like count {mode} every {ttl_s} s") }</h3>
            <p data-testid="ttl-result">{ format!(
                "{} of {} reads served a stale count ({}; theory {}). The copy served was on average {:.1} s old (theory {:.1} s), \
                 at most {:.1} s. The database answered {:.2} reads a second, against {:.1} without the cache (theory {:.2}).",
                count(t.stale_reads), count(t.reads), pct(100.0 * t.stale_fraction), pct(100.0 * t.theory.stale_fraction),
                t.age.mean_us / 1e6, t.theory.mean_age_ms / 1000.0, t.age.max_us as f64 / 1e6,
                t.db_reads_per_s, t.db_reads_per_s_without, t.theory.db_reads_per_s) }</p>
            <p class="muted">{ "A like count a few seconds old harms no one: the notes' point. The stale share follows \
                1 - (1 - e^(-wT)) / (wT) for writes at rate w (Cho & Garcia-Molina's freshness), the age T/2." }</p>
            <h3>{ "Write policies, and a cache that dies" }</h3>
            <table class="writes-table" data-testid="writes-table">
                <thead><tr><th>{ "Policy" }</th><th class="num">{ "hit ratio" }</th><th class="num">{ "database writes" }</th>
                    <th class="num">{ "stale reads" }</th><th class="num">{ "most writes at risk" }</th><th class="num">{ "writes lost in the crash" }</th>
                    <th class="num">{ "write p50" }</th></tr></thead>
                <tbody>
                { for r.writes.policies.iter().map(|p| html! {
                    <tr data-testid="writes-row" data-policy={format!("{:?}", p.policy)}>
                        <th scope="row">{ policy_title(p.policy) }</th>
                        <td class="num">{ pct(100.0 * p.hit_ratio) }</td>
                        <td class="num">{ count(p.db_writes) }</td>
                        <td class="num">{ count(p.stale_reads) }</td>
                        <td class="num">{ count(p.at_risk_max) }</td>
                        <td class={classes!("num", (p.writes_lost > 0).then_some("bad"))} data-testid="writes-lost">{ count(p.writes_lost) }</td>
                        <td class="num">{ ms(p.write_latency.p50_us as f64) }</td>
                    </tr>
                }) }
                </tbody>
            </table>
            <h3>{ "Cache-aside's race: a stale value put back after an invalidation" }</h3>
            <p data-testid="race-result">{ format!(
                "{} clients, {}: a reader misses and reads the old value, a writer updates the database and deletes the \
                 key, then the reader puts the old value back. {} such stale puts, {} reads served from them, {} stale reads in all; {} puts refused by the fix.",
                c.race.clients, fix_title(c.race.fix), count(race.stale_puts), count(race.race_reads), count(race.stale_reads), count(race.refused_puts)) }</p>
            if bank {
                <p class={classes!("bank", (race.errors > 0).then_some("bad"))} role={(race.errors > 0).then_some("alert")} data-testid="bank-result">{ format!(
                    "Bank balances, read {balance_where}: {} of {} balance reads were stale. {}",
                    count(race.errors), count(race.balance_reads),
                    if race.errors > 0 { "Each is an error: a customer saw money that was not there (the notes: a financial transaction cannot be served stale)." }
                    else { "None was stale: balances are never served from a copy that may be old." }) }</p>
            }
        </div>
    }
}

// --- CDN ---

#[derive(Properties, PartialEq)]
pub struct CdnProps {
    pub seed: u64,
    pub config: Rc<CdnConfig>,
}

/// Latency per region with and without the edges, the origin's offload, and the edge limiter.
#[function_component(CdnPart)]
pub fn cdn_part(props: &CdnProps) -> Html {
    let key = Rc::new((props.seed, (*props.config).clone()));
    let progress =
        use_sliced::<(u64, CdnConfig), Job<CdnRun>>(key, |(seed, c)| Some(Job(CdnRun::new(c.clone(), *seed))));
    match progress.done().as_deref() {
        None => progress_line("cdn-progress", "Serving every region", progress.events()),
        Some(Err(e)) => refusal("cdn-error", e),
        Some(Ok(r)) => cdn_view(&props.config, r),
    }
}

/// Where each region sits on the diagram, in a 600 × 260 box (the origin, India, in the middle).
fn spot(r: Region) -> (f64, f64) {
    match r {
        Region::India => (420.0, 150.0),
        Region::UsEast => (110.0, 80.0),
        Region::Austria => (300.0, 60.0),
        Region::Uk => (230.0, 40.0),
        Region::Brazil => (170.0, 210.0),
        Region::Japan => (540.0, 90.0),
    }
}

fn cdn_view(c: &CdnConfig, r: &CdnReport) -> Html {
    let origin = spot(Region::India);
    let l = &r.limiter;
    let lines: Rc<Vec<Line>> = Rc::new(vec![
        Line { name: "allowed", color: palette::rgb(4), values: l.series.iter().map(|p| p.allowed as f64).collect() },
        Line { name: "limited", color: palette::rgb(2), values: l.series.iter().map(|p| p.limited as f64).collect() },
    ]);
    let y_max = l.series.iter().map(|p| p.allowed.max(p.limited)).max().unwrap_or(1).max(1) as f64 * 1.1;
    html! {
        <div class="cdn" data-testid="cdn">
            <svg class="cdn-map" viewBox="0 0 600 260" role="img" aria-label="The origin in India and an edge per region, with each region's round trip to the origin">
                { for r.regions.iter().filter(|x| x.region != Region::India).map(|x| {
                    let (px, py) = spot(x.region);
                    let rtt = c.regions.iter().find(|g| g.region == x.region).map_or(0, |g| g.origin_rtt_ms);
                    html! { <g>
                        <line x1={origin.0.to_string()} y1={origin.1.to_string()} x2={px.to_string()} y2={py.to_string()} class="link" />
                        <text x={((px + origin.0) / 2.0).to_string()} y={((py + origin.1) / 2.0 - 4.0).to_string()} class="rtt">{ format!("{rtt} ms") }</text>
                    </g> }
                }) }
                <g class="origin">
                    <circle cx={origin.0.to_string()} cy={origin.1.to_string()} r="20" />
                    <text x={origin.0.to_string()} y={(origin.1 + 36.0).to_string()} class="label">{ "origin: India" }</text>
                </g>
                { for r.regions.iter().map(|x| {
                    let (px, py) = spot(x.region);
                    let (px, py) = if x.region == Region::India { (px + 60.0, py + 50.0) } else { (px, py) };
                    html! { <g class="edge">
                        <rect x={(px - 58.0).to_string()} y={(py - 14.0).to_string()} width="116" height="28" rx="6" />
                        <text x={px.to_string()} y={(py + 4.0).to_string()} class="label">{ format!("{} {}", x.region.title(), pct(100.0 * x.hit_ratio)) }</text>
                    </g> }
                }) }
            </svg>
            <table class="cdn-table" data-testid="cdn-table">
                <caption>{ format!("Edges of {} files, TTL {} s; the origin served {} of {} requests: offload {} (of bytes {})",
                    count(u64::from(c.edge.capacity)), c.edge.ttl_s, count(r.origin_requests), count(r.requests), pct(100.0 * r.offload), pct(100.0 * r.byte_offload)) }</caption>
                <thead><tr><th>{ "Users in" }</th><th class="num">{ "requests" }</th><th class="num">{ "edge hits" }</th>
                    <th class="num">{ "without CDN, mean" }</th><th class="num">{ "with CDN, mean" }</th><th class="num">{ "p50" }</th><th class="num">{ "p99" }</th></tr></thead>
                <tbody>
                { for r.regions.iter().map(|x| html! {
                    <tr data-testid="cdn-row" data-region={x.region.name()}>
                        <th scope="row">{ x.region.title() }</th>
                        <td class="num">{ count(x.requests) }</td>
                        <td class="num" data-testid="cdn-hit">{ pct(100.0 * x.hit_ratio) }</td>
                        <td class="num" data-testid="cdn-without">{ ms(x.without_cdn.mean_us) }</td>
                        <td class="num" data-testid="cdn-with">{ ms(x.with_cdn.mean_us) }</td>
                        <td class="num">{ summary_ms(&x.with_cdn, |s| s.p50_us) }</td>
                        <td class="num">{ summary_ms(&x.with_cdn, |s| s.p99_us) }</td>
                    </tr>
                }) }
                </tbody>
            </table>
            <p class="muted">{ format!("{} purge{} applied. Each region's edge holds only what its users ask for: files relevant to one region never occupy another's edge.",
                count(r.purges), if r.purges == 1 { "" } else { "s" }) }</p>
            <h3>{ "Rate limiting at the edge: a token bucket under a burst" }</h3>
            <p data-testid="limiter-result">{ format!(
                "{} tokens a second, bursts of up to {}: of {} requests, {} allowed and {} limited. Over any window of t seconds at most {} + {}·t get through.",
                c.limiter.rate_per_s, c.limiter.burst, count(l.allowed + l.limited), count(l.allowed), count(l.limited), c.limiter.burst, c.limiter.rate_per_s) }</p>
            <LineChart lines={lines} y_max={y_max} marker={None} y_percent={false} x_step={f64::from(c.limiter.bin_ms) / 1000.0}
                testid="limiter-chart" label="Requests allowed and limited per interval (x: seconds)" />
            <ul class="legend inline"><li>{ palette::swatch(4) }{ "allowed" }</li><li>{ palette::swatch(2) }{ "limited" }</li></ul>
        </div>
    }
}

fn summary_ms(s: &Summary, f: impl Fn(&Summary) -> u64) -> String {
    ms(f(s) as f64)
}
