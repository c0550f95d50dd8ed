//! The notes' walk from `Node -> Database` to `DNS -> load balancers -> nodes -> databases` in several
//! regions, one step at a time: which parts are single points of failure, what a kill does (which
//! requests fail, for how long, what takes over), and the availability of the whole.
//!
//! **How requests find their way.** Clients know one address until there is DNS: the first load
//! balancer's, or without one the first node's; so a second load balancer, or nodes without a load
//! balancer, stand idle (the notes' "how will the user go to a particular node?"). DNS lists every entry
//! of every region and drops a dead one from its answers; clients that resolved it keep it for the TTL.
//! A load balancer spreads requests over its region's nodes and drops a dead one once its health checks
//! notice. Every request needs the primary database; a backup kept in sync takes over when the primary
//! dies: promoted by hand without a coordinator, automatically with one (a cluster of three, running
//! while two agree). A region failing takes every part in it.
//!
//! What a kill does, and what the take-overs cost a year, is in [`super::takeover`].
//!
//! **Availability.** The structure (which parts must be up) gives the availability if every take-over
//! were instant: exact by conditioning on the regions' states (`years::exact`), and by simulating years
//! of failures and repairs (`years::YearsRun`). Take-overs are not instant: each failure of a part that
//! something takes over from fails some requests for its detection window, which first-order adds
//! failures per year × window × share of requests to the downtime.

use super::availability::{MINUTES_PER_YEAR, Node};
use super::years::{Failures, Group, HOURS_PER_YEAR, exact, independent};
use serde::{Deserialize, Serialize};

/// Limits.
pub mod limits {
    pub const REGIONS_MAX: u32 = 4;
    pub const LBS_MAX: u32 = 4;
    pub const NODES_MAX: u32 = 12;
    pub const DBS_MAX: u32 = 4;
    /// Hours between failures or to repair, at most (about 114 years).
    pub const HOURS_MAX: u32 = 1_000_000;
    /// Seconds of a detection window, at most (a day).
    pub const WINDOW_S_MAX: u32 = 86_400;
}

/// Members of the coordinator's cluster, and how many must agree.
pub const COORDINATORS: usize = 3;
pub const QUORUM: usize = 2;

/// One of the notes' steps, in their order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    BackupDb,
    MoreNodes,
    LoadBalancer,
    MoreLbs,
    Dns,
    Coordinator,
    SecondRegion,
}

impl Step {
    /// The notes' order.
    pub const ALL: [Step; 7] = [
        Step::BackupDb,
        Step::MoreNodes,
        Step::LoadBalancer,
        Step::MoreLbs,
        Step::Dns,
        Step::Coordinator,
        Step::SecondRegion,
    ];

    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Step::BackupDb => "Add a backup database",
            Step::MoreNodes => "Add nodes",
            Step::LoadBalancer => "Add a load balancer",
            Step::MoreLbs => "Add another load balancer",
            Step::Dns => "Add DNS with every address",
            Step::Coordinator => "Add a coordinator",
            Step::SecondRegion => "Add a region",
        }
    }

    /// What the notes say it is for.
    pub fn why(self) -> &'static str {
        match self {
            Step::BackupDb => "if the database goes down, everything fails: a backup kept in sync can take over",
            Step::MoreNodes => "the node can go down too",
            Step::LoadBalancer => "how will the user reach a particular node? A load balancer spreads them",
            Step::MoreLbs => "the load balancer is itself a single point of failure",
            Step::Dns => "how will the user reach a particular load balancer? DNS answers with every address",
            Step::Coordinator => "a coordinator between nodes and databases finds the primary and promotes a backup",
            Step::SecondRegion => "a disaster can take the whole site: deploy in another region",
        }
    }
}

/// The hours between failures and to repair of one kind of part, as whole hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mtbf {
    pub mtbf_h: u32,
    pub mttr_h: u32,
}

