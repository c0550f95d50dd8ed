//! A CDN: edge caches per region in front of an origin in India (the notes: "The server is in India. For
//! Indians, it'll be faster than some other country like US, Austria"). Edges hold static files (images,
//! html, js, css, video segments), not application logic; some content is relevant to one region only
//! ("Some content might be relevant only for US that may not be relevant to Austria... Both US and
//! Austria can have their separate CDNs"), so each region has its own edge, and a file local to one
//! region is only ever requested there and never occupies another region's edge.
//!
//! **Latency.** A user in region X reaches the origin in `origin_rtt_ms` (X to India) and the edge of
//! their own region in `edge_rtt_ms`. Without a CDN a request costs the origin round trip; with one, an
//! edge hit costs the edge round trip, and a miss the edge round trip plus the edge's fetch from the
//! origin (X to India again; a miss costs more than going straight to the origin). With `bandwidth_mbps`
//! above 0 every response also takes its size over that bandwidth, the same with or without the CDN
//! (0, the default, leaves transfer time out: latencies are round trips only).
//!
//! **Round trips.** [`Region::origin_rtt_ms`]: Microsoft's published Azure inter-region round trips
//! ("Azure network round-trip latency statistics", learn.microsoft.com/azure/networking/azure-network-latency,
//! the table's Central India row, monthly P95 round trips in ms): Central India to East US 218, Austria
//! East 150, UK South 150, Japan East 129, Brazil South 320; within India, South India 24. A user to an
//! edge in their own region: 15 ms by default, a metro or in-country round trip (published in-country
//! measurements in India run 3 to 35 ms).
//!
//! **Content.** `files` global files and each region's `local_files`; a file's kind (and so its size) is
//! a fixed function of its id: half images, then js, video segments, html and css. Each region requests
//! the files it can see (the global ones and its own) with Zipf(s) popularity in its own order (a
//! region's favourites are not another's), s about 0.8 by default as measured for web requests (Breslau
//! et al., "Web Caching and Zipf-like Distributions", INFOCOM 1999: 0.64 to 0.83). Requests arrive as
//! one Poisson stream of the regions' rates added up.
//!
//! **Edges.** One per region: `capacity` files (objects, not bytes: the eviction policies count keys),
//! an eviction policy, a TTL after which a copy is fetched again; a purge (one file or all, one region or
//! every one) is an event at a moment. An LRU edge with no expiry or purge is checked against Che's
//! approximation over the region's popularity.
//!
//! **Rate limiting.** [`limiter`]: a token bucket at the edge under one client's burst.
//!
//! One step is one request: at most 5/4 of the expected `rate × duration` (which
//! [`limits::REQUESTS_MAX`] bounds; a Poisson count exceeds its mean by a quarter with negligible
//! probability at that size, and the run stops there regardless).

pub mod limiter;

pub use limiter::{LimiterConfig, LimiterPoint, LimiterReport, run_limiter};

use super::che;
use super::stats::{Summary, Tally, exp_us};
use super::store::Store;
use super::{PolicyKind, check_capacity};
use crate::sim::check_range;
use crate::sim::hash::splitmix64;
use crate::sim::kernel::SimRng;
use crate::sim::zipf::Zipf;
use serde::{Deserialize, Serialize};

/// Limits on a CDN run.
pub mod limits {
    /// Most regions.
    pub const REGIONS_MAX: usize = 6;
    /// Most files, global and local together.
    pub const FILES_MAX: u64 = 200_000;
    /// Fastest request rate of one region, a second.
    pub const RATE_MAX: u32 = 100_000;
    /// Most requests a run expects (rates × duration): about a second natively.
    pub const REQUESTS_MAX: u64 = 2_000_000;
    /// Longest run, s (a day).
    pub const DURATION_S_MAX: u32 = 86_400;
    /// Longest round trip, ms.
    pub const RTT_MS_MAX: u32 = 10_000;
    /// Largest edge, files.
    pub const CAPACITY_MAX: u32 = 200_000;
    /// Longest TTL, s (a year).
    pub const TTL_S_MAX: u32 = 31_536_000;
    /// Most purges.
    pub const PURGES_MAX: usize = 100;
    /// Largest file, KB.
    pub const SIZE_KB_MAX: u32 = 1_000_000;
    /// Fastest bandwidth, Mbit/s.
    pub const BANDWIDTH_MBPS_MAX: u32 = 100_000;
    /// Largest Zipf exponent, thousandths.
    pub const S_MILLI_MAX: u32 = 5_000;
    /// Time bins of the hit-ratio series.
    pub const SERIES_BINS: u64 = 60;
}

