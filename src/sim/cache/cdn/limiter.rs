//! An edge's rate limiter (the notes: CDN providers offer "IP filtering, Rate limiting etc."): a token
//! bucket of rate r a second and burst b, in front of one client. The bucket starts full with b tokens,
//! gains r a second up to b, and a request is allowed when a whole token is there (it takes it) and
//! limited otherwise. Tokens are counted in millionths and time in µs, so the bucket gains exactly r
//! millionths a µs and no rounding ever lets a request through: in every window of length t the bucket
//! allows at most b + r·t requests (it held at most b at the window's start and gained at most r·t).
//!
//! The client sends at a steady rate throughout and at a burst rate during the burst, both at fixed
//! intervals. Cost: one step per request, at most [`limits::REQUESTS_MAX`].

use crate::sim::check_range;
use serde::{Deserialize, Serialize};

/// Limits on the limiter's run.
pub mod limits {
    /// Largest rate, of the bucket or the client, a second.
    pub const RATE_MAX: u32 = 1_000_000;
    /// Largest burst, tokens.
    pub const BURST_MAX: u32 = 1_000_000;
    /// Longest run, ms (an hour).
    pub const DURATION_MS_MAX: u32 = 3_600_000;
    /// Most requests the client sends in a run.
    pub const REQUESTS_MAX: u64 = 1_000_000;
    /// Most bins of the series.
    pub const BINS_MAX: u64 = 10_000;
}

/// The bucket and the client's requests.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimiterConfig {
    /// Tokens a second, r.
    pub rate_per_s: u32,
    /// Most tokens the bucket holds, b.
    pub burst: u32,
    /// The client's requests a second outside the burst (0: none).
    pub steady_per_s: u32,
    /// The client's requests a second during the burst, on top of the steady ones.
    pub burst_per_s: u32,
    pub burst_start_ms: u32,
    pub burst_ms: u32,
    pub duration_ms: u32,
    /// Width of a bin of the series, ms.
    pub bin_ms: u32,
}

impl Default for LimiterConfig {
    /// 10 requests a second with bursts of 20; a client sending 5 a second, then 100 a second more for 3
    /// s from the 2nd second; 10 s in bins of 100 ms.
    fn default() -> Self {
        Self {
            rate_per_s: 10,
            burst: 20,
            steady_per_s: 5,
            burst_per_s: 100,
            burst_start_ms: 2_000,
            burst_ms: 3_000,
            duration_ms: 10_000,
            bin_ms: 100,
        }
    }
}

impl LimiterConfig {
    /// When the client sends, µs: every 1/rate s (rounded down to the µs) from `from` up to, not
    /// including, `to` and the run's end.
    fn stream(&self, per_s: u32, from: u64, to: u64) -> impl Iterator<Item = u64> + use<> {
        let end = to.min(u64::from(self.duration_ms) * 1_000);
        let gap = if per_s == 0 { 0 } else { (1_000_000 / u64::from(per_s)).max(1) };
        let count = if gap == 0 || from >= end { 0 } else { (end - from).div_ceil(gap) };
        (0..count).map(move |k| from + k * gap)
    }

    /// The client's requests, in time order, µs.
    pub fn request_times(&self) -> Vec<u64> {
        let start = u64::from(self.burst_start_ms) * 1_000;
        let mut all: Vec<u64> = self.stream(self.steady_per_s, 0, u64::MAX).collect();
        all.extend(self.stream(self.burst_per_s, start, start + u64::from(self.burst_ms) * 1_000));
        all.sort_unstable();
        all
    }