impl Mtbf {
    pub fn failures(self) -> Failures {
        Failures { mtbf_h: f64::from(self.mtbf_h), mttr_h: f64::from(self.mttr_h) }
    }
    pub fn availability(self) -> f64 {
        self.failures().availability()
    }
    /// Failures a year (a part is down a fraction of the time, and fails only while up).
    pub fn per_year(self) -> f64 {
        HOURS_PER_YEAR / (f64::from(self.mtbf_h) + f64::from(self.mttr_h))
    }
}

/// How each kind of part fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartFailures {
    pub dns: Mtbf,
    pub lb: Mtbf,
    pub node: Mtbf,
    pub db: Mtbf,
    pub coordinator: Mtbf,
    pub region: Mtbf,
}

impl Default for PartFailures {
    /// Round figures of the right order: a managed DNS service fails about once in ten years; a load
    /// balancer or a database machine twice a year, a node four times; a region once in five years,
    /// for half a day.
    fn default() -> Self {
        Self {
            dns: Mtbf { mtbf_h: 87_600, mttr_h: 1 },
            lb: Mtbf { mtbf_h: 4_380, mttr_h: 2 },
            node: Mtbf { mtbf_h: 2_190, mttr_h: 4 },
            db: Mtbf { mtbf_h: 4_380, mttr_h: 8 },
            coordinator: Mtbf { mtbf_h: 4_380, mttr_h: 2 },
            region: Mtbf { mtbf_h: 43_800, mttr_h: 12 },
        }
    }
}

/// How long each take-over takes, seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Windows {
    /// A load balancer's health checks notice a dead node (interval × failures in a row).
    pub health_check_s: u32,
    /// DNS drops a dead address, and clients' cached answers expire (health check + TTL).
    pub dns_s: u32,
    /// The coordinator promotes a backup database.
    pub auto_promote_s: u32,
    /// Someone is paged and promotes a backup by hand.
    pub manual_promote_s: u32,
}

impl Default for Windows {
    /// Three checks 10 s apart; DNS health checks of 30 s and a TTL of 60 s; Patroni's default TTL of
    /// 30 s before a replica is promoted; 15 minutes for an operator.
    fn default() -> Self {
        Self { health_check_s: 30, dns_s: 90, auto_promote_s: 30, manual_promote_s: 900 }
    }
}

/// The architecture: how many of each part, in each region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    pub regions: u32,
    pub dns: bool,
    /// Load balancers per region (0: clients reach a node directly).
    pub lbs: u32,
    /// Nodes per region.
    pub nodes: u32,
    /// Databases per region: the first region's first is the primary, every other a backup kept in sync.
    pub dbs: u32,
    pub coordinator: bool,
    #[serde(default)]
    pub failures: PartFailures,
    #[serde(default)]
    pub windows: Windows,
}

impl Default for Topology {
    /// The notes' start: `Node -> Database`.
    fn default() -> Self {
        Self {
            regions: 1,
            dns: false,
            lbs: 0,
            nodes: 1,
            dbs: 1,
            coordinator: false,
            failures: PartFailures::default(),
            windows: Windows::default(),
        }
    }
}

/// A kind of part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Dns,
    Lb,
    Node,
    Db,
    Coordinator,
}

/// One part of the architecture as the page draws it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Part {
    /// Its name: `dns`, `lb-a1`, `node-b2`, `db-a1` (the primary), `coord-1`.
    pub name: String,
    pub kind: Kind,
    /// Its region's number (0 for a, 1 for b…); none for DNS.
    pub region: Option<u32>,
    /// What it does now: "primary", "backup", "idle: clients know one address", …
    pub role: String,
    pub availability: f64,
    pub killed: bool,
    /// Down: killed, or its region is.
    pub down: bool,
    /// True when it alone going down stops every request.
    pub spof: bool,
    /// True when requests can reach it (an idle spare is not).
    pub used: bool,
}

/// A region's letter.
pub fn region_letter(r: u32) -> char {
    char::from(b'a' + r.min(25) as u8)
}