/// Where users are. The origin is in India.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    India,
    UsEast,
    Austria,
    Brazil,
    Japan,
    Uk,
}

impl Region {
    pub const ALL: [Region; 6] =
        [Region::India, Region::UsEast, Region::Austria, Region::Brazil, Region::Japan, Region::Uk];

    /// The stable name links use.
    pub const fn name(self) -> &'static str {
        match self {
            Region::India => "india",
            Region::UsEast => "us-east",
            Region::Austria => "austria",
            Region::Brazil => "brazil",
            Region::Japan => "japan",
            Region::Uk => "uk",
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            Region::India => "India",
            Region::UsEast => "US East",
            Region::Austria => "Austria",
            Region::Brazil => "Brazil",
            Region::Japan => "Japan",
            Region::Uk => "UK",
        }
    }

    /// The round trip to the origin in India, ms: Azure's published P95 round trips from Central India
    /// (see the module's header); India itself is South India's.
    pub const fn origin_rtt_ms(self) -> u32 {
        match self {
            Region::India => 24,
            Region::UsEast => 218,
            Region::Austria => 150,
            Region::Brazil => 320,
            Region::Japan => 129,
            Region::Uk => 150,
        }
    }

    fn salt(self) -> u64 {
        0x5245_4749_4f4e_0000 + self as u64
    }
}

/// One region's users and edge round trip.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionConfig {
    pub region: Region,
    /// Requests a second from the region's users.
    pub rate_per_s: u32,
    /// Round trip from the region's users to the origin, ms.
    pub origin_rtt_ms: u32,
    /// Round trip from the region's users to their edge, ms.
    pub edge_rtt_ms: u32,
    /// Files only this region requests.
    pub local_files: u32,
}

impl RegionConfig {
    /// `region` with its published round trip to India and a 15 ms edge.
    pub fn new(region: Region, rate_per_s: u32, local_files: u32) -> Self {
        Self { region, rate_per_s, origin_rtt_ms: region.origin_rtt_ms(), edge_rtt_ms: 15, local_files }
    }
}

/// The kinds of static file, each with its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Image,
    Js,
    Video,
    Html,
    Css,
}

impl FileKind {
    pub const ALL: [FileKind; 5] = [FileKind::Image, FileKind::Js, FileKind::Video, FileKind::Html, FileKind::Css];

    /// `id`'s kind: `splitmix64(id) mod 100` below 50 an image, then 15 js, 15 video segments, 10 html,
    /// 10 css.
    pub fn of(id: u64) -> FileKind {
        match splitmix64(id ^ 0x4b49_4e44) % 100 {
            0..50 => FileKind::Image,
            50..65 => FileKind::Js,
            65..80 => FileKind::Video,
            80..90 => FileKind::Html,
            _ => FileKind::Css,
        }
    }
}

/// Each kind's size, KB.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSizes {
    pub image_kb: u32,
    pub js_kb: u32,
    pub video_kb: u32,
    pub html_kb: u32,
    pub css_kb: u32,
}

impl Default for FileSizes {
    /// Illustrative sizes: a 100 KB image, 50 KB of js, a 2 MB video segment (4 s at 4 Mbit/s), 30 KB
    /// of html, 20 KB of css.
    fn default() -> Self {
        Self { image_kb: 100, js_kb: 50, video_kb: 2_000, html_kb: 30, css_kb: 20 }
    }
}

