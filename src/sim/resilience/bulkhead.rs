//! A bulkhead: a service's workers shared by calls to two dependencies, one of which hangs until its
//! timeout for a while. Without a bulkhead the hanging calls take every worker and the healthy
//! dependency's requests are turned away too; with one (resilience4j's semaphore bulkhead: at most
//! `bulkhead` calls to the slow dependency at once, the others refused at once), the healthy requests
//! keep the rest.
//!
//! **The model.** Requests for A and for B arrive as Poisson streams. Each takes a worker for its call:
//! A's last `a_ms`; B's `b_ms`, or the `timeout_ms` while B hangs (from `outage_from_s` to
//! `outage_to_s`). A request that finds no worker free (or, for B, the bulkhead full) is refused: no
//! queue, like a thread pool without one. **Theory**: with no queue the share refused is Erlang B's
//! blocking probability of the workers under the load offered in worker-seconds a second (insensitive
//! to the calls' duration distribution); without a bulkhead every request sees the same blocking,
//! B(c, λ_A a + λ_B t) while B hangs; with one, A's requests find at least c − k workers.

use crate::sim::kernel::{Scheduler, SimRng, SimTime};
use crate::sim::queue::stats::exp_delay_for_rate;
use crate::sim::queue::theory::erlang_b;
use serde::{Deserialize, Serialize};

/// The card's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkheadConfig {
    pub workers: u32,
    /// Most calls to B at once (none: no bulkhead).
    pub bulkhead: Option<u32>,
    pub a_per_s: u32,
    pub a_ms: u32,
    pub b_per_s: u32,
    pub b_ms: u32,
    /// How long a call to B waits while B hangs.
    pub timeout_ms: u32,
    pub outage_from_s: u32,
    pub outage_to_s: u32,
    pub duration_s: u32,
}

impl Default for BulkheadConfig {
    /// 20 workers; A 150 calls a second of 20 ms, B 50 of 20 ms; B hangs from 30 s to 90 s of two
    /// minutes, each call then waiting its 1 s timeout: 53 workers' worth of calls for 20.
    fn default() -> Self {
        Self {
            workers: 20,
            bulkhead: None,
            a_per_s: 150,
            a_ms: 20,
            b_per_s: 50,
            b_ms: 20,
            timeout_ms: 1_000,
            outage_from_s: 30,
            outage_to_s: 90,
            duration_s: 120,
        }
    }
}

/// Most requests of one run (the page computes it in one go).
pub const REQUESTS_MAX: u64 = 300_000;

impl BulkheadConfig {
    pub fn validate(&self) -> Result<(), String> {
        use crate::sim::check_range;
        check_range("the workers", u64::from(self.workers), 1, 1_000)?;
        if let Some(k) = self.bulkhead {
            check_range("the bulkhead's calls to B at once", u64::from(k), 1, u64::from(self.workers))?;
        }
        check_range("A's calls a second", u64::from(self.a_per_s), 0, 10_000)?;
        check_range("B's calls a second", u64::from(self.b_per_s), 0, 10_000)?;
        check_range("a call to A (ms)", u64::from(self.a_ms), 1, 60_000)?;
        check_range("a call to B (ms)", u64::from(self.b_ms), 1, 60_000)?;
        check_range("the timeout (ms)", u64::from(self.timeout_ms), 1, 600_000)?;
        check_range("the run (s)", u64::from(self.duration_s), 1, 3_600)?;
        check_range("the hang's start (s)", u64::from(self.outage_from_s), 0, u64::from(self.duration_s))?;
        check_range(
            "the hang's end (s)",
            u64::from(self.outage_to_s),
            u64::from(self.outage_from_s),
            u64::from(self.duration_s),
        )?;
        let requests = u64::from(self.a_per_s + self.b_per_s) * u64::from(self.duration_s);
        if requests > REQUESTS_MAX {
            return Err(format!(
                "about {requests} requests, more than {REQUESTS_MAX}: fewer calls a second or a shorter run"
            ));
        }
        Ok(())
    }

    /// Erlang B's share of A's requests refused while B hangs.
    pub fn a_refused_theory(&self) -> f64 {
        let a = f64::from(self.a_per_s) * f64::from(self.a_ms) / 1000.0;
        let b = f64::from(self.b_per_s) * f64::from(self.timeout_ms) / 1000.0;
        match self.bulkhead {
            // Every request sees the same blocking.
            None => erlang_b(self.workers, a + b),
            // B holds its k workers (it offers more than k while it hangs); A has the rest.
            Some(k) => erlang_b(self.workers - k.min(self.workers), a),
        }
    }
}

/// One second of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct BulkheadSecond {
    pub a_served: u32,
    pub a_refused: u32,
    pub b_served: u32,
    pub b_timed_out: u32,
    pub b_refused: u32,
    /// Workers busy with B at the second's end.
    pub b_busy: u32,
}

