//! The lab's named runs: the notes' claims about scaling and balancing, each made visible.

use super::contract::Scaling;
use super::lab::{AutoscaleMs, LoadStepMs, ScalingAction, ScalingConfig, Sizing};
use super::lb::{Policy, ServerSpec};
use crate::scenario::LabPreset;

/// The seed every preset uses.
pub const SEED: u64 = 11;

/// Every preset of the lab, in the order the page lists them.
pub fn scaling_presets() -> Vec<LabPreset<Scaling>> {
    let base = ScalingConfig::default();
    vec![
        LabPreset {
            name: "policies-at-80-percent",
            title: "Every policy at 80%, beside theory",
            explains: "Ten identical servers at 80% load, every policy on the same requests. Random makes each \
                       server an M/M/1 queue (5 s mean with a 1 s service); round robin spaces each server's \
                       arrivals (E_N/M/1: 2.9 s); the queue-aware policies come close to one shared queue \
                       (M/M/10: 1.2 s), which no policy choosing on arrival can beat; two random choices \
                       already take most of the gain.",
            seed: SEED,
            config: base.clone(),
            actions: vec![],
        },
        LabPreset {
            name: "slow-server",
            title: "One slow server: round robin against least connections",
            explains: "Four servers, one at a quarter of the speed; 2.4 requests a second against 3.25 of \
                       capacity. Round robin sends the slow one a quarter of the requests, 0.6 a second against \
                       the 0.25 it serves: its queue grows for the whole run and its requests wait minutes. \
                       Least connections sends it only what it can take.",
            seed: SEED,
            config: ScalingConfig {
                servers: vec![
                    ServerSpec::default(),
                    ServerSpec::default(),
                    ServerSpec::default(),
                    ServerSpec { speed_pct: 25, weight_pct: 25, cores: 1 },
                ],
                arrival_milli_per_s: 2_400,
                requests: 5_000,
                policy: Policy::RoundRobin,
                compare: vec![
                    Policy::RoundRobin,
                    Policy::WeightedRoundRobin,
                    Policy::LeastConnections,
                    Policy::PowerOfD { d: 2 },
                ],
                ..base.clone()
            },
            actions: vec![],
        },
        LabPreset {
            name: "two-choices",
            title: "The power of two choices",
            explains: "Sixty-four servers at 90%: random leaves each an M/M/1 queue at 90% (10 s mean); asking \
                       two random servers and taking the shorter queue brings it near Mitzenmacher's limit for \
                       many servers, 2.61 s; three choices gain much less again.",
            seed: SEED,
            config: ScalingConfig {
                servers: vec![ServerSpec::default(); 64],
                arrival_milli_per_s: 57_600,
                requests: 200_000,
                policy: Policy::PowerOfD { d: 2 },
                compare: vec![Policy::Random, Policy::PowerOfD { d: 2 }, Policy::PowerOfD { d: 3 }, Policy::Jsq],
                ..base.clone()
            },
            actions: vec![],
        },
        LabPreset {
            name: "dead-server-undetected",
            title: "A dead server, until the health checks notice",
            explains: "Server 2 dies at 500 s. Round robin keeps sending it every tenth request until two \
                       failed health checks 2 s apart take it out of the pool: those requests are refused, and \
                       the ones at it when it died are lost. Switch retries on in the setup: a refused request \
                       goes to another server.",
            seed: SEED,
            config: ScalingConfig { policy: Policy::RoundRobin, ..base.clone() },
            actions: vec![
                (500_000, ScalingAction::Kill { server: 2 }),
                (1_200_000, ScalingAction::Revive { server: 2 }),
            ],
        },
        LabPreset {
            name: "horizontal-spof",
            title: "Many servers: one dies, the others carry on",
            explains: "Eight servers at 60% behind round robin with one retry; one dies at 301 s and never comes \
                       back. Until the health checks notice, its requests are refused and sent again to another \
                       server: none is lost. The seven left run at 69%, a little slower. One big machine is a \
                       single point of failure: see the sizing card below.",
            seed: SEED,
            config: ScalingConfig {
                servers: vec![ServerSpec::default(); 8],
                arrival_milli_per_s: 4_800,
                requests: 10_000,
                retries: 1,
                policy: Policy::RoundRobin,
                ..base.clone()
            },
            actions: vec![(301_000, ScalingAction::Kill { server: 5 })],
        },
        LabPreset {
            name: "vertical-ceiling",
            title: "One big machine: the ceiling",
            explains: "One machine of 64 cores, the largest on offer, against 16 machines of 4: the same cores. \
                       Below saturation the big one is a little faster (one shared queue); it costs more per \
                       core; no bigger machine exists when the load grows; and when it dies, everything fails.",
            seed: SEED,
            config: ScalingConfig {
                servers: vec![ServerSpec { cores: 64, ..ServerSpec::default() }],
                arrival_milli_per_s: 51_200,
                requests: 100_000,
                compare: vec![Policy::Random],
                sizing: Sizing {
                    big_cores: 64,
                    ceiling_cores: 64,
                    big_cents_per_hour: 400,
                    small_machines: 16,
                    small_cores: 4,
                    small_cents_per_hour: 17,
                },
                ..base.clone()
            },
            actions: vec![],
        },
        LabPreset {
            name: "autoscale-spike",
            title: "A spike, and an autoscaler that boots machines",
            explains: "Four servers at 50% until the traffic jumps eightfold at 300 s for ten minutes. The \
                       autoscaler (Kubernetes' rule, a 60% target, decisions every 15 s) can only see 100% busy \
                       servers, so each decision grows the fleet by at most two thirds, and each new server takes a \
                       minute to boot: over a thousand requests pile up before the 27 or so servers the spike \
                       needs are up, and the backlog keeps every server busy, so it overshoots to its most, 40. \
                       After the spike it waits its 300 s window, then scales in. Compare its cost and its p99 \
                       with a fleet fixed at the start's size and one fixed for the peak.",
            seed: SEED,
            config: ScalingConfig {
                servers: vec![ServerSpec::default(); 4],
                arrival_milli_per_s: 2_000,
                requests: 12_000,
                load_steps: vec![
                    LoadStepMs { at_ms: 300_000, arrival_milli_per_s: 16_000 },
                    LoadStepMs { at_ms: 900_000, arrival_milli_per_s: 2_000 },
                ],
                autoscale: Some(AutoscaleMs { min_servers: 2, ..AutoscaleMs::default() }),
                ..base.clone()
            },
            actions: vec![],
        },
        LabPreset {
            name: "sticky-sessions",
            title: "Sticky sessions: a static partition, and sessions lost with a server",
            explains: "Forty clients at 50% load, each pinned to the server of its first request. Least \
                       connections placed those first requests on servers idle at that moment, ties to the \
                       first, so the first servers hold most sessions and get their share of the traffic \
                       whatever their queues: the balancer no longer balances. Server 0 dies at 600 s: its \
                       clients' sessions move to other servers (lost, if kept in its memory), and the server \
                       that takes most of them gets more than it can serve: its queue grows for the rest of the \
                       run while others idle. Untick sticky sessions in the setup to compare.",
            seed: SEED,
            config: ScalingConfig {
                arrival_milli_per_s: 5_000,
                clients: 40,
                sticky: true,
                retries: 1,
                compare: vec![Policy::RoundRobin, Policy::LeastConnections, Policy::PowerOfD { d: 2 }, Policy::Jsq],
                ..base
            },
            actions: vec![(600_000, ScalingAction::Kill { server: 0 })],
        },
    ]
}