impl FileSizes {
    /// `kind`'s size in bytes (KB of 1,000 bytes).
    pub fn bytes(&self, kind: FileKind) -> u64 {
        1_000
            * u64::from(match kind {
                FileKind::Image => self.image_kb,
                FileKind::Js => self.js_kb,
                FileKind::Video => self.video_kb,
                FileKind::Html => self.html_kb,
                FileKind::Css => self.css_kb,
            })
    }
}

/// The edges' settings, the same in every region.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeConfig {
    /// Files per edge.
    pub capacity: u32,
    pub policy: PolicyKind,
    /// A copy's lifetime, s (0: it never expires).
    pub ttl_s: u32,
}

/// What a purge drops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum PurgeTarget {
    /// One file, by id.
    File { id: u64 },
    /// Everything.
    All,
}

/// A purge at a moment, of one region's edge or every edge.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purge {
    pub at_ms: u32,
    pub target: PurgeTarget,
    /// `None`: every region.
    pub region: Option<Region>,
}

/// A CDN run's setting (the seed is the scenario's).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CdnConfig {
    pub regions: Vec<RegionConfig>,
    /// Files every region requests.
    pub files: u32,
    /// Zipf exponent of file popularity, thousandths.
    pub s_milli: u32,
    pub sizes: FileSizes,
    pub edge: EdgeConfig,
    /// 0: transfer time not modelled.
    pub bandwidth_mbps: u32,
    pub duration_s: u32,
    pub purges: Vec<Purge>,
    pub limiter: LimiterConfig,
}

impl Default for CdnConfig {
    /// [`cdn_india_us_austria`].
    fn default() -> Self {
        cdn_india_us_austria()
    }
}

/// The preset names, in the order a page lists them.
pub const PRESETS: [&str; 2] = ["cdn-india-us-austria", "cdn-six-regions"];

/// A preset by name.
pub fn preset(name: &str) -> Option<CdnConfig> {
    match name {
        "cdn-india-us-austria" => Some(cdn_india_us_austria()),
        "cdn-six-regions" => Some(cdn_six_regions()),
        _ => None,
    }
}

/// The notes' origin in India with users in India, the US and Austria: 300, 200 and 60 requests a
/// second for two minutes over 2,000 global files and 100 local to each region (Zipf 0.8); edges of 600
/// files, LRU, a TTL of an hour.
pub fn cdn_india_us_austria() -> CdnConfig {
    CdnConfig {
        regions: vec![
            RegionConfig::new(Region::India, 300, 100),
            RegionConfig::new(Region::UsEast, 200, 100),
            RegionConfig::new(Region::Austria, 60, 100),
        ],
        files: 2_000,
        s_milli: 800,
        sizes: FileSizes::default(),
        edge: EdgeConfig { capacity: 600, policy: PolicyKind::Lru, ttl_s: 3_600 },
        bandwidth_mbps: 0,
        duration_s: 120,
        purges: Vec::new(),
        limiter: LimiterConfig::default(),
    }
}

/// The same with Brazil, Japan and the UK too.
pub fn cdn_six_regions() -> CdnConfig {
    let mut c = cdn_india_us_austria();
    c.regions.extend([
        RegionConfig::new(Region::Brazil, 80, 100),
        RegionConfig::new(Region::Japan, 100, 100),
        RegionConfig::new(Region::Uk, 120, 100),
    ]);
    c
}

impl CdnConfig {
    /// Every file: the global ones, then each region's local ones in turn.
    pub fn total_files(&self) -> u64 {
        u64::from(self.files) + self.regions.iter().map(|r| u64::from(r.local_files)).sum::<u64>()
    }

    /// The ids of region `i`'s (index in `regions`) local files.
    pub fn local_ids(&self, i: usize) -> std::ops::Range<u64> {
        let start = u64::from(self.files) + self.regions[..i].iter().map(|r| u64::from(r.local_files)).sum::<u64>();
        start..start + u64::from(self.regions[i].local_files)
    }