/// The whole run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BulkheadRun {
    pub seconds: Vec<BulkheadSecond>,
    /// A's requests while B hangs, and the share refused, measured and by Erlang B.
    pub a_during: u64,
    pub a_refused_share: f64,
    pub a_refused_theory: f64,
    pub a_refused: u64,
    pub b_refused: u64,
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    ArriveA,
    ArriveB,
    /// A worker frees: its call was to B (true) or A.
    Free(bool),
}

/// The run.
pub fn bulkhead_run(c: &BulkheadConfig, seed: u64) -> Result<BulkheadRun, String> {
    c.validate()?;
    let mut rng = SimRng::new(seed ^ 0xB0_1C_4E_AD);
    let mut q = Scheduler::new();
    let end: SimTime = u64::from(c.duration_s) * 1_000_000;
    let (from, to) = (u64::from(c.outage_from_s) * 1_000_000, u64::from(c.outage_to_s) * 1_000_000);
    if c.a_per_s > 0 {
        q.schedule_at(exp_delay_for_rate(&mut rng, f64::from(c.a_per_s)), Ev::ArriveA);
    }
    if c.b_per_s > 0 {
        q.schedule_at(exp_delay_for_rate(&mut rng, f64::from(c.b_per_s)), Ev::ArriveB);
    }
    let mut seconds = vec![BulkheadSecond::default(); c.duration_s as usize];
    let (mut busy, mut b_busy) = (0u32, 0u32);
    let (mut a_during, mut a_refused_during, mut a_refused, mut b_refused) = (0u64, 0u64, 0u64, 0u64);
    while let Some((t, ev)) = q.pop() {
        if t >= end {
            break;
        }
        let s = &mut seconds[(t / 1_000_000) as usize];
        match ev {
            Ev::ArriveA => {
                q.schedule_at(t + exp_delay_for_rate(&mut rng, f64::from(c.a_per_s)), Ev::ArriveA);
                let during = (from..to).contains(&t);
                a_during += u64::from(during);
                if busy < c.workers {
                    busy += 1;
                    q.schedule_at(t + u64::from(c.a_ms) * 1000, Ev::Free(false));
                    s.a_served += 1;
                } else {
                    s.a_refused += 1;
                    a_refused += 1;
                    a_refused_during += u64::from(during);
                }
            }
            Ev::ArriveB => {
                q.schedule_at(t + exp_delay_for_rate(&mut rng, f64::from(c.b_per_s)), Ev::ArriveB);
                let full = c.bulkhead.is_some_and(|k| b_busy >= k);
                if busy < c.workers && !full {
                    busy += 1;
                    b_busy += 1;
                    let hangs = (from..to).contains(&t);
                    let ms = if hangs { c.timeout_ms } else { c.b_ms.min(c.timeout_ms) };
                    q.schedule_at(t + u64::from(ms) * 1000, Ev::Free(true));
                    if hangs {
                        s.b_timed_out += 1;
                    } else {
                        s.b_served += 1;
                    }
                } else {
                    s.b_refused += 1;
                    b_refused += 1;
                }
            }
            Ev::Free(b) => {
                busy -= 1;
                if b {
                    b_busy -= 1;
                }
            }
        }
        s.b_busy = b_busy;
    }
    Ok(BulkheadRun {
        seconds,
        a_during,
        a_refused_share: if a_during == 0 { 0.0 } else { a_refused_during as f64 / a_during as f64 },
        a_refused_theory: c.a_refused_theory(),
        a_refused,
        b_refused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_bulkhead_the_hang_turns_away_a_as_erlang_b_says_and_with_one_a_is_spared() {
        let c = BulkheadConfig { duration_s: 600, outage_from_s: 30, outage_to_s: 570, ..BulkheadConfig::default() };
        let r = bulkhead_run(&c, 1).unwrap();
        // 53 erlangs on 20 workers: B(20, 53) = 0.6331.
        assert!((r.a_refused_theory - 0.6331).abs() < 1e-4, "{}", r.a_refused_theory);
        assert!(
            (r.a_refused_share - r.a_refused_theory).abs() < 0.02,
            "{} against {}",
            r.a_refused_share,
            r.a_refused_theory
        );
        let with = bulkhead_run(&BulkheadConfig { bulkhead: Some(5), ..c }, 1).unwrap();
        // A has 15 workers for 3 erlangs: B(15, 3) = 5.5e-7.
        assert!(with.a_refused_theory < 1e-5);
        assert!(with.a_refused_share < 0.001, "{}", with.a_refused_share);
        assert!(with.b_refused > r.b_refused / 2);
    }

    #[test]
    fn bad_settings_get_a_sentence() {
        let c = BulkheadConfig { bulkhead: Some(30), ..BulkheadConfig::default() };
        assert!(bulkhead_run(&c, 1).unwrap_err().contains("between 1 and 20"));
        let c = BulkheadConfig { a_per_s: 10_000, duration_s: 3_600, ..BulkheadConfig::default() };
        assert!(bulkhead_run(&c, 1).unwrap_err().contains("requests"));
    }
}
