//! The command line over the same core as the page: run a scenario or a preset and print its metrics as
//! JSON, turn scenario files into share links and back; place keys under each placement algorithm,
//! print a Maglev table, measure how many keys move when servers change, measure quorum staleness, and
//! replay a trace through a cache under an eviction policy.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand};
    use std::process::ExitCode;
    use sysplay::scenario::{Scenario, decode_link, link_moment, preset, presets, scenario_from_file, share_fragment};
    use sysplay::sim::cache::{self, PolicyKind, Workload};
    use sysplay::sim::hash::hash_u64;
    use sysplay::sim::hashing::algos::{self, Algo, AlgoParams, Backend, Jump, Maglev, Placer, analysis};
    use sysplay::sim::queue::{MmcConfig, check_all, run_mmc, shop_preset, shop_presets};
    use sysplay::sim::sharding::quorum;
    use sysplay::sim::sharding::{
        self, CitySkew, Cluster, DataConfig, Dataset, LatencyModel, OrdersBy, ShardKey, ShardingConfig,
    };

    /// Default page address put in front of generated links.
    const DEFAULT_BASE: &str = "http://127.0.0.1:8080/";

    #[derive(Parser)]
    #[command(name = "sysplay", version, about = "Sysplay's simulations on the command line")]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Replays a scenario (a JSON file or a share link) or a preset and prints its metrics as JSON.
        Run {
            /// A scenario JSON file, or a share link (…#s=1.…).
            source: Option<String>,
            /// Run a named preset instead (see `sysplay presets`).
            #[arg(long, conflicts_with = "source")]
            preset: Option<String>,
            /// Also print the run's digest (the same natively and in the browser).
            #[arg(long)]
            digest: bool,
            /// Print the metrics as of this virtual moment, in seconds (a link's `t=` is read the same
            /// way); the whole run without it.
            #[arg(long, allow_negative_numbers = true)]
            until: Option<f64>,
        },
        /// Turns a scenario file into a share link (refused, with its size, when over the links' caps), or
        /// a link back into scenario JSON with --decode.
        Link {
            /// A scenario JSON file (or, with --decode, a share link).
            input: Option<String>,
            /// Make the link of a named preset instead.
            #[arg(long, conflicts_with_all = ["input", "decode"])]
            preset: Option<String>,
            /// Decode a share link into scenario JSON.
            #[arg(long)]
            decode: bool,
            /// Page address to put in front of the fragment.
            #[arg(long, default_value = DEFAULT_BASE)]
            base: String,
        },
        /// Lists the named presets.
        Presets,
        /// Prints the server of each key, one per line (its index, or its name when --names is given).
        Place {
            /// modulo, ring, ketama, rendezvous, jump, maglev or bounded.
            #[arg(long)]
            algo: String,
            #[command(flatten)]
            servers: ServerArgs,
            /// Treat each KEY as a string hashed as the algorithm's reference does (ketama: MD5 as
            /// libmemcached; the others: xxh3-64). Otherwise KEY is a u64: jump takes it as is, the others
            /// hash it with the lab's hash (splitmix64).
            #[arg(long)]
            string_keys: bool,
            /// The keys.
            #[arg(required = true)]
            keys: Vec<String>,
        },
        /// Prints a Maglev lookup table, one backend index per line.
        Table {
            /// Only maglev has a table.
            #[arg(long, default_value = "maglev")]
            algo: String,
            #[command(flatten)]
            servers: ServerArgs,
        },
        /// Prints, as JSON, what moves when servers S0..S{from-1} become S0..S{to-1}.
        Movement {
            /// modulo, ring, ketama, rendezvous, jump, maglev or bounded.
            #[arg(long)]
            algo: String,
            /// Servers before.
            #[arg(long)]
            from: usize,
            /// Servers after.
            #[arg(long)]
            to: usize,
            /// Number of keys (request ids drawn from the seed, hashed).
            #[arg(long, default_value_t = 100_000)]
            keys: usize,
            /// Ring and bounded: points per server.
            #[arg(long, default_value_t = 100)]
            vnodes: u32,
            /// Seed of the request ids.
            #[arg(long, default_value_t = 1)]
            seed: u64,
        },
        /// Simulates a load balancer in front of identical FIFO servers (Poisson arrivals, exponential
        /// service, rates per second) and prints, as JSON, the time in system measured (mean_sojourn_s,
        /// p50_sojourn_s, p99_sojourn_s), max_queue (the most requests one server held at once) and what
        /// theory predicts for the policy.
        Lb {
            /// random, round-robin, least-connections, p2c (pdc: d choices), jsq, least-response-time,
            /// weighted-round-robin, weighted-least-connections, source-hash, consistent-hash.
            #[arg(long)]
            policy: String,
            /// Number of servers N.
            #[arg(long)]
            servers: u32,
            /// Arrival rate lambda, requests per second.
            #[arg(long, allow_negative_numbers = true)]
            arrival_rate: f64,
            /// Service rate mu of one server, requests per second.
            #[arg(long, allow_negative_numbers = true)]
            service_rate: f64,
            /// Number of requests (the first 10% are warm-up).
            #[arg(long)]
            requests: u64,
            /// Seed of the run.
            #[arg(long, default_value_t = 1)]
            seed: u64,
        },
        /// Simulates a plain M/M/c queue (FIFO, no failures) and prints measured and Erlang C figures as JSON.
        Queue {
            /// Number of servers c.
            #[arg(long)]
            servers: u32,
            /// Arrival rate lambda, orders per second.
            #[arg(long, allow_negative_numbers = true)]
            arrival_rate: f64,
            /// Service rate mu of one server, orders per second.
            #[arg(long, allow_negative_numbers = true)]
            service_rate: f64,
            /// Number of orders to simulate (the first 10% are warm-up).
            #[arg(long)]
            orders: u64,
            /// Seed of the run.
            #[arg(long, default_value_t = 1)]
            seed: u64,
        },
        /// Answers, one JSON object a line, what redis-cell's `CL.THROTTLE key max_burst count period
        /// [quantity]` would for each request read from standard input: lines `TIME_MS QUANTITY` in time
        /// order. Each answer: `limited`, `limit`, `remaining`, `retry_after_s` (-1 when allowed) and
        /// `reset_after_s`, in (possibly fractional) seconds.
        Throttle {
            /// Requests that may come at once beyond the first.
            #[arg(long)]
            max_burst: u64,
            /// Requests allowed per period.
            #[arg(long)]
            count: u64,
            /// The period, seconds.
            #[arg(long, allow_negative_numbers = true)]
            period: f64,
        },
        /// The availability of a structure of parts, by algebra and by Monte Carlo, as JSON (`analytic`,
        /// `monte_carlo`, `monte_carlo_stderr`, `downtime_min_per_year`, `nines`). A part is `name:A` (A as
        /// 0.999 or 99.9%); `X > Y` in series; `X | Y` in parallel; `k/n(X, Y, ...)` k of n up; parentheses
        /// group; `|` and `k/n` bind tighter than `>`. For example
        /// "dns:0.9999 > (lb:0.999 | lb:0.999) > 2/3(node:0.99, node:0.99, node:0.99) > (db:0.999 | db:0.999)".
        Availability {
            /// The expression.
            expr: String,
            /// Monte Carlo trials.
            #[arg(long, default_value_t = sysplay::sim::resilience::availability::limits::TRIALS_DEFAULT)]
            trials: u64,
            /// Seed of the trials.
            #[arg(long, default_value_t = 1)]
            seed: u64,
        },
        /// Measures quorum staleness (probabilistically bounded staleness): a write acknowledged by a
        /// random W of N replicas, a read of a random R right after; prints the stale fraction measured
        /// and C(N-W, R) / C(N, R), with how the window closes as the write propagates, as JSON.
        Quorum {
            /// Replicas N.
            #[arg(long)]
            n: u32,
            /// Write quorum W: replicas that acknowledge the write.
            #[arg(long)]
            w: u32,
            /// Read quorum R: replicas a read asks.
            #[arg(long)]
            r: u32,
            /// Number of trials.
            #[arg(long)]
            trials: u64,
            /// Seed of the trials.
            #[arg(long, default_value_t = 1)]
            seed: u64,
            /// Mean delay after which each other replica receives the write (exponential), ms.
            #[arg(long, default_value_t = 10.0, allow_negative_numbers = true)]
            mean_delay_ms: f64,
        },
        /// Routes a query of the sharding lab's SQL subset over sharded users and orders and prints, as JSON,
        /// the answer (`rows`: rows returned, or the count for count(*)), the shards touched, the rows scanned,
        /// the plan and its simulated latency. The answer never depends on the shards or the shard key.
        Query {
            #[command(flatten)]
            data: DataArgs,
            /// Number of shards.
            #[arg(long, default_value_t = 4)]
            shards: u32,
            /// id-range, id-hash, ring or location.
            #[arg(long, default_value = "id-hash")]
            shard_key: String,
            /// Orders live with their user (user-id: joins are local) or by their own id (order-id).
            #[arg(long, default_value = "user-id")]
            orders_by: String,
            /// A per-shard index: only `age` is supported.
            #[arg(long)]
            index: Option<String>,
            /// Rows of the answer to print (the count stays exact).
            #[arg(long, default_value_t = 20)]
            show: usize,
            /// The query, e.g. "SELECT * FROM users WHERE location = 'London' AND age >= 50".
            query: String,
        },
        /// Prints, as JSON, the users that change shard when shard-0..shard-{from-1} become
        /// shard-0..shard-{to-1}: the moved fraction against the least possible, per-shard counts before
        /// and after.
        Reshard {
            #[command(flatten)]
            data: DataArgs,
            /// Shards before.
            #[arg(long)]
            from: u32,
            /// Shards after.
            #[arg(long)]
            to: u32,
            /// id-range, id-hash, ring or location.
            #[arg(long, default_value = "id-hash")]
            shard_key: String,
        },
        /// Replays a trace, or a generated Zipf workload, through a cache under an eviction policy and prints,
        /// as JSON, the policy, the cache size, the requests, the hits and the hit ratio.
        Cache {
            /// lru, lfu, fifo, random, clock, arc, w-tinylfu, s3-fifo, sieve, or optimal (Belady's, which
            /// sees the whole trace in advance: the most hits any policy can get).
            #[arg(long)]
            policy: String,
            /// Cache size, in keys (1 to 10,000,000).
            #[arg(long, allow_negative_numbers = true)]
            size: i64,
            /// A trace file: one key (a whole number) per line, blank lines and lines starting with *
            /// skipped; read through gzip when it starts with gzip's magic bytes.
            #[arg(long, conflicts_with_all = ["zipf", "keys", "requests"])]
            trace: Option<String>,
            /// Instead of a trace: a Zipf workload with this exponent s (0 or more; 0 is uniform).
            #[arg(long, allow_negative_numbers = true)]
            zipf: Option<f64>,
            /// The Zipf workload's keys, 1..=K.
            #[arg(long)]
            keys: Option<u64>,
            /// The Zipf workload's requests.
            #[arg(long)]
            requests: Option<u64>,
            /// Seed of the Zipf workload and of the random policy's draws.
            #[arg(long, default_value_t = 1)]
            seed: u64,
        },
        /// Runs a pizza-shop preset of the message-queue lab and prints its metrics as JSON.
        Shop {
            /// The preset's name (`sysplay shop --list` shows them).
            #[arg(long, required_unless_present = "list")]
            preset: Option<String>,
            /// Lists the shop presets.
            #[arg(long)]
            list: bool,
        },
    }

    /// Who the servers are and how the algorithm is tuned.
    #[derive(clap::Args)]
    struct ServerArgs {
        /// Number of servers, named S0..S{N-1} unless --names is given (at most 10,000; jump without
        /// names: any bucket count its function takes, up to 2^31 - 1).
        #[arg(long)]
        servers: Option<usize>,
        /// Server names, comma-separated (ketama: "host:port" or "host").
        #[arg(long, value_delimiter = ',')]
        names: Option<Vec<String>>,
        /// Server weights, comma-separated, one per server (default 1 each).
        #[arg(long, value_delimiter = ',')]
        weights: Option<Vec<u32>>,
        /// Ring and bounded: points per unit of weight.
        #[arg(long, default_value_t = 100)]
        vnodes: u32,
        /// Ketama: points per server at average weight.
        #[arg(long, default_value_t = 160)]
        ketama_points: u32,
        /// Maglev: table size, a prime.
        #[arg(long, default_value_t = 65537)]
        size: u64,
        /// Bounded loads: the load factor c.
        #[arg(long, default_value_t = 1.25)]
        c: f64,
    }

    /// The sharding lab's tables.
    #[derive(clap::Args)]
    struct DataArgs {
        /// Number of users (ids 1..=N), at most 10,000,000.
        #[arg(long, default_value_t = 10_000)]
        users: u64,
        /// Seed of every generated row.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How users spread over the cities: uniform, or zipf:S (S the exponent, e.g. zipf:1.0).
        #[arg(long, default_value = "zipf:1.0")]
        cities: String,
        /// Most orders per user (each user has 0 to this many).
        #[arg(long, default_value_t = 3)]
        orders_per_user: u32,
    }

    impl DataArgs {
        fn config(&self) -> Result<DataConfig, String> {
            let cities = match self.cities.as_str() {
                "uniform" => CitySkew::Uniform,
                other => {
                    let s = other
                        .strip_prefix("zipf:")
                        .and_then(|s| s.parse::<f64>().ok())
                        .filter(|s| s.is_finite() && *s >= 0.0);
                    let s = s.ok_or_else(|| {
                        format!("--cities takes uniform or zipf:S with S a number, 0 or more (got {other})")
                    })?;
                    CitySkew::Zipf { s_milli: (s * 1000.0).round().min(f64::from(u32::MAX)) as u32 }
                }
            };
            let config = DataConfig { users: self.users, cities, orders_per_user_max: self.orders_per_user };
            config.validate()?;
            Ok(config)
        }

        fn dataset(&self) -> Result<Dataset, String> {
            Dataset::new(self.seed, &self.config()?)
        }
    }

    impl ServerArgs {
        fn backends(&self) -> Result<Vec<Backend>, String> {
            let names = match (&self.names, self.servers) {
                (Some(names), Some(n)) if names.len() != n => {
                    return Err(format!("--servers {n} but {} names were given", names.len()));
                }
                (Some(names), _) => names.clone(),
                (None, Some(n)) => (0..n).map(|i| format!("S{i}")).collect(),
                (None, None) => return Err("give --servers N or --names A,B,...".into()),
            };
            let weights = self.weights.clone().unwrap_or_else(|| vec![1; names.len()]);
            if weights.len() != names.len() {
                return Err(format!(
                    "{} weights for {} servers: give one weight per server",
                    weights.len(),
                    names.len()
                ));
            }
            let backends: Vec<Backend> = names.into_iter().zip(weights).map(|(n, w)| Backend::weighted(n, w)).collect();
            algos::validate(&backends)?;
            Ok(backends)
        }

        /// Jump's bucket count when no names are given. Only the count is needed, so the lab's server
        /// limit (which bounds the other schemes' tables) does not apply: `Jump::with_buckets` checks
        /// the count against what the paper's function takes. Weights, if given, must all be equal.
        fn jump_buckets(&self) -> Result<u64, String> {
            let n = self.servers.ok_or("give --servers N or --names A,B,...")?;
            if let Some(weights) = &self.weights {
                if weights.len() != n {
                    return Err(format!("{} weights for {n} servers: give one weight per server", weights.len()));
                }
                if let Some(&w) = weights.iter().find(|&&w| w == 0 || w > algos::limits::WEIGHT_MAX) {
                    return Err(format!("a server has weight {w}: weights go from 1 to {}", algos::limits::WEIGHT_MAX));
                }
                if weights.windows(2).any(|w| w[0] != w[1]) {
                    return Err(format!(
                        "{} hashing has no weighted variant: give every server the same weight",
                        Algo::Jump
                    ));
                }
            }
            Ok(n as u64)
        }

        fn params(&self) -> AlgoParams {
            AlgoParams {
                vnodes: self.vnodes,
                ketama_points: self.ketama_points,
                maglev_table_size: self.size,
                bounded_c: self.c,
            }
        }
    }

    /// Most keys `movement` will place (twice each).
    const MOVEMENT_KEYS_MAX: usize = 10_000_000;

    pub fn main() -> ExitCode {
        match run(Cli::parse().command) {
            Ok(out) => {
                // A closed pipe (`sysplay ... | head`) is not an error worth a panic.
                use std::io::Write;
                let _ = writeln!(std::io::stdout().lock(), "{out}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("sysplay: {e}");
                ExitCode::FAILURE
            }
        }
    }

    fn run(command: Command) -> Result<String, String> {
        match command {
            Command::Run { source, preset: name, digest, until } => {
                let (scenario, moment) = match (source, name) {
                    (_, Some(name)) => (preset(&name).map(|p| p.scenario).ok_or_else(|| unknown_preset(&name))?, None),
                    (Some(source), None) => (load(&source)?, link_moment(&source)),
                    (None, None) => return Err("give a scenario file, a share link or --preset NAME".into()),
                };
                let until_us = match until {
                    Some(s) if !(s.is_finite() && s >= 0.0) => {
                        return Err(format!("--until takes a moment in seconds, 0 or more (got {s})"));
                    }
                    Some(s) => Some((s * 1e6).round().min(u64::MAX as f64) as u64),
                    None => moment,
                };
                let lab = scenario.lab();
                if until_us.is_some() && !lab.timed() {
                    return Err(format!(
                        "the {} lab has no timeline: its changes apply one after another; drop --until",
                        lab.title()
                    ));
                }
                let run = scenario.run_until(until_us)?;
                let mut value = serde_json::to_value(run.report()).map_err(|e| e.to_string())?;
                if let (Some(out), serde_json::Value::Object(extra)) = (value.as_object_mut(), run.extra_json()) {
                    out.extend(extra);
                }
                if lab.timed() {
                    value["invariant_violations"] = run.violations().to_vec().into();
                }
                if let Some(t) = until_us {
                    value["until_s"] = (t as f64 / 1e6).into();
                }
                if digest {
                    value["digest"] = format!("{:016x}", run.digest()).into();
                }
                serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
            }
            Command::Link { input, decode: true, .. } => {
                let input = input.ok_or("give the share link to decode")?;
                let scenario = decode_link(&input).map_err(|e| e.to_string())?;
                serde_json::to_string_pretty(&scenario).map_err(|e| e.to_string())
            }
            Command::Link { input, preset: name, decode: false, base } => {
                let scenario = match (input, name) {
                    (_, Some(name)) => preset(&name).map(|p| p.scenario).ok_or_else(|| unknown_preset(&name))?,
                    (Some(input), None) => load_file(&input)?,
                    (None, None) => return Err("give a scenario file or --preset NAME".into()),
                };
                // A link over the caps would not open: refuse it, with the size and the cap.
                let fragment = share_fragment(&scenario).map_err(|e| {
                    format!("{e} Keep it as a scenario file: `sysplay run FILE` and the page's Open file read it.")
                })?;
                Ok(format!("{}#{}", base.split('#').next().unwrap_or_default(), fragment))
            }
            Command::Lb { policy, servers, arrival_rate, service_rate, requests, seed } => {
                use sysplay::sim::scaling::{LbConfig, LbRun, Policy, theory};
                let policy = Policy::parse(&policy)?;
                let config = LbConfig::identical(servers, arrival_rate, service_rate, requests, policy);
                let report = LbRun::run(config, seed)?;
                let mut value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
                let (n, l, m) = (servers, arrival_rate, service_rate);
                value["servers"] = n.into();
                value["arrival_rate_per_s"] = l.into();
                value["service_rate_per_s"] = m.into();
                value["utilization_offered"] = (l / (f64::from(n) * m)).into();
                value["seed"] = seed.into();
                value["percentiles"] = "nearest-rank over every measured request".into();
                let theory = match policy {
                    Policy::Random => {
                        Some(("M/M/1 at each server (arrival rate lambda / N)", theory::random(n, l, m)?))
                    }
                    Policy::RoundRobin => Some(("E_N/M/1 at each server", theory::round_robin(n, l, m)?)),
                    Policy::Jsq | Policy::LeastConnections | Policy::LeastResponseTime => Some((
                        "M/M/c with one shared queue: a lower bound no per-server queueing reaches",
                        theory::shared_queue(n, l, m)?,
                    )),
                    Policy::PowerOfD { d } if d >= 2 => Some((
                        "the supermarket model's limit as N grows (Mitzenmacher): the mean only",
                        theory::Predicted {
                            mean_sojourn_s: theory::power_of_d_limit(d, l / (f64::from(n) * m), m)?,
                            p50_sojourn_s: None,
                            p99_sojourn_s: None,
                        },
                    )),
                    Policy::PowerOfD { .. } => {
                        Some(("one choice is random: M/M/1 at each server", theory::random(n, l, m)?))
                    }
                    _ => None,
                };
                if let Some((model, t)) = theory {
                    value["theory"] = serde_json::to_value(t).map_err(|e| e.to_string())?;
                    value["theory"]["model"] = model.into();
                }
                serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
            }
            Command::Throttle { max_burst, count, period } => {
                let mut input = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut input)
                    .map_err(|e| format!("reading standard input: {e}"))?;
                sysplay::sim::resilience::throttle::answer_lines(max_burst, count, period, &input).map(|l| l.join("\n"))
            }
            Command::Availability { expr, trials, seed } => {
                let e = sysplay::sim::resilience::availability::estimate(&expr, trials, seed)?;
                serde_json::to_string_pretty(&e).map_err(|e| e.to_string())
            }
            Command::Queue { servers, arrival_rate, service_rate, orders, seed } => {
                let config =
                    MmcConfig { servers, arrival_rate_per_s: arrival_rate, service_rate_per_s: service_rate, orders };
                let theory = config.validate()?;
                let report = run_mmc(seed, config)?;
                let mut value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
                value["servers"] = servers.into();
                value["arrival_rate_per_s"] = arrival_rate.into();
                value["service_rate_per_s"] = service_rate.into();
                value["seed"] = seed.into();
                value["percentiles"] = "nearest-rank over every measured order".into();
                value["theory"] = serde_json::to_value(theory).map_err(|e| e.to_string())?;
                serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
            }
            Command::Quorum { n, w, r, trials, seed, mean_delay_ms } => {
                let m = quorum::measure(n, w, r, trials, seed, mean_delay_ms)?;
                let mut value = serde_json::to_value(&m).map_err(|e| e.to_string())?;
                value["model"] = "a write acknowledged by a uniformly random W of N replicas, a read of a uniformly \
                                  random R right after: stale when the two sets are disjoint; theory C(N-W, R) / C(N, R). \
                                  Window: each other replica receives the write after an exponential delay of mean \
                                  mean_delay_ms; theory C(N-W, R) / C(N, R) * exp(-R t / mean)"
                    .into();
                serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
            }
            Command::Query { data, shards, shard_key, orders_by, index, show, query } => {
                let age_index = match index.as_deref() {
                    None => false,
                    Some("age") => true,
                    Some(other) => {
                        return Err(format!("no index on \"{other}\": only a per-shard index on age is supported"));
                    }
                };
                let orders_by = match orders_by.as_str() {
                    "user-id" => OrdersBy::UserId,
                    "order-id" => OrdersBy::OrderId,
                    other => return Err(format!("--orders-by takes user-id or order-id (got {other})")),
                };
                if show > sharding::ROWS_SHOWN_MAX {
                    return Err(format!("--show prints at most {} rows", sharding::ROWS_SHOWN_MAX));
                }
                let q = sharding::parse(&query)?;
                let config = ShardingConfig { orders_by, age_index, ..ShardingConfig::new(shard_key.parse()?, shards) };
                sharding::budget::query_work(&data.config()?, &config, q.join).check()?;
                let cluster = Cluster::new(data.dataset()?, &config)?;
                let outcome = cluster.run(&q, &LatencyModel::default(), show);
                let mut value = serde_json::Map::new();
                value.insert("query".into(), outcome.query.clone().into());
                value.insert("rows".into(), outcome.answer.rows_value().into());
                value.insert("shards_touched".into(), outcome.plan.touched.len().into());
                value.insert("rows_scanned".into(), outcome.rows_scanned.into());
                value.insert("rows_scanned_without_index".into(), outcome.rows_scanned_without_index.into());
                value.insert("rows_scanned_with_index".into(), outcome.rows_scanned_with_index.into());
                value.insert("network_rows".into(), outcome.network_rows.into());
                value.insert("latency_ms".into(), (outcome.latency.total_ns as f64 / 1e6).into());
                value.insert("shard_key".into(), config.key.name().into());
                value.insert("shards".into(), shards.into());
                value.insert("users".into(), data.users.into());
                value.insert("seed".into(), data.seed.into());
                let rest = serde_json::to_value(&outcome).map_err(|e| e.to_string())?;
                for key in ["plan", "shards", "answer", "latency"] {
                    value.insert(if key == "shards" { "per_shard".into() } else { key.into() }, rest[key].clone());
                }
                serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
            }
            Command::Reshard { data, from, to, shard_key } => {
                let key: ShardKey = shard_key.parse()?;
                ShardingConfig::new(key, to).validate()?;
                sharding::budget::reshard_work(&data.config()?).check()?;
                let report = sharding::reshard(&data.dataset()?, &ShardingConfig::new(key, from), to)?;
                let mut value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
                value["seed"] = data.seed.into();
                serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
            }
            Command::Shop { list: true, .. } => Ok(shop_presets()
                .iter()
                .map(|p| format!("{:<28} {}", p.name, p.explains))
                .collect::<Vec<_>>()
                .join("\n")),
            Command::Shop { preset: name, .. } => {
                let name = name.unwrap_or_default();
                let preset = shop_preset(&name).ok_or_else(|| {
                    let names: Vec<_> = shop_presets().iter().map(|p| p.name).collect();
                    format!("no shop preset named \"{name}\"; the shop presets are: {}", names.join(", "))
                })?;
                let sim = preset.run();
                let mut value = serde_json::to_value(sim.report()).map_err(|e| e.to_string())?;
                value["preset"] = preset.name.into();
                value["invariant_violations"] = check_all(&sim.snapshot()).into();
                serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
            }
            Command::Cache { policy, size, trace, zipf, keys, requests, seed } => {
                cache_run(&policy, size, trace.as_deref(), (zipf, keys, requests), seed)
            }
            Command::Presets => Ok(presets()
                .iter()
                .map(|p| format!("{:<28} {:<26} {}", p.name, p.lab().title(), p.explains))
                .collect::<Vec<_>>()
                .join("\n")),
            Command::Place { algo, servers, string_keys, keys } => place(&algo, &servers, string_keys, &keys),
            Command::Table { algo, servers } => {
                if algo.parse::<Algo>()? != Algo::Maglev {
                    return Err(format!("only maglev has a lookup table, not {algo}"));
                }
                let maglev = Maglev::new(&servers.backends()?, servers.size)?;
                Ok(maglev.table().iter().map(u32::to_string).collect::<Vec<_>>().join("\n"))
            }
            Command::Movement { algo, from, to, keys, vnodes, seed } => {
                let algo: Algo = algo.parse()?;
                if keys > MOVEMENT_KEYS_MAX {
                    return Err(format!("at most {MOVEMENT_KEYS_MAX} keys: each is placed twice"));
                }
                let params = AlgoParams { vnodes, ..AlgoParams::default() };
                let (before, after) = (Backend::numbered(from), Backend::numbered(to));
                let report = analysis::movement(algo, &before, &after, &params, &analysis::sample_keys(seed, keys))?;
                let mut value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
                value["algo"] = algo.name().into();
                value["from"] = from.into();
                value["to"] = to.into();
                serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
            }
        }
    }

    fn place(algo: &str, servers: &ServerArgs, string_keys: bool, keys: &[String]) -> Result<String, String> {
        let algo: Algo = algo.parse()?;
        if algo == Algo::Jump && servers.names.is_none() {
            // Jump needs only the count: no table, no names, so any count its function takes.
            let jump = Jump::with_buckets(servers.jump_buckets()?)?;
            return place_each(&jump, algo, string_keys, keys, |index| index.to_string());
        }
        let backends = servers.backends()?;
        let placer = algos::build(algo, &backends, &servers.params())?;
        place_each(placer.as_ref(), algo, string_keys, keys, |index| {
            if servers.names.is_some() { backends[index].name.clone() } else { index.to_string() }
        })
    }

    /// One line per key: `label` of the key's server.
    fn place_each(
        placer: &dyn Placer,
        algo: Algo,
        string_keys: bool,
        keys: &[String],
        label: impl Fn(usize) -> String,
    ) -> Result<String, String> {
        let mut lines = Vec::with_capacity(keys.len());
        for key in keys {
            let index = if string_keys {
                placer.place_str(key)
            } else {
                let k: u64 = key.parse().map_err(|_| format!("\"{key}\" is not a u64 key (use --string-keys)"))?;
                placer.place(if algo == Algo::Jump { k } else { hash_u64(k) })
            };
            lines.push(label(index));
        }
        Ok(lines.join("\n"))
    }

    /// The policy the cache subcommand replays: one of the eviction policies, or Belady's optimal.
    enum Replay {
        Online(PolicyKind),
        Optimal,
    }

    fn cache_run(
        policy: &str,
        size: i64,
        trace: Option<&str>,
        (zipf, keys, requests): (Option<f64>, Option<u64>, Option<u64>),
        seed: u64,
    ) -> Result<String, String> {
        let replay = match policy {
            "optimal" => Replay::Optimal,
            name => Replay::Online(name.parse().map_err(|_| {
                format!("there is no policy named \"{name}\": the policies are {}, and optimal", PolicyKind::names())
            })?),
        };
        if size < 1 {
            return Err(format!("the cache size must be at least 1 key (got {size})"));
        }
        let size = usize::try_from(size).map_err(|_| format!("a cache of {size} keys is too large"))?;
        cache::check_capacity(size)?;
        let trace = match (trace, zipf) {
            (Some(path), _) => read_trace_file(path)?,
            (None, Some(s)) => {
                let (Some(keys), Some(requests)) = (keys, requests) else {
                    return Err("a Zipf workload needs --keys K and --requests R as well as --zipf S".into());
                };
                Workload::Zipf { keys, s, requests }.generate(seed)?
            }
            (None, None) => {
                return Err(
                    "give a trace with --trace FILE, or a Zipf workload with --zipf S --keys K --requests R".into()
                );
            }
        };
        let (name, hits) = match replay {
            Replay::Optimal => ("optimal", cache::optimal_hits(&trace, size)),
            Replay::Online(kind) => (kind.name(), cache::mrc::replay(cache::build(kind, size, seed).as_mut(), &trace)),
        };
        let value = serde_json::json!({
            "policy": name,
            "size": size,
            "requests": trace.len(),
            "hits": hits,
            "hit_ratio": hits as f64 / trace.len() as f64,
        });
        serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
    }

    /// A trace file, read through gzip when it starts with gzip's magic bytes (1f 8b).
    fn read_trace_file(path: &str) -> Result<Vec<u64>, String> {
        use std::io::BufRead;
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read the trace {path}: {e}"))?;
        let mut reader = std::io::BufReader::new(file);
        let head = reader.fill_buf().map_err(|e| format!("cannot read the trace {path}: {e}"))?;
        let trace = if head.starts_with(&[0x1f, 0x8b]) {
            cache::read_trace(std::io::BufReader::new(flate2::bufread::MultiGzDecoder::new(reader)))
        } else {
            cache::read_trace(reader)
        };
        let trace = trace.map_err(|e| format!("{path}: {e}"))?;
        if trace.is_empty() {
            return Err(format!("{path} holds no requests: a trace needs at least one key"));
        }
        Ok(trace)
    }

    fn unknown_preset(name: &str) -> String {
        let names: Vec<_> = presets().iter().map(|p| p.name).collect();
        format!("no preset named \"{name}\"; the presets are: {}", names.join(", "))
    }

    fn load(source: &str) -> Result<Scenario, String> {
        if source.contains('#') || source.starts_with("s=") {
            decode_link(source).map_err(|e| e.to_string())
        } else {
            load_file(source)
        }
    }

    fn load_file(path: &str) -> Result<Scenario, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        scenario_from_file(&bytes).map_err(|e| format!("{path}: {e}"))
    }
}
