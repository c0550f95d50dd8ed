//! Each part's own settings (where caches sit, consistency, the CDN), in a form folded under its card.
//! Applying one edits the session's setup like the setup form does (one undo, a new link) and the part
//! computes again; every invalid field is marked and nothing is applied while one is.

use super::CachingSession;
use crate::scenario::Edit;
use crate::sim::cache::Caching;
use crate::sim::cache::cdn::{self, Region, RegionConfig};
use crate::sim::cache::consistency::{BalanceReads, OnWrite, RaceFix, TtlMode, ttl, writes};
use crate::sim::cache::lab_config::CacheLabConfig;
use crate::sim::cache::placement::{self, Feeds};
use crate::ui::app::AppAction;
use crate::ui::form::{Check, Checked, Field, checked, seconds_in, seconds_plain, text_of, use_checked, whole_in};
use yew::prelude::*;

/// A form's values by field id (a checkbox: "on" when ticked, "" when not). A list looked up in
/// order rather than a map: a form has a few fields, and a map's code would weigh on the page.
pub type Values = Vec<(&'static str, String)>;

/// Which part a form sets up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Placement,
    Consistency,
    Cdn,
}

/// What a field is.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Text,
    Check,
    /// (value, label) options.
    Select(&'static [(&'static str, &'static str)]),
}

/// One field: its id (also its test id), label, kind and the session's value.
#[derive(Clone, Debug, PartialEq)]
struct Spec {
    id: &'static str,
    label: String,
    kind: Kind,
    source: String,
}

fn text(id: &'static str, label: impl Into<String>, source: impl ToString) -> Spec {
    Spec { id, label: label.into(), kind: Kind::Text, source: source.to_string() }
}

fn check(id: &'static str, label: impl Into<String>, on: bool) -> Spec {
    Spec { id, label: label.into(), kind: Kind::Check, source: if on { "on".into() } else { String::new() } }
}

fn select(id: &'static str, label: &str, options: &'static [(&'static str, &'static str)], now: &str) -> Spec {
    Spec { id, label: label.into(), kind: Kind::Select(options), source: now.into() }
}

const FEEDS: [(&str, &str); 2] = [("by-interest", "one per interest, shared"), ("per-user", "one per user")];
const TTL_MODES: [(&str, &str); 2] =
    [("refresh", "refreshed every T, read or not"), ("expire", "expires: the first read after T reloads")];
const ON_WRITE: [(&str, &str); 2] = [
    ("invalidate", "cache-aside: delete the key after the write"),
    ("ttl-only", "nothing: the copy lives out its TTL"),
];
const FIXES: [(&str, &str); 4] = [
    ("none", "none"),
    ("double-delete", "delete again after a delay"),
    ("versions", "versions: refuse an older put"),
    ("leases", "leases: refuse a put from before the delete"),
];
const BALANCE_READS: [(&str, &str); 2] = [("cache", "through the cache"), ("database", "straight from the database")];

/// The fields' reader: a field's text, whether a box is ticked, and a number put into its place in the
/// configuration, or its field marked.
struct Read<'a> {
    values: &'a Values,
    marks: Checked,
}

impl Read<'_> {
    fn get(&self, id: &str) -> &str {
        self.values.iter().find(|(k, _)| *k == id).map_or("", |(_, v)| v.as_str())
    }
    fn on(&self, id: &str) -> bool {
        !self.get(id).is_empty()
    }
    /// A whole number between `lo` and `hi` (as u32), or the field marked.
    fn num(&mut self, id: &'static str, what: &str, lo: u64, hi: u64) -> Option<u32> {
        let r = whole_in(self.get(id), what, lo, hi.min(u64::from(u32::MAX)));
        self.marks.field(id, r).map(|v| v as u32)
    }
    /// Seconds typed, as milliseconds between `lo_ms` and `hi_ms`, or the field marked.
    fn ms(&mut self, id: &'static str, what: &str, lo_ms: u64, hi_ms: u64) -> Option<u32> {
        let r = seconds_in(self.get(id), what, lo_ms, hi_ms.min(u64::from(u32::MAX)));
        self.marks.field(id, r).map(|v| v as u32)
    }
    /// [`Read::num`] into `slot`, which keeps its value when the field is marked.
    fn set(&mut self, slot: &mut u32, id: &'static str, what: &str, lo: u64, hi: u64) {
        if let Some(v) = self.num(id, what, lo, hi) {
            *slot = v;
        }
    }
    /// [`Read::ms`] into `slot`.
    fn set_ms(&mut self, slot: &mut u32, id: &'static str, what: &str, lo_ms: u64, hi_ms: u64) {
        if let Some(v) = self.ms(id, what, lo_ms, hi_ms) {
            *slot = v;
        }
    }
    /// A rate a second ([`rate_milli`]) into `slot`, in thousandths.
    fn set_rate(&mut self, slot: &mut u32, id: &'static str, what: &str, max_milli: u32) {
        if let Some(v) = self.marks.field(id, rate_milli(self.get(id), what, max_milli)) {
            *slot = v;
        }
    }
}

