//! Charts drawn with plotters on a canvas. Each chart redraws when its data or the window size changes;
//! the numbers it shows are also in a table next to it (for screen readers and exact reading).

use super::{palette, persist};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// One slice or bar: a label, a value and the palette slot of its colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Datum {
    pub label: String,
    pub value: f64,
    pub color: usize,
}

/// Bumps a counter on window resize so that charts redraw at their new width.
#[hook]
fn use_window_width() -> u32 {
    let width = use_state(|| 0u32);
    {
        let width = width.clone();
        use_effect_with((), move |_| {
            let read = || web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|v| v.as_f64()).unwrap_or(0.0);
            width.set(read() as u32);
            let listener = Closure::<dyn Fn()>::new(move || width.set(read() as u32));
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("resize", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback("resize", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    *width
}

/// Sizes the canvas to its CSS box times the device pixel ratio; returns the ratio.
fn fit(canvas: &HtmlCanvasElement, css_height: u32) -> f64 {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let css_width = canvas.client_width().max(120) as f64;
    canvas.set_width((css_width * dpr) as u32);
    canvas.set_height((css_height as f64 * dpr) as u32);
    dpr
}

fn colors() -> (RGBColor, RGBColor) {
    if persist::prefers_dark() {
        (RGBColor(230, 232, 236), RGBColor(70, 76, 88))
    } else {
        (RGBColor(32, 36, 44), RGBColor(210, 214, 220))
    }
}

fn rgb(slot: usize) -> RGBColor {
    let (r, g, b) = palette::rgb(slot);
    RGBColor(r, g, b)
}

#[derive(Properties, PartialEq)]
pub struct PieProps {
    pub data: Rc<Vec<Datum>>,
    pub testid: &'static str,
    pub label: String,
}

/// A pie of shares (labels are in the legend beside it, so tiny slices never overlap).
#[function_component(PieChart)]
pub fn pie_chart(props: &PieProps) -> Html {
    let canvas = use_node_ref();
    let width = use_window_width();
    {
        let canvas = canvas.clone();
        use_effect_with((props.data.clone(), width), move |(data, _)| {
            let data = data.clone();
            super::later::soon(move || {
                if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                    draw_pie(&c, &data);
                }
            });
        });
    }
    html! { <canvas ref={canvas} class="chart pie" data-testid={props.testid} role="img" aria-label={props.label.clone()} /> }
}

fn draw_pie(canvas: &HtmlCanvasElement, data: &[Datum]) -> Option<()> {
    let dpr = fit(canvas, 220);
    let backend = CanvasBackend::with_canvas_object(canvas.clone())?;
    let root = backend.into_drawing_area();
    root.fill(&TRANSPARENT).ok()?;
    let (w, h) = root.dim_in_pixel();
    let center = ((w / 2) as i32, (h / 2) as i32);
    let radius = (w.min(h) as f64) * 0.45;
    let shown: Vec<&Datum> = data.iter().filter(|d| d.value > 0.0).collect();
    if shown.is_empty() {
        let (fg, _) = colors();
        let style = TextStyle::from(("sans-serif", 14.0 * dpr).into_font()).color(&fg);
        root.draw_text("no servers", &style, (center.0 - (40.0 * dpr) as i32, center.1)).ok()?;
        return Some(());
    }
    let sizes: Vec<f64> = shown.iter().map(|d| d.value).collect();
    let cols: Vec<RGBColor> = shown.iter().map(|d| rgb(d.color)).collect();
    let labels: Vec<&str> = shown.iter().map(|_| "").collect();
    let mut pie = Pie::new(&center, &radius, &sizes, &cols, &labels);
    pie.start_angle(-90.0);
    root.draw(&pie).ok()?;
    root.present().ok()
}

#[derive(Properties, PartialEq)]
pub struct BarsProps {
    /// Groups of bars, one per server: (server label, colour slot, values per series).
    pub groups: Rc<Vec<(String, usize, Vec<f64>)>>,
    /// Series names, in the order of each group's values.
    pub series: Vec<&'static str>,
    /// A dashed reference line (for example the mean).
    pub reference: Option<(f64, String)>,
    /// A shaded band (low, high), for example mean ± one theoretical standard deviation.
    #[prop_or_default]
    pub band: Option<(f64, f64)>,
    pub testid: &'static str,
    pub label: String,
}

/// Grouped bars: per server, one bar per series (the second series hatched lighter).
#[function_component(BarChart)]
pub fn bar_chart(props: &BarsProps) -> Html {
    let canvas = use_node_ref();
    let width = use_window_width();
    {
        let canvas = canvas.clone();
        let series = props.series.len();
        use_effect_with(
            (props.groups.clone(), props.reference.clone(), props.band, width),
            move |(groups, reference, band, _)| {
                let (groups, reference, band) = (groups.clone(), reference.clone(), *band);
                super::later::soon(move || {
                    if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                        draw_bars(&c, &groups, series, reference.as_ref(), band);
                    }
                });
            },
        );
    }
    html! { <canvas ref={canvas} class="chart bars" data-testid={props.testid} role="img" aria-label={props.label.clone()} /> }
}

fn draw_bars(
    canvas: &HtmlCanvasElement,
    groups: &[(String, usize, Vec<f64>)],
    series: usize,
    reference: Option<&(f64, String)>,
    band: Option<(f64, f64)>,
) -> Option<()> {
    let dpr = fit(canvas, 240);
    let backend = CanvasBackend::with_canvas_object(canvas.clone())?;
    let root = backend.into_drawing_area();
    root.fill(&TRANSPARENT).ok()?;
    let (fg, grid) = colors();
    let n = groups.len().max(1);
    let max = groups
        .iter()
        .flat_map(|g| g.2.iter().copied())
        .chain(reference.map(|r| r.0))
        .chain(band.map(|b| b.1))
        .fold(1.0, f64::max);
    let font = |size: f64| TextStyle::from(("sans-serif", size * dpr).into_font()).color(&fg);
    let mut chart = ChartBuilder::on(&root)
        .margin((8.0 * dpr) as u32)
        .x_label_area_size((if n <= 24 { 22.0 } else { 6.0 } * dpr) as u32)
        .y_label_area_size((52.0 * dpr) as u32)
        .build_cartesian_2d(0.0..n as f64, 0.0..max * 1.08)
        .ok()?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        // Small counts get one label per whole number, so labels never repeat after rounding.
        .y_labels(((max * 1.08).floor() as usize + 1).clamp(2, 6))
        .y_label_style(font(11.0))
        .y_label_formatter(&|v| super::format::count(v.round() as u64))
        .axis_style(grid)
        .light_line_style(grid.mix(0.4))
        .bold_line_style(grid.mix(0.6))
        .draw()
        .ok()?;
    if let Some((low, high)) = band {
        let shade = fg.mix(0.12).filled();
        chart.draw_series(std::iter::once(Rectangle::new([(0.0, low.max(0.0)), (n as f64, high)], shade))).ok()?;
    }
    let slot_width = 0.8 / series.max(1) as f64;
    for (i, (_, color, values)) in groups.iter().enumerate() {
        for (s, v) in values.iter().enumerate() {
            let x0 = i as f64 + 0.1 + s as f64 * slot_width;
            let style = if s == 0 { rgb(*color).filled() } else { rgb(*color).mix(0.45).filled() };
            chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x0 + slot_width, *v)], style))).ok()?;
        }
    }
    if n <= 24 {
        let area = chart.plotting_area();
        for (i, (label, _, _)) in groups.iter().enumerate() {
            let (px, py) = area.map_coordinate(&(i as f64 + 0.5, 0.0));
            let style = font(11.0).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Top,
            ));
            root.draw_text(label, &style, (px, py + (4.0 * dpr) as i32)).ok()?;
        }
    }
    if let Some((value, label)) = reference {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, *value), (n as f64, *value)],
                fg.stroke_width(dpr as u32),
            )))
            .ok()?
            .label(label.clone());
    }
    root.present().ok()
}