    /// The region whose local file `id` is, or `None` for a global file.
    pub fn owner_of(&self, id: u64) -> Option<Region> {
        (0..self.regions.len()).find(|&i| self.local_ids(i).contains(&id)).map(|i| self.regions[i].region)
    }

    /// The files region `i` requests, most popular first.
    pub fn visible(&self, i: usize) -> Vec<u64> {
        let salt = self.regions[i].region.salt();
        let mut ids: Vec<u64> = (0..u64::from(self.files)).chain(self.local_ids(i)).collect();
        ids.sort_by_key(|&id| (splitmix64(id ^ salt), id));
        ids
    }

    /// A file's size in bytes.
    pub fn size(&self, id: u64) -> u64 {
        self.sizes.bytes(FileKind::of(id))
    }

    /// Time to send `bytes`, µs (0 when transfer time is not modelled).
    pub fn transfer_us(&self, bytes: u64) -> u64 {
        if self.bandwidth_mbps == 0 { 0 } else { bytes * 8 / u64::from(self.bandwidth_mbps) }
    }

    /// Requests the run expects: the rates added up times the duration.
    pub fn expected_requests(&self) -> u64 {
        self.regions.iter().map(|r| u64::from(r.rate_per_s)).sum::<u64>() * u64::from(self.duration_s)
    }

    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        if self.regions.is_empty() || self.regions.len() > limits::REGIONS_MAX {
            return Err(format!(
                "a CDN needs between 1 and {} regions (got {})",
                limits::REGIONS_MAX,
                self.regions.len()
            ));
        }
        for (i, r) in self.regions.iter().enumerate() {
            if self.regions[..i].iter().any(|x| x.region == r.region) {
                return Err(format!("{} is listed twice: each region has one edge", r.region.title()));
            }
            let what = |s: &str| format!("{}'s {s}", r.region.title());
            check_range(&what("request rate (a second)"), u64::from(r.rate_per_s), 0, u64::from(limits::RATE_MAX))?;
            check_range(
                &what("round trip to the origin (ms)"),
                u64::from(r.origin_rtt_ms),
                0,
                u64::from(limits::RTT_MS_MAX),
            )?;
            check_range(
                &what("round trip to its edge (ms)"),
                u64::from(r.edge_rtt_ms),
                0,
                u64::from(limits::RTT_MS_MAX),
            )?;
        }
        if self.total_files() == 0 || self.total_files() > limits::FILES_MAX {
            return Err(format!(
                "the CDN serves {} files, global and local: between 1 and {} are allowed",
                self.total_files(),
                limits::FILES_MAX
            ));
        }
        if let Some(r) = self.regions.iter().find(|r| self.files == 0 && r.local_files == 0 && r.rate_per_s > 0) {
            return Err(format!("{} requests files but sees none: add global or local files", r.region.title()));
        }
        check_range("the Zipf exponent (thousandths)", u64::from(self.s_milli), 0, u64::from(limits::S_MILLI_MAX))?;
        let s = &self.sizes;
        for (what, v) in [
            ("an image's size (KB)", s.image_kb),
            ("a js file's size (KB)", s.js_kb),
            ("a video segment's size (KB)", s.video_kb),
            ("an html page's size (KB)", s.html_kb),
            ("a css file's size (KB)", s.css_kb),
        ] {
            check_range(what, u64::from(v), 0, u64::from(limits::SIZE_KB_MAX))?;
        }
        check_range("an edge's capacity (files)", u64::from(self.edge.capacity), 0, u64::from(limits::CAPACITY_MAX))?;
        check_capacity(self.edge.capacity as usize)?;
        check_range("the edge's TTL (s)", u64::from(self.edge.ttl_s), 0, u64::from(limits::TTL_S_MAX))?;
        check_range(
            "the bandwidth (Mbit/s)",
            u64::from(self.bandwidth_mbps),
            0,
            u64::from(limits::BANDWIDTH_MBPS_MAX),
        )?;
        check_range("the run's length (s)", u64::from(self.duration_s), 1, u64::from(limits::DURATION_S_MAX))?;
        if self.expected_requests() > limits::REQUESTS_MAX {
            return Err(format!(
                "the run would take about {} requests, more than {}: lower the rates or the run's length",
                self.expected_requests(),
                limits::REQUESTS_MAX
            ));
        }
        if self.purges.len() > limits::PURGES_MAX {
            return Err(format!("at most {} purges (got {})", limits::PURGES_MAX, self.purges.len()));
        }
        for p in &self.purges {
            if let PurgeTarget::File { id } = p.target
                && id >= self.total_files()
            {
                return Err(format!(
                    "a purge names file {id}, but the files are numbered 0 to {}",
                    self.total_files() - 1
                ));
            }
            if let Some(r) = p.region
                && !self.regions.iter().any(|x| x.region == r)
            {
                return Err(format!("a purge names {}, which has no edge here", r.title()));
            }
        }
        self.limiter.validate().map_err(|e| format!("the rate limiter: {e}"))
    }
}