/// A rate a second typed as a decimal ("0.1": one every ten seconds), in thousandths.
fn rate_milli(text: &str, what: &str, max_milli: u32) -> Result<u32, String> {
    let t = text.trim();
    let max = f64::from(max_milli) / 1000.0;
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=max).contains(&v) => Ok((v * 1000.0).round() as u32),
        Ok(_) => Err(format!("{what} must be between 0 and {} (got {t}).", crate::ui::format::count(max as u64))),
        Err(_) => Err(format!("{what} must be a number such as 0.1 (got \"{t}\").")),
    }
}

/// Thousandths as a percentage with its tenths ("20", "12.5"), in integers.
fn tenths(milli: u32) -> String {
    match milli % 10 {
        0 => (milli / 10).to_string(),
        t => format!("{}.{t}", milli / 10),
    }
}

fn rate_text(milli: u32) -> String {
    crate::ui::form::milli_text(milli)
}

impl Part {
    fn id(self) -> &'static str {
        match self {
            Part::Placement => "placement",
            Part::Consistency => "consistency",
            Part::Cdn => "cdn",
        }
    }

    /// The fields, holding the session's values.
    fn specs(self, c: &CacheLabConfig) -> Vec<Spec> {
        match self {
            Part::Placement => {
                let p = &c.placement;
                let feeds = if p.feeds == Feeds::PerUser { "per-user" } else { "by-interest" };
                vec![
                    select("placement-feeds", "Feeds", &FEEDS, feeds),
                    text("placement-users", "Users", p.users),
                    text("placement-interests", "Interests", p.interests),
                    text("placement-items", "Pages per feed", p.items),
                    text("placement-requests", "Requests", p.requests),
                    text("placement-servers", "Application servers", p.servers),
                    text("placement-client-server-ms", "Client to server, one way (ms)", p.network.client_server_ms),
                    text("placement-server-db-ms", "Server to database, one way (ms)", p.network.server_db_ms),
                    check("placement-client-on", "A cache in each client", p.client.enabled),
                    text("placement-client", "Client cache (pages)", p.client.capacity),
                    check("placement-server-on", "A cache in each server", p.server.enabled),
                    text("placement-server", "Server cache (pages)", p.server.capacity),
                    check("placement-tier-on", "A cache tier", p.tier.enabled),
                    text("placement-tier-nodes", "Tier nodes", p.tier.nodes),
                    text("placement-tier", "Pages per tier node", p.tier.capacity),
                    check("placement-database-on", "The database's buffer cache", p.database.enabled),
                    text("placement-database", "Database buffer (pages)", p.database.capacity),
                ]
            }
            Part::Consistency => {
                let (t, w, r) = (&c.consistency.ttl, &c.consistency.writes, &c.consistency.race);
                let mode = if t.mode == TtlMode::Expire { "expire" } else { "refresh" };
                let on_write = if r.on_write == OnWrite::TtlOnly { "ttl-only" } else { "invalidate" };
                let (fix, delay) = match r.fix {
                    RaceFix::None => ("none", 0),
                    RaceFix::DoubleDelete { delay_ms } => ("double-delete", delay_ms),
                    RaceFix::Versions => ("versions", 0),
                    RaceFix::Leases => ("leases", 0),
                };
                let reads = if r.balance_reads == BalanceReads::Database { "database" } else { "cache" };
                vec![
                    text("consistency-ttl", "The like count's TTL (s)", seconds_plain(u64::from(t.ttl_ms))),
                    select("consistency-ttl-mode", "The copy is", &TTL_MODES, mode),
                    text("consistency-reads", "Reads a second", rate_text(t.reads_milli)),
                    text("consistency-likes", "Likes a second", rate_text(t.writes_milli)),
                    text("consistency-write-share", "Writes among requests (%)", tenths(w.writes_milli)),
                    text("consistency-flush", "Write-back flushes every (s)", seconds_plain(u64::from(w.flush_ms))),
                    text(
                        "consistency-crash",
                        "The cache dies at (s; empty: never)",
                        w.crash_at_ms.map(|ms| seconds_plain(u64::from(ms))).unwrap_or_default(),
                    ),
                    select("consistency-on-write", "On a write", &ON_WRITE, on_write),
                    select("consistency-fix", "The race's fix", &FIXES, fix),
                    text("consistency-fix-delay", "Second delete after (ms)", delay),
                    text(
                        "consistency-race-ttl",
                        "The cached copies' TTL (s; 0: none)",
                        seconds_plain(u64::from(r.ttl_ms)),
                    ),
                    text("consistency-balances", "Balances (the most read keys)", r.balance_keys),
                    select("consistency-balance-reads", "Balances are read", &BALANCE_READS, reads),
                ]
            }
            Part::Cdn => {
                let d = &c.cdn;
                let mut specs = Vec::new();
                for (i, region) in Region::ALL.iter().enumerate() {
                    let now = d.regions.iter().find(|r| r.region == *region);
                    // A region ticked in starts at 100 requests a second.
                    let rate = now.map_or(100, |r| r.rate_per_s);
                    specs.push(check(REGION_ON[i], format!("Users in {}", region.title()), now.is_some()));
                    specs.push(text(REGION_RATE[i], format!("{}: requests a second", region.title()), rate));
                }
                specs.extend([
                    text("cdn-edge-capacity", "Files per edge", d.edge.capacity),
                    text("cdn-edge-ttl", "An edge copy's TTL (s; 0: none)", d.edge.ttl_s),
                    text("cdn-limiter-rate", "Rate limit: tokens a second", d.limiter.rate_per_s),
                    text("cdn-limiter-burst", "Rate limit: bucket size", d.limiter.burst),
                ]);
                specs
            }
        }
    }

    /// The setup with this part as the fields say, or every invalid field marked.
    pub fn parse(self, base: &CacheLabConfig, values: &Values) -> Result<CacheLabConfig, Checked> {
        let mut v = Read { values, marks: Checked::default() };
        let mut c = base.clone();
        match self {
            Part::Placement => {
                use placement::limits as l;
                let p = &mut c.placement;
                p.feeds = if v.get("placement-feeds") == "per-user" { Feeds::PerUser } else { Feeds::ByInterest };
                v.set(&mut p.users, "placement-users", "Users", 1, l::USERS_MAX.into());
                v.set(&mut p.interests, "placement-interests", "Interests", 1, l::INTERESTS_MAX.into());
                v.set(&mut p.items, "placement-items", "Pages per feed", 1, l::ITEMS_MAX.into());
                v.set(&mut p.requests, "placement-requests", "Requests", 1, l::REQUESTS_MAX.into());
                v.set(&mut p.servers, "placement-servers", "Application servers", 1, l::SERVERS_MAX.into());
                let leg = l::LEG_MS_MAX.into();
                let n = &mut p.network;
                v.set(&mut n.client_server_ms, "placement-client-server-ms", "The client–server leg (ms)", 0, leg);
                v.set(&mut n.server_db_ms, "placement-server-db-ms", "The server–database leg (ms)", 0, leg);
                v.set(&mut p.tier.nodes, "placement-tier-nodes", "Tier nodes", 1, l::TIER_NODES_MAX.into());
                v.set(&mut p.tier.capacity, "placement-tier", "Pages per tier node", 1, l::CAPACITY_MAX.into());
                p.tier.enabled = v.on("placement-tier-on");
                for (level, on, id, what) in [
                    (&mut p.client, "placement-client-on", "placement-client", "The client cache"),
                    (&mut p.server, "placement-server-on", "placement-server", "The server cache"),
                    (&mut p.database, "placement-database-on", "placement-database", "The database buffer"),
                ] {
                    level.enabled = v.on(on);
                    v.set(&mut level.capacity, id, what, 1, l::CAPACITY_MAX.into());
                }
            }
            Part::Consistency => {
                let (t, w, r) = (&mut c.consistency.ttl, &mut c.consistency.writes, &mut c.consistency.race);
                let ttl_max = ttl::limits::TTL_MS_MAX.into();
                v.set_ms(&mut t.ttl_ms, "consistency-ttl", "The TTL (s)", 1, ttl_max);
                t.mode = if v.get("consistency-ttl-mode") == "expire" { TtlMode::Expire } else { TtlMode::Refresh };
                v.set_rate(&mut t.reads_milli, "consistency-reads", "Reads a second", ttl::limits::RATE_MILLI_MAX);
                v.set_rate(&mut t.writes_milli, "consistency-likes", "Likes a second", ttl::limits::RATE_MILLI_MAX);
                // A percentage with its tenths, in thousandths of requests.
                let mut share = w.writes_milli * 100;
                v.set_rate(&mut share, "consistency-write-share", "Writes among requests (%)", 100_000);
                w.writes_milli = (share + 50) / 100;
                let flush_max = writes::limits::FLUSH_MS_MAX.into();
                v.set_ms(&mut w.flush_ms, "consistency-flush", "The flush interval (s)", 1, flush_max);
                if v.get("consistency-crash").trim().is_empty() {
                    w.crash_at_ms = None;
                } else if let Some(ms) = v.ms("consistency-crash", "The crash (s)", 0, u64::from(u32::MAX)) {
                    w.crash_at_ms = Some(ms);
                }
                r.on_write =
                    if v.get("consistency-on-write") == "ttl-only" { OnWrite::TtlOnly } else { OnWrite::Invalidate };
                let delay = v.num("consistency-fix-delay", "The second delete's delay (ms)", 0, ttl_max);
                r.fix = match v.get("consistency-fix") {
                    "double-delete" => RaceFix::DoubleDelete { delay_ms: delay.unwrap_or(0) },
                    "versions" => RaceFix::Versions,
                    "leases" => RaceFix::Leases,
                    _ => RaceFix::None,
                };
                v.set_ms(&mut r.ttl_ms, "consistency-race-ttl", "The copies' TTL (s)", 0, ttl_max);
                v.set(&mut r.balance_keys, "consistency-balances", "Balances", 0, r.keys.into());
                r.balance_reads = if v.get("consistency-balance-reads") == "database" {
                    BalanceReads::Database
                } else {
                    BalanceReads::Cache
                };
            }
            Part::Cdn => {
                use cdn::limits as l;
                let d = &mut c.cdn;
                let mut regions = Vec::new();
                for (i, region) in Region::ALL.iter().enumerate() {
                    // A region kept keeps its own settings (round trips, local files); a new one starts from
                    // its published round trip to the origin.
                    let mut r = base
                        .cdn
                        .regions
                        .iter()
                        .find(|r| r.region == *region)
                        .cloned()
                        .unwrap_or_else(|| RegionConfig::new(*region, 0, 100));
                    let what = format!("{}'s requests a second", region.title());
                    v.set(&mut r.rate_per_s, REGION_RATE[i], &what, 0, l::RATE_MAX.into());
                    if v.on(REGION_ON[i]) {
                        regions.push(r);
                    }
                }
                if regions.is_empty() {
                    v.marks.field::<()>(REGION_ON[0], Err("Tick at least one region with users.".into()));
                }
                d.regions = regions;
                v.set(&mut d.edge.capacity, "cdn-edge-capacity", "Files per edge", 1, l::CAPACITY_MAX.into());
                v.set(&mut d.edge.ttl_s, "cdn-edge-ttl", "An edge copy's TTL (s)", 0, l::TTL_S_MAX.into());
                v.set(&mut d.limiter.rate_per_s, "cdn-limiter-rate", "Tokens a second", 1, l::RATE_MAX.into());
                v.set(&mut d.limiter.burst, "cdn-limiter-burst", "The bucket size", 1, l::RATE_MAX.into());
            }
        }
        let mut k = v.marks;
        if k.is_ok() {
            k.whole(c.validate());
        }
        if k.is_ok() { Ok(c) } else { Err(k) }
    }
}

