//! Availability by algebra and by Monte Carlo, from an expression of parts in series and in parallel.
//!
//! **The expression.** A leaf is `name:A`, A an availability (`0.999` or `99.9%`); `X > Y` puts parts
//! in series (all must be up); `X | Y` in parallel (one is enough); `k/n(X, Y, ...)` needs k of its n
//! parts up; parentheses group; `|` and `k/n` bind tighter than `>`. Every leaf is its own part, failing
//! independently of the others (two `db:0.999` are two databases).
//!
//! **Algebra.** Series multiply availabilities; parallel parts are down only when all are, 1 - the
//! product of the unavailabilities; k of n is the chance that at least k of n independent parts are up
//! (the Poisson binomial, by dynamic programming: the parts need not be alike).
//!
//! **Monte Carlo.** Each trial draws every leaf up with its availability and evaluates the structure;
//! the share of trials up estimates the availability, with standard error sqrt(p (1 - p) / trials).

use crate::sim::kernel::SimRng;
use serde::Serialize;

/// Limits.
pub mod limits {
    pub const CHARS_MAX: usize = 10_000;
    pub const LEAVES_MAX: usize = 1_000;
    pub const DEPTH_MAX: usize = 64;
    /// Most trials × leaves of one Monte Carlo estimate (a few seconds natively).
    pub const DRAWS_MAX: u64 = 500_000_000;
    pub const TRIALS_DEFAULT: u64 = 1_000_000;
}

/// Minutes in a year of 365 days (the usual table of nines: 99.9% is 8.76 hours down a year).
pub const MINUTES_PER_YEAR: f64 = 525_600.0;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A part: its name, its availability and its number among the leaves.
    Leaf {
        name: String,
        availability: f64,
        index: usize,
    },
    Series(Vec<Node>),
    Parallel(Vec<Node>),
    /// At least `k` of the parts up.
    KOfN {
        k: usize,
        parts: Vec<Node>,
    },
}

impl Node {
    /// The availability by algebra.
    pub fn analytic(&self) -> f64 {
        match self {
            Node::Leaf { availability, .. } => *availability,
            Node::Series(parts) => parts.iter().map(Node::analytic).product(),
            Node::Parallel(parts) => 1.0 - parts.iter().map(|p| 1.0 - p.analytic()).product::<f64>(),
            Node::KOfN { k, parts } => at_least(*k, &parts.iter().map(Node::analytic).collect::<Vec<_>>()),
        }
    }

    /// Whether the structure is up with each leaf up as `up` says.
    pub fn is_up(&self, up: &[bool]) -> bool {
        match self {
            Node::Leaf { index, .. } => up[*index],
            Node::Series(parts) => parts.iter().all(|p| p.is_up(up)),
            Node::Parallel(parts) => parts.iter().any(|p| p.is_up(up)),
            Node::KOfN { k, parts } => parts.iter().filter(|p| p.is_up(up)).count() >= *k,
        }
    }

    /// The leaves' availabilities, by their numbers.
    pub fn leaves(&self) -> Vec<f64> {
        fn walk(n: &Node, out: &mut Vec<(usize, f64)>) {
            match n {
                Node::Leaf { availability, index, .. } => out.push((*index, *availability)),
                Node::Series(p) | Node::Parallel(p) | Node::KOfN { parts: p, .. } => {
                    p.iter().for_each(|c| walk(c, out))
                }
            }
        }
        let mut v = Vec::new();
        walk(self, &mut v);
        v.sort_by_key(|&(i, _)| i);
        v.into_iter().map(|(_, a)| a).collect()
    }
}

/// The chance that at least `k` of parts up with chances `a` are up.
pub fn at_least(k: usize, a: &[f64]) -> f64 {
    // dist[j]: the chance that exactly j of the parts so far are up.
    let mut dist = vec![0.0; a.len() + 1];
    dist[0] = 1.0;
    for (i, &p) in a.iter().enumerate() {
        for j in (0..=i + 1).rev() {
            dist[j] = dist[j] * (1.0 - p) + if j > 0 { dist[j - 1] * p } else { 0.0 };
        }
    }
    dist[k.min(a.len() + 1)..].iter().sum()
}

/// A parse error: where, and what was expected.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    /// Character offset of the problem.
    pub at: usize,
    pub message: String,
}

