//! Server colours: the same server has the same colour in the ring, the pies and the bars.

/// Twelve colours readable on light and dark backgrounds (Tableau-like), then golden-angle hues.
const BASE: [(u8, u8, u8); 12] = [
    (78, 121, 167),
    (242, 142, 43),
    (225, 87, 89),
    (118, 183, 178),
    (89, 161, 79),
    (237, 201, 72),
    (176, 122, 161),
    (255, 157, 167),
    (156, 117, 95),
    (140, 140, 140),
    (31, 119, 180),
    (188, 189, 34),
];

/// The colour of server slot `i` as RGB.
pub fn rgb(i: usize) -> (u8, u8, u8) {
    if i < BASE.len() {
        return BASE[i];
    }
    let hue = (i as f64 * 137.507_764) % 360.0;
    hsl_to_rgb(hue, 0.55, 0.55)
}

/// The colour of server slot `i` as CSS.
pub fn css(i: usize) -> String {
    let (r, g, b) = rgb(i);
    format!("rgb({r},{g},{b})")
}

fn hsl_to_rgb(h: f64, s: f64, l: f64) -> (u8, u8, u8) {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let m = l - c / 2.0;
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    (to(r), to(g), to(b))
}

/// A small colour square for server slot `i`, as SVG (a `fill` attribute, so a strict
/// Content-Security-Policy without inline styles allows it).
pub fn swatch(i: usize) -> yew::Html {
    yew::html! {
        <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill={css(i)} /></svg>
    }
}