/// The CDN form's region fields, in the order of [`Region::ALL`].
const REGION_ON: [&str; 6] = [
    "cdn-region-india",
    "cdn-region-us-east",
    "cdn-region-austria",
    "cdn-region-brazil",
    "cdn-region-japan",
    "cdn-region-uk",
];
const REGION_RATE: [&str; 6] =
    ["cdn-rate-india", "cdn-rate-us-east", "cdn-rate-austria", "cdn-rate-brazil", "cdn-rate-japan", "cdn-rate-uk"];

#[derive(Properties, PartialEq)]
struct SelectProps {
    label: String,
    node: NodeRef,
    testid: &'static str,
    options: &'static [(&'static str, &'static str)],
    source: String,
}

/// A labelled select that shows the session's value when it changes, never because of a re-render.
#[function_component(SelectField)]
fn select_field(p: &SelectProps) -> Html {
    {
        let node = p.node.clone();
        use_effect_with(p.source.clone(), move |v| {
            if let Some(s) = node.cast::<web_sys::HtmlSelectElement>() {
                s.set_value(v);
            }
        });
    }
    html! {
        <label>{ p.label.clone() }
            <select ref={p.node.clone()} data-testid={p.testid}>
                { for p.options.iter().map(|(v, l)| html! { <option value={*v}>{ *l }</option> }) }
            </select></label>
    }
}