/// A region's name: `region-a`.
pub fn region_name(r: u32) -> String {
    format!("region-{}", region_letter(r))
}

impl Topology {
    pub fn validate(&self) -> Result<(), String> {
        use crate::sim::check_range;
        check_range("the regions", u64::from(self.regions), 1, u64::from(limits::REGIONS_MAX))?;
        check_range("the load balancers per region", u64::from(self.lbs), 0, u64::from(limits::LBS_MAX))?;
        check_range("the nodes per region", u64::from(self.nodes), 1, u64::from(limits::NODES_MAX))?;
        check_range("the databases per region", u64::from(self.dbs), 1, u64::from(limits::DBS_MAX))?;
        let f = &self.failures;
        for (what, m) in [
            ("DNS", f.dns),
            ("a load balancer", f.lb),
            ("a node", f.node),
            ("a database", f.db),
            ("a coordinator", f.coordinator),
            ("a region", f.region),
        ] {
            check_range(
                &format!("the hours between failures of {what}"),
                u64::from(m.mtbf_h),
                1,
                u64::from(limits::HOURS_MAX),
            )?;
            check_range(&format!("the hours to repair {what}"), u64::from(m.mttr_h), 1, u64::from(limits::HOURS_MAX))?;
        }
        let w = &self.windows;
        for (what, s) in [
            ("the health checks' time to notice a dead node (s)", w.health_check_s),
            ("DNS's time to drop a dead address (s)", w.dns_s),
            ("the coordinator's time to promote a backup (s)", w.auto_promote_s),
            ("the time to promote a backup by hand (s)", w.manual_promote_s),
        ] {
            check_range(what, u64::from(s), 0, u64::from(limits::WINDOW_S_MAX))?;
        }
        Ok(())
    }

    /// The topology after `step`, or why it cannot be taken.
    pub fn with_step(&self, step: Step) -> Result<Topology, String> {
        fn grow(n: u32, target: u32, max: u32, what: &str) -> Result<u32, String> {
            let next = if n < target { target } else { n + 1 };
            if next > max { Err(format!("at most {max} {what}")) } else { Ok(next) }
        }
        let mut t = *self;
        match step {
            Step::BackupDb => t.dbs = grow(t.dbs, 2, limits::DBS_MAX, "databases per region")?,
            Step::MoreNodes => t.nodes = grow(t.nodes, 3, limits::NODES_MAX, "nodes per region")?,
            Step::LoadBalancer if t.lbs > 0 => return Err("there is a load balancer already".into()),
            Step::LoadBalancer => t.lbs = 1,
            Step::MoreLbs => t.lbs = grow(t.lbs, 2, limits::LBS_MAX, "load balancers per region")?,
            Step::Dns if t.dns => return Err("there is DNS already".into()),
            Step::Dns => t.dns = true,
            Step::Coordinator if t.coordinator => return Err("there is a coordinator already".into()),
            Step::Coordinator => t.coordinator = true,
            Step::SecondRegion => t.regions = grow(t.regions, 2, limits::REGIONS_MAX, "regions")?,
        }
        Ok(t)
    }

    /// The next of the notes' steps not taken yet, if any.
    pub fn next_step(&self) -> Option<Step> {
        Step::ALL.into_iter().find(|&s| match s {
            Step::BackupDb => self.dbs < 2,
            Step::MoreNodes => self.nodes < 3,
            Step::LoadBalancer => self.lbs == 0,
            Step::MoreLbs => self.lbs < 2,
            Step::Dns => !self.dns,
            Step::Coordinator => !self.coordinator,
            Step::SecondRegion => self.regions < 2,
        })
    }

