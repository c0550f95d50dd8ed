//! Request traces: generated from a seed (uniform, Zipf, scans, loops) or read from a file's text. A
//! trace is a `Vec<u64>` of keys, the same for every policy that replays it.
//!
//! The generator functions take their arguments as [`Workload::validate`] accepts them (at least one key,
//! a scan after at least one request); [`Workload::generate`] checks before it generates.

use super::limits;
use crate::sim::budget::thousands;
use crate::sim::kernel::SimRng;
use crate::sim::zipf::Zipf;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Read};

/// A generated workload: what a page's form or the command line describes. Keys are numbered from 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Workload {
    /// Each request a key drawn uniformly from 1..=keys: no key is more popular than another, so every
    /// policy hits about capacity / keys of the time.
    Uniform { keys: u64, requests: u64 },
    /// Zipf(s) over 1..=keys: key k requested with probability ∝ 1/k^s, as web objects and cache traces
    /// roughly are; s near 1 is typical.
    Zipf { keys: u64, s: f64, requests: u64 },
    /// The Zipf workload with a scan of `scan_length` keys never seen before after every `scan_every`
    /// Zipf requests (scan keys count up from keys + 1 and never repeat): a backup or a crawler passing
    /// through, which floods LRU and which scan-resistant policies shrug off.
    ZipfWithScans { keys: u64, s: f64, requests: u64, scan_every: u64, scan_length: u64 },
    /// 1, 2, 3, …: every request a new key, so no policy ever hits.
    Scan { requests: u64 },
    /// 1, 2, …, keys, 1, 2, …: a loop. With `keys` = 4 it is the notes' 1, 2, 3, 4, 1, 2, … which LRU
    /// with room for 3 never hits.
    Loop { keys: u64, requests: u64 },
}

impl Workload {
    /// The notes' example: 1, 2, 3, 4 over and over.
    pub fn notes_example(requests: u64) -> Self {
        Workload::Loop { keys: 4, requests }
    }

    /// Refuses anything outside the limits, with a sentence saying which.
    pub fn validate(&self) -> Result<(), String> {
        let requests = match *self {
            Workload::Uniform { keys, requests } | Workload::Loop { keys, requests } => {
                check_keys(keys)?;
                requests
            }
            Workload::Zipf { keys, s, requests } => {
                check_keys(keys)?;
                check_zipf_s(s)?;
                requests
            }
            Workload::ZipfWithScans { keys, s, requests, scan_every, scan_length } => {
                check_keys(keys)?;
                check_zipf_s(s)?;
                if scan_every == 0 {
                    return Err("a scan must come after at least one Zipf request (scan_every is 0)".into());
                }
                if scan_length == 0 || scan_length > limits::REQUESTS_MAX {
                    return Err(format!(
                        "a scan's length must be between 1 and {} (got {})",
                        thousands(limits::REQUESTS_MAX),
                        thousands(scan_length)
                    ));
                }
                requests
            }
            Workload::Scan { requests } => requests,
        };
        check_requests(requests)
    }

    /// The trace this workload draws from `seed` (the loop and the scan ignore it).
    pub fn generate(&self, seed: u64) -> Result<Vec<u64>, String> {
        self.validate()?;
        Ok(match *self {
            Workload::Uniform { keys, requests } => uniform(keys, requests, seed),
            Workload::Zipf { keys, s, requests } => zipf(keys, s, requests, seed),
            Workload::ZipfWithScans { keys, s, requests, scan_every, scan_length } => {
                zipf_with_scans(keys, s, requests, seed, scan_every, scan_length)
            }
            Workload::Scan { requests } => (1..=requests).collect(),
            Workload::Loop { keys, requests } => looping(keys, requests),
        })
    }
}

fn check_keys(keys: u64) -> Result<(), String> {
    if keys == 0 || keys > limits::KEYS_MAX {
        return Err(format!(
            "a workload draws from between 1 and {} keys (got {})",
            thousands(limits::KEYS_MAX),
            thousands(keys)
        ));
    }
    Ok(())
}

/// Refuses a Zipf exponent that is negative, not a number, or above [`limits::ZIPF_S_MAX`].
pub fn check_zipf_s(s: f64) -> Result<(), String> {
    if !(0.0..=limits::ZIPF_S_MAX).contains(&s) {
        return Err(format!("the Zipf exponent s must be between 0 and {} (got {s})", limits::ZIPF_S_MAX));
    }
    Ok(())
}

/// Refuses a trace of no requests or of more than [`limits::REQUESTS_MAX`].
pub fn check_requests(requests: u64) -> Result<(), String> {
    if requests == 0 || requests > limits::REQUESTS_MAX {
        return Err(format!(
            "a trace holds between 1 and {} requests (got {})",
            thousands(limits::REQUESTS_MAX),
            thousands(requests)
        ));
    }
    Ok(())
}

/// `requests` keys drawn uniformly from 1..=keys.
pub fn uniform(keys: u64, requests: u64, seed: u64) -> Vec<u64> {
    let mut rng = SimRng::new(seed);
    (0..requests).map(|_| 1 + rng.below(keys)).collect()
}

