//! Topic patterns: RabbitMQ's documented topic-exchange examples (tutorial five, "Topics") and
//! properties of exact, prefix and wildcard matching.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sysplay::sim::pubsub::{Pattern, PatternKind, validate_topic};

fn w(text: &str) -> Pattern {
    Pattern::new(PatternKind::Wildcard, text)
}

#[test]
fn rabbitmq_tutorial_five_examples() {
    // Q1 is bound with *.orange.*, Q2 with *.*.rabbit and lazy.#.
    let q1 = [w("*.orange.*")];
    let q2 = [w("*.*.rabbit"), w("lazy.#")];
    let to = |qs: &[Pattern], t: &str| qs.iter().any(|p| p.matches(t));
    for (topic, in_q1, in_q2) in [
        ("quick.orange.rabbit", true, true),
        ("lazy.orange.elephant", true, true),
        ("quick.orange.fox", true, false),
        ("lazy.brown.fox", false, true),
        ("lazy.pink.rabbit", false, true),
        ("quick.brown.fox", false, false),
        ("orange", false, false),
        ("quick.orange.new.rabbit", false, false),
        ("lazy.orange.new.rabbit", false, true),
    ] {
        assert!(validate_topic(topic).is_ok());
        assert_eq!(to(&q1, topic), in_q1, "Q1 {topic}");
        assert_eq!(to(&q2, topic), in_q2, "Q2 {topic}");
    }
    // "#" alone behaves like a fanout exchange; a pattern without * or # like a direct one.
    assert!(w("#").matches("quick.orange.rabbit") && w("#").matches("orange"));
    assert!(
        w("quick.orange.rabbit").matches("quick.orange.rabbit") && !w("quick.orange.rabbit").matches("quick.orange")
    );
}

#[test]
fn exact_and_prefix() {
    let e = Pattern::new(PatternKind::Exact, "order_created");
    assert!(e.matches("order_created") && !e.matches("order_created.eu") && !e.matches("order_cancelled"));
    let p = Pattern::new(PatternKind::Prefix, "order_");
    assert!(p.matches("order_created") && p.matches("order_cancelled") && !p.matches("payment.succeeded"));
}

/// A reference matcher by plain recursion (exponential, fine for short inputs).
fn reference(p: &[&str], t: &[&str]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some((&"#", rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
        Some((&"*", rest)) => !t.is_empty() && reference(rest, &t[1..]),
        Some((word, rest)) => t.first() == Some(word) && reference(rest, &t[1..]),
    }
}

fn topic() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(prop_oneof![Just("a"), Just("b"), Just("c")], 1..7)
}

fn pattern() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(prop_oneof![Just("a"), Just("b"), Just("*"), Just("#")], 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn wildcard_agrees_with_the_recursive_definition(p in pattern(), t in topic()) {
        prop_assert_eq!(w(&p.join(".")).matches(&t.join(".")), reference(&p, &t));
    }

    #[test]
    fn a_topic_matches_itself_and_hash_everywhere(t in topic()) {
        let topic = t.join(".");
        prop_assert!(w(&topic).matches(&topic));
        prop_assert!(Pattern::new(PatternKind::Exact, topic.clone()).matches(&topic));
        prop_assert!(w("#").matches(&topic));
        // Replacing each word by * still matches; appending .# still matches.
        prop_assert!(w(&vec!["*"; t.len()].join(".")).matches(&topic));
        let hashed = format!("{topic}.#");
        prop_assert!(w(&hashed).matches(&topic));
        // Every prefix of the text is a matching prefix pattern.
        for i in 1..=topic.len() {
            prop_assert!(Pattern::new(PatternKind::Prefix, &topic[..i]).matches(&topic));
        }
    }

    #[test]
    fn star_counts_words(t in topic(), n in 1usize..7) {
        prop_assert_eq!(w(&vec!["*"; n].join(".")).matches(&t.join(".")), n == t.len());
    }
}
