//! A rate limiter with the semantics of the generic cell rate algorithm as redis-cell's
//! `CL.THROTTLE key max_burst count period [quantity]` answers it.
//!
//! `count` requests per `period` seconds make the **emission interval** T = period / count (whole
//! nanoseconds, rounded down); `max_burst` + 1 requests may come at once, so the **tolerance** is
//! τ = T × (max_burst + 1) and the limit is max_burst + 1. The limiter keeps one instant, the
//! theoretical arrival time (TAT), forgotten once it is past. A request of `quantity` at `now` moves it to
//! `max(TAT, now) + quantity × T`; it is allowed when that minus τ is not after `now`, and then the TAT
//! is kept. The answer: limited or not, the limit, the requests left (τ minus the time to the TAT, in
//! whole emission intervals), how long to wait before retrying (-1 when allowed, and when the request is
//! larger than the whole tolerance: waiting never helps), and how long until the limiter is back to full
//! (the time to the TAT).

use serde::Serialize;

/// One answer of `CL.THROTTLE`, times in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Answer {
    pub limited: bool,
    pub limit: i64,
    pub remaining: i64,
    pub retry_after_s: f64,
    pub reset_after_s: f64,
}

/// The limiter of one key.
#[derive(Clone, Debug)]
pub struct Throttle {
    emission_ns: i128,
    tolerance_ns: i128,
    limit: i64,
    /// The theoretical arrival time, ns (none: forgotten).
    tat_ns: Option<i128>,
}

const NS: f64 = 1e9;

impl Throttle {
    /// `count` requests per `period_s` seconds, bursts of `max_burst` + 1.
    pub fn new(max_burst: u64, count: u64, period_s: f64) -> Result<Self, String> {
        if count == 0 {
            return Err("the count must be at least 1 request per period (zero rates are not supported)".into());
        }
        if !(period_s.is_finite() && period_s > 0.0 && period_s <= 1e9) {
            return Err(format!("the period must be a positive number of seconds (got {period_s})"));
        }
        if max_burst > 1_000_000_000 {
            return Err(format!("the burst must be at most a billion (got {max_burst})"));
        }
        let emission_ns = ((period_s * NS) / count as f64) as i128;
        if emission_ns == 0 {
            return Err(format!("{count} requests in {period_s} s is faster than one a nanosecond"));
        }
        Ok(Self {
            emission_ns,
            tolerance_ns: emission_ns * (i128::from(max_burst) + 1),
            limit: max_burst as i64 + 1,
            tat_ns: None,
        })
    }

    /// A request of `quantity` at `now_ns` (0 only looks).
    pub fn request(&mut self, now_ns: i128, quantity: u64) -> Answer {
        let increment = self.emission_ns * i128::from(quantity);
        // A TAT already past is forgotten (its key expired): the limiter is full again.
        let tat = self.tat_ns.filter(|&t| t > now_ns).unwrap_or(now_ns);
        let new_tat = tat.max(now_ns) + increment;
        let allow_at = new_tat - self.tolerance_ns;
        let diff = now_ns - allow_at;
        let (limited, ttl, retry) = if diff < 0 {
            let retry = if increment <= self.tolerance_ns { -diff as f64 / NS } else { -1.0 };
            (true, tat - now_ns, retry)
        } else {
            if new_tat > now_ns {
                self.tat_ns = Some(new_tat);
            }
            (false, new_tat - now_ns, -1.0)
        };
        let next = self.tolerance_ns - ttl;
        // Whole emission intervals left, counted in microseconds and cut towards zero.
        let remaining =
            if next > -self.emission_ns { ((next / 1000) as f64 / (self.emission_ns / 1000) as f64) as i64 } else { 0 };
        Answer { limited, limit: self.limit, remaining, retry_after_s: retry, reset_after_s: ttl as f64 / NS }
    }
}