    /// Every part, in the order of the leaves of `structure`.
    pub(super) fn leaves(&self) -> Vec<(String, Kind, Option<u32>)> {
        let mut v = Vec::new();
        if self.dns {
            v.push(("dns".to_string(), Kind::Dns, None));
        }
        for r in 0..self.regions {
            let l = region_letter(r);
            for i in 1..=self.lbs {
                v.push((format!("lb-{l}{i}"), Kind::Lb, Some(r)));
            }
            for i in 1..=self.nodes {
                v.push((format!("node-{l}{i}"), Kind::Node, Some(r)));
            }
        }
        for r in 0..self.regions {
            let l = region_letter(r);
            for i in 1..=self.dbs {
                v.push((format!("db-{l}{i}"), Kind::Db, Some(r)));
            }
        }
        if self.coordinator {
            for i in 0..COORDINATORS {
                v.push((format!("coord-{}", i + 1), Kind::Coordinator, self.coordinator_region(i)));
            }
        }
        v
    }

    /// Where coordinator `i` runs: one in each region, the third in a site of its own (a witness) when
    /// there are two regions, so that either region can fail and leave a quorum; all in the region when
    /// there is one.
    fn coordinator_region(&self, i: usize) -> Option<u32> {
        let i = i as u32;
        if i < self.regions {
            Some(i)
        } else if self.regions == 1 {
            Some(0)
        } else {
            None
        }
    }

    pub(super) fn mtbf(&self, kind: Kind) -> Mtbf {
        let f = &self.failures;
        match kind {
            Kind::Dns => f.dns,
            Kind::Lb => f.lb,
            Kind::Node => f.node,
            Kind::Db => f.db,
            Kind::Coordinator => f.coordinator,
        }
    }

    /// The structure: which parts must be up for a request to be served, every take-over instant.
    /// Leaves are numbered as `parts()` lists them; idle parts are leaves no path uses.
    pub fn structure(&self) -> Node {
        let leaves = self.leaves();
        let index = |name: &str| leaves.iter().position(|(n, ..)| n == name).expect("a part of this topology");
        let leaf = |name: String| {
            let i = index(&name);
            let a = self.mtbf(leaves[i].1).availability();
            Node::Leaf { name, availability: a, index: i }
        };
        let any = |mut parts: Vec<Node>| if parts.len() == 1 { parts.remove(0) } else { Node::Parallel(parts) };
        // A region's way in: every entry when DNS lists them, else the one address clients know.
        let region_path = |r: u32| {
            let l = region_letter(r);
            let entries = if self.dns { self.lbs.max(1) } else { 1 };
            if self.lbs > 0 {
                let lbs = any((1..=entries).map(|i| leaf(format!("lb-{l}{i}"))).collect());
                let nodes = any((1..=self.nodes).map(|i| leaf(format!("node-{l}{i}"))).collect());
                Node::Series(vec![lbs, nodes])
            } else {
                let n = if self.dns { self.nodes } else { 1 };
                any((1..=n).map(|i| leaf(format!("node-{l}{i}"))).collect())
            }
        };
        let mut series = Vec::new();
        if self.dns {
            series.push(leaf("dns".into()));
            series.push(any((0..self.regions).map(region_path).collect()));
        } else {
            series.push(region_path(0));
        }
        let dbs: Vec<Node> = (0..self.regions)
            .flat_map(|r| (1..=self.dbs).map(move |i| format!("db-{}{i}", region_letter(r))))
            .map(leaf)
            .collect();
        series.push(any(dbs));
        if self.coordinator {
            series.push(Node::KOfN {
                k: QUORUM,
                parts: (1..=COORDINATORS).map(|i| leaf(format!("coord-{i}"))).collect(),
            });
        }
        Node::Series(series)
    }

    /// Each part's failures, by leaf number, and each region's as a group of the parts in it.
    pub fn failures(&self) -> (Vec<Failures>, Vec<Group>) {
        let leaves = self.leaves();
        let parts = leaves.iter().map(|(_, k, _)| self.mtbf(*k).failures()).collect();
        let groups = (0..self.regions)
            .map(|r| Group {
                name: region_name(r),
                failures: self.failures.region.failures(),
                parts: leaves.iter().enumerate().filter(|(_, (_, _, g))| *g == Some(r)).map(|(i, _)| i).collect(),
            })
            .collect();
        (parts, groups)
    }