/// One region's requests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionReport {
    pub region: Region,
    pub requests: u64,
    pub edge_hits: u64,
    pub hit_ratio: f64,
    /// Requests the edge fetched from the origin (its misses).
    pub origin_requests: u64,
    /// Bytes the origin sent this region's edge.
    pub origin_bytes: u64,
    /// Bytes the region's users received.
    pub bytes: u64,
    /// Latency with the CDN, µs.
    pub with_cdn: Summary,
    /// The same requests straight to the origin, µs.
    pub without_cdn: Summary,
    /// Che's approximation of the edge's hit ratio over the region's popularity: an LRU edge with no
    /// expiry within the run and no purge only.
    pub che_hit_ratio: Option<f64>,
    /// Distinct files of another region ever held by this edge (always 0: local content stays local).
    pub foreign_files: u64,
}

/// Requests and edge hits per region in one time bin.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CdnPoint {
    pub t_ms: u64,
    /// In the order of the configuration's regions.
    pub requests: Vec<u64>,
    pub hits: Vec<u64>,
}

/// A CDN run summed up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CdnReport {
    pub regions: Vec<RegionReport>,
    pub requests: u64,
    pub origin_requests: u64,
    /// Requests the edges answered: `1 − origin_requests / requests`.
    pub offload: f64,
    pub bytes: u64,
    pub origin_bytes: u64,
    /// `1 − origin_bytes / bytes`.
    pub byte_offload: f64,
    /// Purges applied so far.
    pub purges: u64,
    /// [`limits::SERIES_BINS`] bins over the run.
    pub series: Vec<CdnPoint>,
    pub limiter: LimiterReport,
}

#[derive(Clone, Copy, Debug)]
struct Cached {
    fetched: u64,
}

struct Edge {
    store: Store<Cached>,
    visible: Vec<u64>,
    zipf: Zipf,
    requests: u64,
    hits: u64,
    origin_bytes: u64,
    bytes: u64,
    with: Tally,
    without: Tally,
    foreign: std::collections::BTreeSet<u64>,
}

/// A CDN run, computed in slices: one step is one request.
pub struct CdnRun {
    c: CdnConfig,
    rng: SimRng,
    edges: Vec<Edge>,
    purges: Vec<Purge>,
    purged: usize,
    next_at: u64,
    mean_gap_us: f64,
    total_rate: u64,
    end_us: u64,
    bin_us: u64,
    series: Vec<CdnPoint>,
    steps: u64,
    over: bool,
    che: Vec<Option<f64>>,
    limiter: LimiterReport,
}