/// Answers each line `TIME_MS QUANTITY` of `input` (in time order) as one JSON object a line; a bad
/// line gets a sentence naming it.
pub fn answer_lines(max_burst: u64, count: u64, period_s: f64, input: &str) -> Result<Vec<String>, String> {
    answers(max_burst, count, period_s, input)?
        .into_iter()
        .map(|(_, a)| serde_json::to_string(&a).map_err(|e| e.to_string()))
        .collect()
}

/// Each non-empty line `TIME_MS QUANTITY` of `input` (in time order), trimmed, with what `CL.THROTTLE`
/// answers it; a bad line gets a sentence naming it.
pub fn answers(max_burst: u64, count: u64, period_s: f64, input: &str) -> Result<Vec<(String, Answer)>, String> {
    let mut t = Throttle::new(max_burst, count, period_s)?;
    let mut out = Vec::new();
    let mut last = i128::MIN;
    for (n, line) in input.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |why: &str| {
            format!("line {}: {why} (each line is TIME_MS QUANTITY, for example \"1500 1\"): {line:?}", n + 1)
        };
        let mut parts = line.split_whitespace();
        let (Some(time), Some(quantity), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("two numbers expected"));
        };
        let ms: f64 = time.parse().map_err(|_| bad("the time is not a number of milliseconds"))?;
        if !(ms.is_finite() && ms.abs() <= 1e15) {
            return Err(bad("the time is out of range"));
        }
        let quantity: u64 = quantity.parse().map_err(|_| bad("the quantity is not a whole number"))?;
        let now = (ms * 1e6).round() as i128;
        if now < last {
            return Err(bad("the times must not go backwards"));
        }
        last = now;
        out.push((line.to_string(), t.request(now, quantity)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// redis-cell's own table of cases (its rate limiter's tests): a limit of 5 (burst 4), one a second.
    #[test]
    fn the_published_cases() {
        let mut t = Throttle::new(4, 1, 1.0).unwrap();
        let s = 1_000_000_000i128;
        // (ms, quantity, limited, remaining, reset_after s, retry_after s)
        let cases: [(i128, u64, bool, i64, f64, f64); 15] = [
            (0, 6, true, 5, 0.0, -1.0),
            (0, 1, false, 4, 1.0, -1.0),
            (0, 1, false, 3, 2.0, -1.0),
            (0, 1, false, 2, 3.0, -1.0),
            (0, 1, false, 1, 4.0, -1.0),
            (0, 1, false, 0, 5.0, -1.0),
            (0, 1, true, 0, 5.0, 1.0),
            (3000, 1, false, 2, 3.0, -1.0),
            (3100, 1, false, 1, 3.9, -1.0),
            (4000, 1, false, 1, 4.0, -1.0),
            (8000, 1, false, 4, 1.0, -1.0),
            (9500, 1, false, 4, 1.0, -1.0),
            (9500, 0, false, 4, 1.0, -1.0),
            (9500, 2, false, 2, 3.0, -1.0),
            (9500, 5, true, 2, 3.0, 3.0),
        ];
        for (k, (ms, q, limited, remaining, reset, retry)) in cases.into_iter().enumerate() {
            let a = t.request(ms * s / 1000, q);
            assert_eq!((a.limited, a.limit, a.remaining), (limited, 5, remaining), "case {k}: {a:?}");
            assert!(
                (a.reset_after_s - reset).abs() < 1e-9 && (a.retry_after_s - retry).abs() < 1e-9,
                "case {k}: {a:?}"
            );
        }
    }

    #[test]
    fn lines_in_and_out() {
        let out = answer_lines(1, 10, 60.0, "0 1\n0 1\n0 1\n\n6000 1\n").unwrap();
        assert_eq!(out.len(), 4);
        assert!(out[0].contains("\"limited\":false") && out[0].contains("\"limit\":2"));
        assert!(out[2].contains("\"limited\":true") && out[2].contains("\"retry_after_s\":6.0"));
        for bad in ["1", "x 1", "1 -1", "5 1\n4 1", "1 1 1"] {
            let e = answer_lines(1, 10, 60.0, bad).unwrap_err();
            assert!(e.starts_with("line "), "{e}");
        }
        assert!(answer_lines(1, 0, 60.0, "").is_err());
    }
}