    /// The parts' up states with `killed` parts and regions down.
    pub(super) fn up_with(&self, killed: &[String]) -> Vec<bool> {
        self.leaves()
            .iter()
            .map(|(name, _, r)| !killed.contains(name) && !r.is_some_and(|r| killed.contains(&region_name(r))))
            .collect()
    }

    /// Whether requests are served with `killed` parts and regions down (once every take-over is done).
    pub fn serving(&self, killed: &[String]) -> bool {
        self.structure().is_up(&self.up_with(killed))
    }

    /// Every name a kill can take: the parts, then the regions.
    pub fn names(&self) -> Vec<String> {
        self.leaves().into_iter().map(|(n, ..)| n).chain((0..self.regions).map(region_name)).collect()
    }

    /// Which parts requests can reach (by leaf number): an idle spare is a leaf no path uses.
    pub(super) fn used(&self) -> Vec<bool> {
        let mut used = vec![false; self.leaves().len()];
        mark_used(&self.structure(), &mut used);
        used
    }

    /// Every part, with its state under `killed`.
    pub fn parts(&self, killed: &[String]) -> Vec<Part> {
        let structure = self.structure();
        let leaves = self.leaves();
        let used = self.used();
        let all_up = vec![true; leaves.len()];
        let primary = self.primary(killed);
        let up_now = self.up_with(killed);
        leaves
            .iter()
            .enumerate()
            .map(|(i, (name, kind, region))| {
                let mut without = all_up.clone();
                without[i] = false;
                let spof = used[i] && !structure.is_up(&without);
                let role = match kind {
                    _ if !used[i] => "idle: clients know one address".to_string(),
                    Kind::Dns => "answers with every entry's address".to_string(),
                    Kind::Lb => "spreads its region's requests over the nodes".to_string(),
                    Kind::Node if self.lbs == 0 && !self.dns => "serves every request".to_string(),
                    Kind::Node => "serves a share of the requests".to_string(),
                    Kind::Db if primary.as_deref() == Some(name) => "primary: every request needs it".to_string(),
                    Kind::Db => "backup, kept in sync".to_string(),
                    Kind::Coordinator if region.is_none() => {
                        format!("one of {COORDINATORS}, a witness in a third site: {QUORUM} must agree")
                    }
                    Kind::Coordinator => format!("one of {COORDINATORS}: {QUORUM} must agree"),
                };
                Part {
                    name: name.clone(),
                    kind: *kind,
                    region: *region,
                    role,
                    availability: self.mtbf(*kind).availability(),
                    killed: killed.contains(name),
                    down: !up_now[i],
                    spof,
                    used: used[i],
                }
            })
            .collect()
    }

    /// Whether a region alone going down stops every request.
    pub fn region_is_spof(&self, r: u32) -> bool {
        !self.serving(&[region_name(r)])
    }

    /// The database serving as primary with `killed` down: the first one up, in order (a backup takes
    /// over from a dead primary).
    pub fn primary(&self, killed: &[String]) -> Option<String> {
        let up = self.up_with(killed);
        self.leaves().into_iter().zip(up).find(|((_, k, _), up)| *k == Kind::Db && *up).map(|((n, ..), _)| n)
    }

    /// Availability if every take-over were instant, exact (regions failing as groups).
    pub fn availability(&self) -> f64 {
        let (a, g) = self.availabilities();
        exact(&self.structure(), &a, &g)
    }

    /// The same by the formula that ignores shared failures (each part with a region of its own).
    pub fn independent(&self) -> f64 {
        let (a, g) = self.availabilities();
        independent(&self.structure(), &a, &g)
    }

