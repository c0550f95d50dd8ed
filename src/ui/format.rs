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

#[cfg(test)]
mod tests {
    use super::*;

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