/// `requests` keys drawn by Zipf(s) from 1..=keys, key 1 the most popular.
pub fn zipf(keys: u64, s: f64, requests: u64, seed: u64) -> Vec<u64> {
    let z = Zipf::new(keys, s);
    let mut rng = SimRng::new(seed);
    (0..requests).map(|_| z.sample(&mut rng)).collect()
}

/// [`zipf`] with a scan of `scan_length` new keys after every `scan_every` Zipf requests, `requests` in
/// all; scan keys count up from keys + 1.
pub fn zipf_with_scans(keys: u64, s: f64, requests: u64, seed: u64, scan_every: u64, scan_length: u64) -> Vec<u64> {
    // Zipf requests among the first `requests`: whole rounds, then what the last round reaches.
    let round = scan_every + scan_length;
    let base = requests / round * scan_every + (requests % round).min(scan_every);
    let mut trace = with_scans(&zipf(keys, s, base, seed), scan_every, scan_length, keys + 1);
    trace.truncate(requests as usize);
    trace
}

/// Any trace with a scan mixed in: after every `scan_every` of its requests, `scan_length` keys never
/// requested before, counting up from `first_scan_key` (above the trace's own keys, so they never
/// repeat). The trace's requests keep their order.
pub fn with_scans(trace: &[u64], scan_every: u64, scan_length: u64, first_scan_key: u64) -> Vec<u64> {
    assert!(scan_every > 0, "a scan comes after at least one request");
    let scans = trace.len() as u64 / scan_every * scan_length;
    let mut out = Vec::with_capacity(trace.len() + scans as usize);
    let mut next = first_scan_key;
    for chunk in trace.chunks(scan_every as usize) {
        out.extend_from_slice(chunk);
        if chunk.len() as u64 == scan_every {
            out.extend(next..next + scan_length);
            next += scan_length;
        }
    }
    out
}

/// 1, 2, …, keys, 1, 2, … for `requests` requests.
pub fn looping(keys: u64, requests: u64) -> Vec<u64> {
    (0..requests).map(|i| 1 + i % keys).collect()
}

/// Reads a trace: one key (a whole number, 0 to 2^64 − 1) per line; surrounding spaces and a trailing
/// carriage return are ignored, blank lines and lines starting with `*` (comments) skipped. Any other
/// line is refused with its number, and so is a trace of more than [`limits::REQUESTS_MAX`] requests,
/// as soon as the next one is read, so a huge input is never held whole.
pub fn read_trace(reader: impl BufRead) -> Result<Vec<u64>, String> {
    read_capped(reader, limits::REQUESTS_MAX)
}