#[derive(Properties, PartialEq)]
pub struct PartSetupProps {
    pub part: Part,
    pub session: CachingSession,
    pub on_action: Callback<AppAction>,
}

/// A part's settings, folded under its card.
#[function_component(PartSetup)]
pub fn part_setup(p: &PartSetupProps) -> Html {
    let c = p.session.config();
    let seed = p.session.seed();
    let specs = p.part.specs(c);
    let nodes: Vec<NodeRef> = specs.iter().map(|_| NodeRef::default()).collect();
    let marks = use_checked((seed, c.clone()));
    let id = p.part.id();
    let on_submit = {
        let (nodes, marks, on, base, part) = (nodes.clone(), marks.clone(), p.on_action.clone(), c.clone(), p.part);
        let specs = specs.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let values: Values = specs
                .iter()
                .zip(&nodes)
                .map(|(s, n)| {
                    let value = match s.kind {
                        Kind::Check => {
                            if checked(n) {
                                "on".to_string()
                            } else {
                                String::new()
                            }
                        }
                        _ => text_of(n),
                    };
                    (s.id, value)
                })
                .collect();
            match part.parse(&base, &values) {
                Ok(config) => {
                    marks.set(Checked::default());
                    on.emit(AppAction::edit::<Caching>(Edit::Setup { seed, config }));
                }
                Err(k) => marks.set(k),
            }
        })
    };
    let field = |s: &Spec, node: &NodeRef| match &s.kind {
        Kind::Text => html! {
            <Field label={s.label.clone()} node={node.clone()} testid={s.id} source={s.source.clone()} error={marks.error(s.id)} inputmode="decimal" />
        },
        Kind::Check => html! {
            <>
                <Check label={s.label.clone()} node={node.clone()} testid={s.id} source={!s.source.is_empty()} />
                if let Some(e) = marks.error(s.id) { <p class="form-error" role="alert">{ e }</p> }
            </>
        },
        Kind::Select(options) => html! {
            <SelectField label={s.label.clone()} node={node.clone()} testid={s.id} options={*options} source={s.source.clone()} />
        },
    };
    html! {
        <details class="part-setup" data-testid={format!("{id}-setup")}>
            <summary>{ "Change this part's setup" }</summary>
            <form class="ps-form setup-form" onsubmit={on_submit} data-testid={format!("{id}-form")} novalidate=true>
                { for specs.iter().zip(&nodes).map(|(s, n)| field(s, n)) }
                <button type="submit" data-testid={format!("{id}-apply")}>{ "Apply" }</button>
                if !marks.is_ok() {
                    <p class="form-error" role="alert" data-testid={format!("{id}-setup-error")}>{ marks.summary() }</p>
                }
            </form>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cache::{cdn, consistency, placement};

    /// The values a form shows for `c`, as the page reads them back.
    fn shown(part: Part, c: &CacheLabConfig) -> Values {
        part.specs(c).into_iter().map(|s| (s.id, s.source)).collect()
    }

    fn with(part: Part, c: &CacheLabConfig, changes: &[(&'static str, &str)]) -> Result<CacheLabConfig, Checked> {
        let mut v = shown(part, c);
        for (id, value) in changes {
            let field = v.iter_mut().find(|(k, _)| k == id);
            field.unwrap_or_else(|| panic!("{id} is a field of the form")).1 = (*value).to_string();
        }
        part.parse(c, &v)
    }

    fn error(r: Result<CacheLabConfig, Checked>, id: &str) -> String {
        r.unwrap_err().error(id).map(|e| e.to_string()).unwrap_or_default()
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_form_applied_as_shown_changes_nothing() {
        let mut setups = vec![CacheLabConfig::default()];
        for name in consistency::PRESETS {
            setups
                .push(CacheLabConfig { consistency: consistency::preset(name).unwrap(), ..CacheLabConfig::default() });
        }
        for name in cdn::PRESETS {
            setups.push(CacheLabConfig { cdn: cdn::preset(name).unwrap(), ..CacheLabConfig::default() });
        }
        for name in placement::PRESETS {
            setups.push(CacheLabConfig { placement: placement::preset(name).unwrap(), ..CacheLabConfig::default() });
        }
        for c in &setups {
            for part in [Part::Placement, Part::Consistency, Part::Cdn] {
                assert_eq!(part.parse(c, &shown(part, c)).as_ref(), Ok(c), "{part:?}");
            }
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn each_form_sets_its_part() {
        let c = CacheLabConfig::default();
        let p = with(
            Part::Placement,
            &c,
            &[("placement-feeds", "per-user"), ("placement-tier-on", ""), ("placement-client", "25")],
        )
        .unwrap()
        .placement;
        assert_eq!((p.feeds, p.tier.enabled, p.client.capacity), (Feeds::PerUser, false, 25));
        let k = with(
            Part::Consistency,
            &c,
            &[
                ("consistency-ttl", "5"),
                ("consistency-crash", ""),
                ("consistency-fix", "double-delete"),
                ("consistency-fix-delay", "40"),
            ],
        )
        .unwrap()
        .consistency;
        assert_eq!(
            (k.ttl.ttl_ms, k.writes.crash_at_ms, k.race.fix),
            (5_000, None, RaceFix::DoubleDelete { delay_ms: 40 })
        );
        let d = with(Part::Cdn, &c, &[("cdn-region-japan", "on"), ("cdn-rate-japan", "70"), ("cdn-region-india", "")])
            .unwrap()
            .cdn;
        let regions: Vec<(Region, u32)> = d.regions.iter().map(|r| (r.region, r.rate_per_s)).collect();
        assert_eq!(regions, [(Region::UsEast, 200), (Region::Austria, 60), (Region::Japan, 70)]);
        assert_eq!(d.regions[2].origin_rtt_ms, Region::Japan.origin_rtt_ms());
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn invalid_fields_are_marked_and_nothing_applies() {
        let c = CacheLabConfig::default();
        assert!(
            error(with(Part::Placement, &c, &[("placement-users", "0")]), "placement-users").contains("between 1 and")
        );
        assert!(
            error(with(Part::Placement, &c, &[("placement-servers", "lots")]), "placement-servers")
                .contains("whole number")
        );
        assert!(
            error(with(Part::Consistency, &c, &[("consistency-ttl", "soon")]), "consistency-ttl").contains("seconds")
        );
        assert!(
            error(with(Part::Consistency, &c, &[("consistency-write-share", "120")]), "consistency-write-share")
                .contains("between 0 and 100")
        );
        let none: Vec<(&'static str, &str)> = REGION_ON.iter().map(|id| (*id, "")).collect();
        assert!(error(with(Part::Cdn, &c, &none), REGION_ON[0]).contains("at least one region"));
        // A rule across fields (the keys a catalogue of feeds holds) is said of the whole form.
        let big = with(
            Part::Placement,
            &c,
            &[("placement-users", "1000000"), ("placement-feeds", "per-user"), ("placement-items", "100000")],
        );
        assert!(big.unwrap_err().whole_error().unwrap_or_default().contains("keys"));
    }
}