    /// Each part's availability by leaf number, and each region's with the parts in it.
    #[allow(clippy::type_complexity)]
    fn availabilities(&self) -> (Vec<f64>, Vec<(f64, Vec<usize>)>) {
        let (parts, groups) = self.failures();
        let a = parts.iter().map(Failures::availability).collect();
        let g = groups.into_iter().map(|g| (g.failures.availability(), g.parts)).collect();
        (a, g)
    }
}

/// Marks the leaves a path of `node` uses.
fn mark_used(node: &Node, used: &mut [bool]) {
    match node {
        Node::Leaf { index, .. } => used[*index] = true,
        Node::Series(p) | Node::Parallel(p) | Node::KOfN { parts: p, .. } => p.iter().for_each(|c| mark_used(c, used)),
    }
}

/// Availability as nines: 0.999 is 3.
pub fn nines(a: f64) -> f64 {
    if a >= 1.0 { f64::INFINITY } else { -(1.0 - a).log10() }
}

/// Minutes down a year at availability `a`.
pub fn downtime_min_per_year(a: f64) -> f64 {
    (1.0 - a) * MINUTES_PER_YEAR
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn node_to_database_is_two_single_points_of_failure_and_a_region() {
        let t = Topology::default();
        let parts = t.parts(&[]);
        assert_eq!(parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["node-a1", "db-a1"]);
        assert!(parts.iter().all(|p| p.spof && p.used));
        assert!(t.region_is_spof(0));
        let f = PartFailures::default();
        let by_hand = f.node.availability() * f.db.availability() * f.region.availability();
        assert!(close(t.availability(), by_hand), "{} against {by_hand}", t.availability());
        assert!(!t.serving(&["db-a1".into()]));
    }

    #[test]
    fn the_notes_steps_remove_the_single_points_of_failure_one_by_one() {
        let mut t = Topology::default();
        let spofs =
            |t: &Topology| -> Vec<String> { t.parts(&[]).into_iter().filter(|p| p.spof).map(|p| p.name).collect() };
        t = t.with_step(Step::BackupDb).unwrap();
        assert_eq!(spofs(&t), ["node-a1"]);
        t = t.with_step(Step::MoreNodes).unwrap();
        // Clients still know only node-a1's address: the others idle.
        assert_eq!(spofs(&t), ["node-a1"]);
        assert!(!t.parts(&[])[1].used);
        t = t.with_step(Step::LoadBalancer).unwrap();
        assert_eq!(spofs(&t), ["lb-a1"]);
        t = t.with_step(Step::MoreLbs).unwrap();
        assert_eq!(spofs(&t), ["lb-a1"], "a second load balancer nobody knows the address of");
        t = t.with_step(Step::Dns).unwrap();
        assert_eq!(spofs(&t), ["dns"]);
        t = t.with_step(Step::Coordinator).unwrap();
        assert_eq!(spofs(&t), ["dns"]);
        assert!(t.region_is_spof(0));
        t = t.with_step(Step::SecondRegion).unwrap();
        assert_eq!(spofs(&t), ["dns"]);
        assert!(!t.region_is_spof(0) && !t.region_is_spof(1));
        assert_eq!(t.next_step(), None);
        assert!(t.with_step(Step::Dns).is_err());
    }

    #[test]
    fn a_second_region_is_worth_what_conditioning_on_the_regions_says() {
        // Two regions of one node and one database each, DNS before them: by hand, conditioning on the
        // regions' states.
        let f = PartFailures::default();
        let t = Topology { regions: 2, dns: true, ..Topology::default() };
        let (n, d, r, dns) =
            (f.node.availability(), f.db.availability(), f.region.availability(), f.dns.availability());
        // Both regions up: (n | n) > (d | d); one up: n > d of that one; none: down.
        let par = |x: f64| 1.0 - (1.0 - x) * (1.0 - x);
        let both = par(n) * par(d);
        let one = n * d;
        let by_hand = dns * (r * r * both + 2.0 * r * (1.0 - r) * one);
        assert!(close(t.availability(), by_hand), "{} against {by_hand}", t.availability());
    }
}
