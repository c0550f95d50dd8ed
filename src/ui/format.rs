//! How numbers are written on screen.

/// A percentage with two decimals: `80.00%`.
pub fn pct(value: f64) -> String {
    format!("{value:.2}%")
}

/// An optional percentage; `—` when it does not apply.
pub fn pct_or_dash(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), pct)
}

/// A count with thousands separators: `1,000,000` (the core's format, so the page and the core's
/// sentences write numbers alike).
pub fn count(n: u64) -> String {
    crate::sim::budget::thousands(n)
}

/// A user's name as it can be shown safely: invisible formatting characters (bidirectional overrides
/// and isolates, zero-width characters) written out as `<U+202E>`, so "\u{202e}evil" never shows as
/// "live" and every name reads as typed. Wrap it in `<bdi>` where it sits beside other text.
pub fn shown(name: &str) -> String {
    let invisible = |c: char| matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{061c}' | '\u{feff}');
    if !name.chars().any(invisible) {
        return name.to_string();
    }
    name.chars().map(|c| if invisible(c) { format!("<U+{:04X}>", c as u32) } else { c.to_string() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn names_show_as_typed() {
        assert_eq!(shown("S1"), "S1");
        assert_eq!(shown("\u{202e}evil"), "<U+202E>evil");
        assert_eq!(shown("a\u{200b}b\u{2066}"), "a<U+200B>b<U+2066>");
        assert_eq!(shown("Zoë 東京"), "Zoë 東京");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn formats() {
        assert_eq!(pct(80.0), "80.00%");
        assert_eq!(pct(3.90625), "3.91%");
        assert_eq!(pct_or_dash(None), "—");
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_000_000), "1,000,000");
    }
}
