//! The command line over the same core as the page: run a scenario or a preset and print its metrics as
//! JSON, turn scenario files into share links and back.

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
    use sysplay::scenario::{Scenario, decode_link, encode_link, preset, presets, scenario_from_json};
    use sysplay::sim::queue::{MmcConfig, check_all, run_mmc, shop_preset, shop_presets};

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
        },
        /// Turns a scenario file into a share link, or a link back into scenario JSON with --decode.
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

    pub fn main() -> ExitCode {
        match run(Cli::parse().command) {
            Ok(out) => {
                println!("{out}");
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
            Command::Run { source, preset: name, digest } => {
                let scenario = match (source, name) {
                    (_, Some(name)) => preset(&name).map(|p| p.scenario).ok_or_else(|| unknown_preset(&name))?,
                    (Some(source), None) => load(&source)?,
                    (None, None) => return Err("give a scenario file, a share link or --preset NAME".into()),
                };
                let run = scenario.run()?;
                let mut value = serde_json::to_value(run.report()).map_err(|e| e.to_string())?;
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
                Ok(format!("{}#{}", base.split('#').next().unwrap_or_default(), encode_link(&scenario)))
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
            Command::Presets => {
                Ok(presets().iter().map(|p| format!("{:<20} {}", p.name, p.explains)).collect::<Vec<_>>().join("\n"))
            }
        }
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
        scenario_from_json(&bytes).map_err(|e| format!("{path}: {e}"))
    }
}