/// [`read_trace`] refusing more than `cap` requests.
fn read_capped(mut reader: impl BufRead, cap: u64) -> Result<Vec<u64>, String> {
    let mut trace = Vec::new();
    let mut line = Vec::with_capacity(limits::LINE_LEN_MAX + 1);
    let mut number = 0usize;
    loop {
        line.clear();
        let read = Read::by_ref(&mut reader)
            .take(limits::LINE_LEN_MAX as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| match number {
                0 => format!("the trace could not be read: {e}"),
                n => format!("the trace could not be read past line {n}: {e}"),
            })?;
        if read == 0 {
            return Ok(trace);
        }
        number += 1;
        if line.len() > limits::LINE_LEN_MAX {
            return Err(format!(
                "line {number} of the trace is longer than {} characters, so it cannot be a key: a trace \
                 holds one whole number per line",
                limits::LINE_LEN_MAX
            ));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() || text.starts_with('*') {
            continue;
        }
        let key: u64 = text.parse().map_err(|_| {
            format!(
                "line {number} of the trace is not a key: \"{text}\" (a trace holds one whole number from 0 to \
                 18446744073709551615 per line; blank lines and lines starting with * are skipped)"
            )
        })?;
        if trace.len() as u64 == cap {
            return Err(format!(
                "the trace holds more than {} requests, the most one replay takes: cut it shorter",
                thousands(cap)
            ));
        }
        trace.push(key);
    }
}

/// [`read_trace`] over text.
pub fn parse_trace(text: &str) -> Result<Vec<u64>, String> {
    read_trace(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_are_pure_functions_of_the_seed() {
        let w = Workload::Zipf { keys: 1000, s: 0.9, requests: 5000 };
        assert_eq!(w.generate(1).unwrap(), w.generate(1).unwrap());
        assert_ne!(w.generate(1).unwrap(), w.generate(2).unwrap());
        let u = Workload::Uniform { keys: 10, requests: 10_000 }.generate(3).unwrap();
        assert!(u.iter().all(|k| (1..=10).contains(k)));
        let mut counts = [0u32; 10];
        u.iter().for_each(|&k| counts[k as usize - 1] += 1);
        // 1000 expected each; sd ≈ 30.
        assert!(counts.iter().all(|&c| (850..1150).contains(&c)), "{counts:?}");
        assert_eq!(Workload::notes_example(6).generate(0).unwrap(), [1, 2, 3, 4, 1, 2]);
        assert_eq!(Workload::Scan { requests: 4 }.generate(0).unwrap(), [1, 2, 3, 4]);
    }

    #[test]
    fn scans_interleave_new_keys_that_never_repeat() {
        let w = Workload::ZipfWithScans { keys: 100, s: 1.0, requests: 1000, scan_every: 40, scan_length: 10 };
        let t = w.generate(5).unwrap();
        assert_eq!(t.len(), 1000);
        let scan: Vec<u64> = t.iter().copied().filter(|&k| k > 100).collect();
        assert_eq!(scan.len(), 200, "1000 requests in 20 rounds of 40 + 10");
        assert!(scan.windows(2).all(|w| w[1] == w[0] + 1) && scan[0] == 101);
        assert!(t[..40].iter().all(|&k| k <= 100) && t[40..50].iter().all(|&k| k > 100));
        // The Zipf requests are the plain Zipf workload's, in order.
        let zipf_part: Vec<u64> = t.iter().copied().filter(|&k| k <= 100).collect();
        assert_eq!(zipf_part, zipf(100, 1.0, 800, 5));
        // Shorter traces are prefixes, cut inside a scan or inside the Zipf requests.
        for n in [45, 37, 999] {
            let w = Workload::ZipfWithScans { keys: 100, s: 1.0, requests: n, scan_every: 40, scan_length: 10 };
            assert_eq!(w.generate(5).unwrap(), t[..n as usize]);
        }
        // Mixed into another workload: a loop over 3 keys, a scan of 2 after every 4 requests.
        assert_eq!(with_scans(&looping(3, 9), 4, 2, 10), [1, 2, 3, 1, 10, 11, 2, 3, 1, 2, 12, 13, 3]);
    }

    #[test]
    fn bad_workloads_are_refused_with_a_sentence() {
        let cases = [
            (Workload::Uniform { keys: 0, requests: 1 }, "a workload draws from between 1 and 10,000,000 keys (got 0)"),
            (
                Workload::Zipf { keys: 5, s: -0.5, requests: 1 },
                "the Zipf exponent s must be between 0 and 5 (got -0.5)",
            ),
            (
                Workload::Zipf { keys: 5, s: f64::NAN, requests: 1 },
                "the Zipf exponent s must be between 0 and 5 (got NaN)",
            ),
            (Workload::Loop { keys: 3, requests: 0 }, "a trace holds between 1 and 10,000,000 requests (got 0)"),
            (
                Workload::Scan { requests: 10_000_001 },
                "a trace holds between 1 and 10,000,000 requests (got 10,000,001)",
            ),
            (
                Workload::ZipfWithScans { keys: 5, s: 1.0, requests: 9, scan_every: 0, scan_length: 3 },
                "a scan must come after at least one Zipf request (scan_every is 0)",
            ),
            (
                Workload::ZipfWithScans { keys: 5, s: 1.0, requests: 9, scan_every: 3, scan_length: 0 },
                "a scan's length must be between 1 and 10,000,000 (got 0)",
            ),
        ];
        for (w, says) in cases {
            assert_eq!(w.generate(1).unwrap_err(), says);
        }
    }

    #[test]
    fn traces_skip_comments_and_refuse_malformed_lines_by_number() {
        assert_eq!(parse_trace("* a comment\n1\r\n\n  2 \n*\n18446744073709551615").unwrap(), [1, 2, u64::MAX]);
        assert_eq!(parse_trace("").unwrap(), Vec::<u64>::new());
        assert_eq!(
            parse_trace("1\n2\nthree\n").unwrap_err(),
            "line 3 of the trace is not a key: \"three\" (a trace holds one whole number from 0 to \
             18446744073709551615 per line; blank lines and lines starting with * are skipped)"
        );
        assert!(parse_trace("1\n-4\n").unwrap_err().starts_with("line 2 of the trace is not a key: \"-4\""));
        assert!(parse_trace("18446744073709551616").unwrap_err().starts_with("line 1 of the trace is not a key"));
        let long = format!("1\n{}\n", "7".repeat(100));
        assert!(parse_trace(&long).unwrap_err().starts_with("line 2 of the trace is longer than 64 characters"));
        assert!(parse_trace("1\n\u{0}\u{1f}\n").unwrap_err().starts_with("line 2 of the trace is not a key"));
    }

    #[test]
    fn a_trace_over_the_cap_is_refused() {
        // Ten million lines take seconds to parse unoptimised; the cap is a parameter inside.
        let over = "* comment\n1\n\n".repeat(1001);
        assert_eq!(
            read_capped(over.as_bytes(), 1000).unwrap_err(),
            "the trace holds more than 1,000 requests, the most one replay takes: cut it shorter"
        );
        assert_eq!(read_capped(&over.as_bytes()[13..], 1000).unwrap().len(), 1000);
    }
}