/// One line of a line chart: a name, its colour and its points (y per x = 0, 1, 2, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub name: &'static str,
    pub color: (u8, u8, u8),
    pub values: Vec<f64>,
}

#[derive(Properties, PartialEq)]
pub struct LineProps {
    pub lines: Rc<Vec<Line>>,
    /// The y range shown.
    pub y_max: f64,
    /// A vertical marker at this x (for example the moment of a change).
    pub marker: Option<usize>,
    /// Formats y-axis labels.
    pub y_percent: bool,
    pub testid: &'static str,
    pub label: String,
    /// The x distance between two points (for example seconds per sample); the x axis is labelled in it.
    #[prop_or(1.0)]
    pub x_step: f64,
    /// The x axis's label of each point, when the points are not evenly spaced in what they measure
    /// (cache sizes on a log scale); `x_step` is then 1.
    #[prop_or_default]
    pub x_names: Option<Rc<Vec<String>>>,
}

/// Lines over a shared x axis, with a legend.
#[function_component(LineChart)]
pub fn line_chart(props: &LineProps) -> Html {
    let canvas = use_node_ref();
    let width = use_window_width();
    {
        let canvas = canvas.clone();
        let (y_max, marker, y_percent, x_step) = (props.y_max, props.marker, props.y_percent, props.x_step);
        use_effect_with((props.lines.clone(), width, props.x_names.clone()), move |(lines, _, names)| {
            let (lines, names) = (lines.clone(), names.clone());
            super::later::soon(move || {
                if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                    draw_lines(&c, &lines, y_max, marker, y_percent, x_step, names.as_deref().map(Vec::as_slice));
                }
            });
        });
    }
    html! { <canvas ref={canvas} class="chart lines" data-testid={props.testid} role="img" aria-label={props.label.clone()} /> }
}