impl CdnRun {
    /// A run of `config` (checked) from `seed`.
    pub fn new(config: CdnConfig, seed: u64) -> Result<Self, String> {
        config.validate()?;
        let mut rng = SimRng::new(seed);
        let s = f64::from(config.s_milli) / 1000.0;
        let edges = (0..config.regions.len())
            .map(|i| {
                let visible = config.visible(i);
                Edge {
                    store: Store::new(
                        config.edge.policy,
                        config.edge.capacity as usize,
                        seed ^ config.regions[i].region.salt(),
                    ),
                    zipf: Zipf::new(visible.len().max(1) as u64, s),
                    visible,
                    requests: 0,
                    hits: 0,
                    origin_bytes: 0,
                    bytes: 0,
                    with: Tally::default(),
                    without: Tally::default(),
                    foreign: Default::default(),
                }
            })
            .collect();
        let total_rate: u64 = config.regions.iter().map(|r| u64::from(r.rate_per_s)).sum();
        let mean_gap_us = if total_rate == 0 { f64::INFINITY } else { 1e6 / total_rate as f64 };
        let end_us = u64::from(config.duration_s) * 1_000_000;
        let next_at = if total_rate == 0 { u64::MAX } else { exp_us(&mut rng, mean_gap_us) };
        let mut purges = config.purges.clone();
        purges.sort_by_key(|p| p.at_ms);
        let n = config.regions.len();
        let bin_us = end_us.div_ceil(limits::SERIES_BINS);
        let series = (0..limits::SERIES_BINS)
            .map(|b| CdnPoint { t_ms: b * bin_us / 1_000, requests: vec![0; n], hits: vec![0; n] })
            .collect();
        let limiter = run_limiter(&config.limiter);
        Ok(Self {
            rng,
            edges,
            purges,
            purged: 0,
            next_at,
            mean_gap_us,
            total_rate,
            end_us,
            bin_us,
            series,
            steps: 0,
            over: false,
            che: Vec::new(),
            limiter,
            c: config,
        })
    }

    fn apply_purges(&mut self, t: u64) {
        while self.purged < self.purges.len() && u64::from(self.purges[self.purged].at_ms) * 1_000 <= t {
            let p = self.purges[self.purged].clone();
            for (i, edge) in self.edges.iter_mut().enumerate() {
                if p.region.is_some_and(|r| r != self.c.regions[i].region) {
                    continue;
                }
                match p.target {
                    PurgeTarget::All => edge.store.clear(),
                    PurgeTarget::File { id } => {
                        edge.store.invalidate(id);
                    }
                }
            }
            self.purged += 1;
        }
    }

    fn request(&mut self, t: u64) {
        let pick = self.rng.below(self.total_rate);
        let mut acc = 0;
        let i = self
            .c
            .regions
            .iter()
            .position(|r| {
                acc += u64::from(r.rate_per_s);
                pick < acc
            })
            .expect("the pick is below the total rate");
        let r = &self.c.regions[i];
        let (edge_rtt, origin_rtt) = (u64::from(r.edge_rtt_ms) * 1_000, u64::from(r.origin_rtt_ms) * 1_000);
        let ttl = u64::from(self.c.edge.ttl_s) * 1_000_000;
        let edge = &mut self.edges[i];
        let file = edge.visible[(edge.zipf.sample(&mut self.rng) - 1) as usize];
        let size = self.c.size(file);
        let transfer = self.c.transfer_us(size);
        if ttl > 0
            && let Some(copy) = edge.store.peek(file)
            && t - copy.fetched >= ttl
        {
            edge.store.invalidate(file);
        }
        let hit = edge.store.get(file).is_some();
        edge.requests += 1;
        edge.bytes += size;
        edge.without.add(origin_rtt + transfer);
        if hit {
            edge.hits += 1;
            edge.with.add(edge_rtt + transfer);
        } else {
            edge.origin_bytes += size;
            edge.with.add(edge_rtt + origin_rtt + transfer);
            edge.store.fill(file, Cached { fetched: t });
            if self.c.owner_of(file).is_some_and(|o| o != r.region) && edge.store.peek(file).is_some() {
                edge.foreign.insert(file);
            }
        }
        let bin = ((t / self.bin_us) as usize).min(self.series.len() - 1);
        self.series[bin].requests[i] += 1;
        if hit {
            self.series[bin].hits[i] += 1;
        }
    }