impl ParseError {
    /// The message, the expression and a caret under the place.
    pub fn show(&self, expr: &str) -> String {
        let col = expr.chars().take(self.at).count();
        format!("{} (at character {}):\n  {expr}\n  {}^", self.message, col + 1, " ".repeat(col))
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    leaves: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError { at: self.i, message: message.into() })
    }

    fn skip(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip();
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// series := parallel ('>' parallel)*
    fn series(&mut self) -> Result<Node, ParseError> {
        self.depth += 1;
        if self.depth > limits::DEPTH_MAX {
            return self.err(format!("more than {} levels of nesting", limits::DEPTH_MAX));
        }
        let mut parts = vec![self.parallel()?];
        while self.eat(b'>') {
            parts.push(self.parallel()?);
        }
        self.depth -= 1;
        Ok(if parts.len() == 1 { parts.pop().expect("one part") } else { Node::Series(parts) })
    }

    /// parallel := unit ('|' unit)*
    fn parallel(&mut self) -> Result<Node, ParseError> {
        let mut parts = vec![self.unit()?];
        while self.eat(b'|') {
            parts.push(self.unit()?);
        }
        Ok(if parts.len() == 1 { parts.pop().expect("one part") } else { Node::Parallel(parts) })
    }

    fn number(&mut self) -> &str {
        let start = self.i;
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or("")
    }

    /// unit := '(' series ')' | k '/' n '(' series (',' series)* ')' | name ':' availability
    fn unit(&mut self) -> Result<Node, ParseError> {
        match self.peek() {
            None => self.err("expected a part (name:availability), a group in parentheses or k/n(...), found the end"),
            Some(b'(') => {
                self.i += 1;
                let inner = self.series()?;
                if !self.eat(b')') {
                    return self.err("expected ) to close the group");
                }
                Ok(inner)
            }
            Some(c) if c.is_ascii_digit() => {
                let at = self.i;
                let k: usize =
                    self.number().parse().map_err(|_| ParseError { at, message: "k must be a whole number".into() })?;
                if !self.eat(b'/') {
                    return self.err("expected / after k in k/n(...) (a name cannot start with a digit)");
                }
                self.skip();
                let at_n = self.i;
                let n: usize = self
                    .number()
                    .parse()
                    .map_err(|_| ParseError { at: at_n, message: "n must be a whole number".into() })?;
                if !self.eat(b'(') {
                    return self.err(format!("expected ( after {k}/{n}"));
                }
                let mut parts = vec![self.series()?];
                while self.eat(b',') {
                    parts.push(self.series()?);
                }
                if !self.eat(b')') {
                    return self.err(format!("expected , or ) in {k}/{n}(...)"));
                }
                if parts.len() != n {
                    return Err(ParseError {
                        at: at_n,
                        message: format!("{k}/{n} needs {n} parts, got {}", parts.len()),
                    });
                }
                if k == 0 || k > n {
                    return Err(ParseError { at, message: format!("k/n needs 1 <= k <= n (got {k}/{n})") });
                }
                Ok(Node::KOfN { k, parts })
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let start = self.i;
                while self.s.get(self.i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-') {
                    self.i += 1;
                }
                let name = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                if !self.eat(b':') {
                    return self
                        .err(format!("expected : and an availability after \"{name}\" (for example {name}:0.999)"));
                }
                self.skip();
                let at = self.i;
                let text = self.number().to_string();
                let percent = self.s.get(self.i) == Some(&b'%');
                if percent {
                    self.i += 1;
                }
                let value: f64 = text.parse().map_err(|_| ParseError {
                    at,
                    message: format!("expected an availability for \"{name}\": a number such as 0.999 or 99.9%"),
                })?;
                let availability = if percent { value / 100.0 } else { value };
                if !(0.0..=1.0).contains(&availability) {
                    return Err(ParseError {
                        at,
                        message: format!("\"{name}\"'s availability must be between 0 and 1 (or 0% and 100%)"),
                    });
                }
                if self.leaves >= limits::LEAVES_MAX {
                    return Err(ParseError { at: start, message: format!("more than {} parts", limits::LEAVES_MAX) });
                }
                self.leaves += 1;
                Ok(Node::Leaf { name, availability, index: self.leaves - 1 })
            }
            Some(c) => {
                self.err(format!("unexpected \"{}\": expected a part (name:availability), ( or k/n(", c as char))
            }
        }
    }
}

/// Parses an expression.
pub fn parse(expr: &str) -> Result<Node, ParseError> {
    if expr.len() > limits::CHARS_MAX {
        return Err(ParseError {
            at: 0,
            message: format!("the expression is longer than {} characters", limits::CHARS_MAX),
        });
    }
    if let Some(at) = expr.find(|c: char| !c.is_ascii()) {
        return Err(ParseError {
            at: expr[..at].chars().count(),
            message: "only ASCII characters are understood".into(),
        });
    }
    let mut p = Parser { s: expr.as_bytes(), i: 0, leaves: 0, depth: 0 };
    let node = p.series()?;
    if p.peek().is_some() {
        return p.err("expected > or | between parts, or the end");
    }
    Ok(node)
}

/// Both estimates.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub analytic: f64,
    pub monte_carlo: f64,
    pub monte_carlo_stderr: f64,
    pub trials: u64,
    /// From the algebra.
    pub downtime_min_per_year: f64,
    /// -log10(1 - availability), from the algebra (infinite when never down).
    pub nines: f64,
}

/// The Monte Carlo estimate over `trials` trials from `seed`: the share up and its standard error.
pub fn monte_carlo(node: &Node, trials: u64, seed: u64) -> (f64, f64) {
    let a = node.leaves();
    let mut rng = SimRng::new(seed);
    let mut up = vec![true; a.len()];
    let mut good = 0u64;
    for _ in 0..trials {
        for (u, &p) in up.iter_mut().zip(&a) {
            *u = rng.unit_f64() < p;
        }
        good += u64::from(node.is_up(&up));
    }
    let p = good as f64 / trials as f64;
    (p, (p * (1.0 - p) / trials as f64).sqrt())
}

/// Parses `expr` and estimates it both ways; a sentence (with the place shown) when it cannot.
pub fn estimate(expr: &str, trials: u64, seed: u64) -> Result<Estimate, String> {
    let node = parse(expr).map_err(|e| e.show(expr))?;
    let leaves = node.leaves().len() as u64;
    if trials == 0 || trials.saturating_mul(leaves) > limits::DRAWS_MAX {
        return Err(format!(
            "between 1 and {} trials for {leaves} parts (trials × parts at most {})",
            limits::DRAWS_MAX / leaves.max(1),
            limits::DRAWS_MAX
        ));
    }
    let analytic = node.analytic();
    let (monte_carlo, monte_carlo_stderr) = monte_carlo(&node, trials, seed);
    Ok(Estimate {
        analytic,
        monte_carlo,
        monte_carlo_stderr,
        trials,
        downtime_min_per_year: (1.0 - analytic) * MINUTES_PER_YEAR,
        nines: -(1.0 - analytic).log10(),
    })
}