fn draw_lines(
    canvas: &HtmlCanvasElement,
    lines: &[Line],
    y_max: f64,
    marker: Option<usize>,
    y_percent: bool,
    x_step: f64,
    x_names: Option<&[String]>,
) -> Option<()> {
    let dpr = fit(canvas, 220);
    let backend = CanvasBackend::with_canvas_object(canvas.clone())?;
    let root = backend.into_drawing_area();
    root.fill(&TRANSPARENT).ok()?;
    let (fg, grid) = colors();
    let n = lines.iter().map(|l| l.values.len()).max().unwrap_or(0).max(2);
    let font = |size: f64| TextStyle::from(("sans-serif", size * dpr).into_font()).color(&fg);
    let mut chart = ChartBuilder::on(&root)
        .margin((8.0 * dpr) as u32)
        .x_label_area_size((20.0 * dpr) as u32)
        .y_label_area_size((44.0 * dpr) as u32)
        .build_cartesian_2d(0.0..(n - 1) as f64 * x_step, 0.0..y_max)
        .ok()?;
    let y_fmt = move |v: &f64| if y_percent { format!("{:.0}%", v * 100.0) } else { format!("{v:.1}") };
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_label_style(font(10.0))
        .y_label_style(font(11.0))
        .x_label_formatter(&|v| match x_names {
            Some(names) => names.get((v / x_step).round().max(0.0) as usize).cloned().unwrap_or_default(),
            None => format!("{}", v.round() as i64),
        })
        .y_label_formatter(&y_fmt)
        .axis_style(grid)
        .light_line_style(grid.mix(0.3))
        .bold_line_style(grid.mix(0.5))
        .draw()
        .ok()?;
    if let Some(x) = marker {
        let x = x as f64 * x_step;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, y_max)],
                fg.mix(0.6).stroke_width(dpr as u32),
            )))
            .ok()?;
    }
    for line in lines {
        let (r, g, b) = line.color;
        let style = RGBColor(r, g, b).stroke_width((2.0 * dpr) as u32);
        chart
            .draw_series(LineSeries::new(
                line.values.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, v)| (i as f64 * x_step, *v)),
                style,
            ))
            .ok()?;
    }
    root.present().ok()
}