    /// Runs at most `max_steps` more requests (at least one); true when the run is over.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        let cap = limits::REQUESTS_MAX + limits::REQUESTS_MAX / 4;
        for _ in 0..max_steps.max(1) {
            if self.over {
                return true;
            }
            let t = self.next_at;
            if t > self.end_us || self.steps >= cap {
                self.apply_purges(self.end_us);
                self.finish();
                return true;
            }
            self.apply_purges(t);
            self.request(t);
            self.steps += 1;
            self.next_at = t + exp_us(&mut self.rng, self.mean_gap_us);
        }
        false
    }

    /// Che's approximation per region, when it applies.
    fn finish(&mut self) {
        self.over = true;
        let applies = self.c.edge.policy == PolicyKind::Lru
            && self.c.purges.is_empty()
            && (self.c.edge.ttl_s == 0 || self.c.edge.ttl_s >= self.c.duration_s);
        let s = f64::from(self.c.s_milli) / 1000.0;
        self.che = self
            .edges
            .iter()
            .map(|e| {
                applies.then(|| {
                    che::hit_ratio(&che::zipf_popularity(e.visible.len() as u64, s), self.c.edge.capacity as usize)
                })
            })
            .collect();
    }

    pub fn is_over(&self) -> bool {
        self.over
    }

    /// Requests so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The files region `region`'s edge holds now, for a page to draw (empty for a region not configured).
    pub fn edge_contents(&self, region: Region) -> Vec<u64> {
        self.c
            .regions
            .iter()
            .position(|r| r.region == region)
            .map(|i| {
                let mut v: Vec<u64> = self.edges[i].store.entries().map(|(k, _)| k).collect();
                v.sort_unstable();
                v
            })
            .unwrap_or_default()
    }

    /// The run so far.
    pub fn report(&self) -> CdnReport {
        let regions: Vec<RegionReport> = self
            .edges
            .iter()
            .enumerate()
            .map(|(i, e)| RegionReport {
                region: self.c.regions[i].region,
                requests: e.requests,
                edge_hits: e.hits,
                hit_ratio: e.hits as f64 / e.requests.max(1) as f64,
                origin_requests: e.requests - e.hits,
                origin_bytes: e.origin_bytes,
                bytes: e.bytes,
                with_cdn: e.with.summary(),
                without_cdn: e.without.summary(),
                che_hit_ratio: self.che.get(i).copied().flatten(),
                foreign_files: e.foreign.len() as u64,
            })
            .collect();
        let requests: u64 = regions.iter().map(|r| r.requests).sum();
        let origin_requests: u64 = regions.iter().map(|r| r.origin_requests).sum();
        let bytes: u64 = regions.iter().map(|r| r.bytes).sum();
        let origin_bytes: u64 = regions.iter().map(|r| r.origin_bytes).sum();
        CdnReport {
            regions,
            requests,
            origin_requests,
            offload: 1.0 - origin_requests as f64 / requests.max(1) as f64,
            bytes,
            origin_bytes,
            byte_offload: 1.0 - origin_bytes as f64 / bytes.max(1) as f64,
            purges: self.purged as u64,
            series: self.series.clone(),
            limiter: self.limiter.clone(),
        }
    }

    /// The whole run at once.
    pub fn run(config: CdnConfig, seed: u64) -> Result<CdnReport, String> {
        let mut run = Self::new(config, seed)?;
        while !run.advance(u64::MAX) {}
        Ok(run.report())
    }
}

impl crate::sim::SlicedRun for CdnRun {
    type Report = CdnReport;
    fn advance(&mut self, max_steps: u64) -> bool {
        CdnRun::advance(self, max_steps)
    }
    fn steps(&self) -> u64 {
        CdnRun::steps(self)
    }
    fn report(&self) -> CdnReport {
        CdnRun::report(self)
    }
}