    /// How many requests the client sends (counted without listing them).
    pub fn requests(&self) -> u64 {
        let start = u64::from(self.burst_start_ms) * 1_000;
        let count = |per_s: u32, from: u64, to: u64| {
            let end = to.min(u64::from(self.duration_ms) * 1_000);
            let gap = if per_s == 0 { 0 } else { (1_000_000 / u64::from(per_s)).max(1) };
            if gap == 0 || from >= end { 0 } else { (end - from).div_ceil(gap) }
        };
        count(self.steady_per_s, 0, u64::MAX) + count(self.burst_per_s, start, start + u64::from(self.burst_ms) * 1_000)
    }

    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        let rate = u64::from(limits::RATE_MAX);
        check_range("the bucket's rate (a second)", u64::from(self.rate_per_s), 0, rate)?;
        check_range("the bucket's burst", u64::from(self.burst), 1, u64::from(limits::BURST_MAX))?;
        check_range("the client's steady rate (a second)", u64::from(self.steady_per_s), 0, rate)?;
        check_range("the client's burst rate (a second)", u64::from(self.burst_per_s), 0, rate)?;
        let d = u64::from(limits::DURATION_MS_MAX);
        check_range("the run's length (ms)", u64::from(self.duration_ms), 1, d)?;
        check_range("the burst's start (ms)", u64::from(self.burst_start_ms), 0, d)?;
        check_range("the burst's length (ms)", u64::from(self.burst_ms), 0, d)?;
        check_range("a bin (ms)", u64::from(self.bin_ms), 1, d)?;
        if u64::from(self.duration_ms).div_ceil(u64::from(self.bin_ms)) > limits::BINS_MAX {
            return Err(format!("the series would have more than {} bins: widen the bins", limits::BINS_MAX));
        }
        if self.requests() > limits::REQUESTS_MAX {
            return Err(format!(
                "the client would send {} requests, more than {}: lower its rates or the run's length",
                self.requests(),
                limits::REQUESTS_MAX
            ));
        }
        Ok(())
    }
}

/// One bin of the series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LimiterPoint {
    pub t_ms: u64,
    pub allowed: u64,
    pub limited: u64,
    /// Tokens in the bucket at the bin's end, thousandths.
    pub tokens_milli: u64,
}

/// The limiter's run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LimiterReport {
    pub allowed: u64,
    pub limited: u64,
    pub series: Vec<LimiterPoint>,
    /// When each allowed request came, µs (for the invariant's check and a page's detail).
    pub allowed_at_us: Vec<u64>,
}

/// Runs the bucket over the client's requests (the configuration as validated).
pub fn run_limiter(c: &LimiterConfig) -> LimiterReport {
    const UNIT: u64 = 1_000_000;
    let end = u64::from(c.duration_ms) * 1_000;
    let all = c.request_times();
    let cap = u64::from(c.burst) * UNIT;
    let rate = u64::from(c.rate_per_s);
    let (mut tokens, mut last) = (cap, 0u64);
    let bin = u64::from(c.bin_ms) * 1_000;
    let bins = end.div_ceil(bin) as usize;
    let mut series: Vec<LimiterPoint> = (0..bins)
        .map(|b| LimiterPoint { t_ms: b as u64 * bin / 1_000, allowed: 0, limited: 0, tokens_milli: 0 })
        .collect();
    let (mut allowed_at, mut limited) = (Vec::new(), 0);
    let refill = |tokens: u64, from: u64, to: u64| (tokens + rate * (to - from)).min(cap);
    let mut next_bin = 0usize;
    for &t in &all {
        // The bins that ended before this request record the bucket at their end.
        while next_bin < bins && (next_bin as u64 + 1) * bin <= t {
            let at = (next_bin as u64 + 1) * bin;
            series[next_bin].tokens_milli = refill(tokens, last, at) / 1_000;
            next_bin += 1;
        }
        tokens = refill(tokens, last, t);
        last = t;
        let b = ((t / bin) as usize).min(bins - 1);
        if tokens >= UNIT {
            tokens -= UNIT;
            allowed_at.push(t);
            series[b].allowed += 1;
        } else {
            limited += 1;
            series[b].limited += 1;
        }
    }
    while next_bin < bins {
        let at = ((next_bin as u64 + 1) * bin).min(end).max(last);
        series[next_bin].tokens_milli = refill(tokens, last, at) / 1_000;
        next_bin += 1;
    }
    LimiterReport { allowed: allowed_at.len() as u64, limited, series, allowed_at_us: allowed_at }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_lets_a_burst_through_then_the_rate() {
        let c = LimiterConfig {
            steady_per_s: 0,
            burst_start_ms: 0,
            burst_ms: 1_000,
            duration_ms: 1_000,
            ..Default::default()
        };
        assert_eq!(c.requests(), 100);
        assert_eq!(c.request_times().len(), 100);
        let r = run_limiter(&c);
        // 20 at once, then one every 100 ms: at 0.1 s … 0.9 s (the burst's 100 requests end at 0.99 s).
        assert_eq!(r.allowed, 29);
        assert_eq!(r.allowed + r.limited, 100);
    }
}
