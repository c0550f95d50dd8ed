//! Topics and subscription patterns. A topic is dot-separated words (`order_created`,
//! `orders.eu.created`); a pattern matches topics exactly, by prefix, or with RabbitMQ's topic-exchange
//! wildcards (`*` is exactly one word, `#` is zero or more words).

use serde::{Deserialize, Serialize};

/// Longest topic or pattern, in characters.
pub const TOPIC_LEN_MAX: usize = 64;
/// Most dot-separated words in a topic or pattern.
pub const WORDS_MAX: usize = 16;

/// How a subscription's pattern is compared with a topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternKind {
    /// The topic equals the pattern (the notes' `subscribe(eventType, callback)`).
    Exact,
    /// The topic starts with the pattern's text (`order_` matches `order_created`).
    Prefix,
    /// RabbitMQ topic-exchange semantics: `*` one word, `#` zero or more words.
    Wildcard,
}

impl PatternKind {
    /// The word the page and the history use.
    pub fn label(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Prefix => "prefix",
            Self::Wildcard => "wildcard",
        }
    }
}

/// A subscription's pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pattern {
    pub kind: PatternKind,
    pub text: String,
}

fn word_ok(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn length_ok(what: &str, s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if s.chars().count() > TOPIC_LEN_MAX {
        return Err(format!("the {what} is longer than {TOPIC_LEN_MAX} characters"));
    }
    if s.split('.').count() > WORDS_MAX {
        return Err(format!("the {what} has more than {WORDS_MAX} dot-separated words"));
    }
    Ok(())
}

/// Checks a topic: 1 to 64 characters, words of letters, digits, `_` or `-` separated by single dots.
pub fn validate_topic(topic: &str) -> Result<(), String> {
    length_ok("topic", topic)?;
    if topic.split('.').all(word_ok) {
        Ok(())
    } else {
        Err(format!(
            "the topic \"{topic}\" is not valid: use words of letters, digits, _ or - separated by single dots (like order_created or orders.eu.created)"
        ))
    }
}

impl Pattern {
    pub fn new(kind: PatternKind, text: impl Into<String>) -> Self {
        Self { kind, text: text.into() }
    }

    /// Checks the pattern's text for its kind, with a sentence saying what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let t = &self.text;
        match self.kind {
            PatternKind::Exact => validate_topic(t).map_err(|e| e.replace("topic", "pattern")),
            PatternKind::Prefix => {
                length_ok("prefix", t)?;
                if t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
                    Ok(())
                } else {
                    Err(format!("the prefix \"{t}\" may only hold letters, digits, _, - and dots"))
                }
            }
            PatternKind::Wildcard => {
                length_ok("pattern", t)?;
                if t.split('.').all(|w| w == "*" || w == "#" || word_ok(w)) {
                    Ok(())
                } else {
                    Err(format!(
                        "the wildcard pattern \"{t}\" is not valid: each dot-separated word is a word, * (one word) or # (zero or more words)"
                    ))
                }
            }
        }
    }

    /// True when a (valid) topic matches this pattern.
    pub fn matches(&self, topic: &str) -> bool {
        match self.kind {
            PatternKind::Exact => topic == self.text,
            PatternKind::Prefix => topic.starts_with(&self.text),
            PatternKind::Wildcard => {
                let p: Vec<&str> = self.text.split('.').collect();
                let t: Vec<&str> = topic.split('.').collect();
                wildcard(&p, &t)
            }
        }
    }

    /// `kind:text`, for the history and the page.
    pub fn describe(&self) -> String {
        format!("{} {}", self.kind.label(), self.text)
    }
}

/// Topic-exchange matching by dynamic programming over (pattern words, topic words): `m[i][j]` is true
/// when the first `i` pattern words match the first `j` topic words. Linear in the product of the
/// lengths, whatever the number of `#`.
fn wildcard(p: &[&str], t: &[&str]) -> bool {
    let (n, k) = (p.len(), t.len());
    let mut m = vec![vec![false; k + 1]; n + 1];
    m[0][0] = true;
    for i in 1..=n {
        for j in 0..=k {
            m[i][j] = match p[i - 1] {
                // `#` takes no word (m[i-1][j]) or one more word (m[i][j-1]).
                "#" => m[i - 1][j] || (j > 0 && m[i][j - 1]),
                "*" => j > 0 && m[i - 1][j - 1],
                w => j > 0 && m[i - 1][j - 1] && t[j - 1] == w,
            };
        }
    }
    m[n][k]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_alone_matches_everything_and_star_one_word() {
        let all = Pattern::new(PatternKind::Wildcard, "#");
        assert!(all.matches("a") && all.matches("a.b.c"));
        let one = Pattern::new(PatternKind::Wildcard, "*");
        assert!(one.matches("a") && !one.matches("a.b"));
        assert!(Pattern::new(PatternKind::Wildcard, "a.#.b").matches("a.b"));
        assert!(Pattern::new(PatternKind::Wildcard, "a.#.b").matches("a.x.y.b"));
        assert!(!Pattern::new(PatternKind::Wildcard, "a.#.b").matches("a.x.y"));
    }

    #[test]
    fn validation_messages() {
        assert!(validate_topic("order_created").is_ok());
        assert!(validate_topic("orders.eu.created").is_ok());
        assert!(validate_topic("").unwrap_err().contains("empty"));
        assert!(validate_topic("a..b").unwrap_err().contains("single dots"));
        assert!(validate_topic("a b").is_err());
        assert!(validate_topic("order.*").is_err());
        assert!(Pattern::new(PatternKind::Wildcard, "order.*").validate().is_ok());
        assert!(Pattern::new(PatternKind::Wildcard, "order.x*").validate().is_err());
        assert!(Pattern::new(PatternKind::Prefix, "order_").validate().is_ok());
        assert!(Pattern::new(PatternKind::Exact, "<b>").validate().unwrap_err().contains("pattern"));
    }
}
