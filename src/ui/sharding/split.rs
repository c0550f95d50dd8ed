//! The users table split by rows (sharding) beside split by columns (vertical partitioning), for the
//! routed query: what each way must read. A drawing of each split marks the parts read.

use crate::sim::sharding::vertical::USER_COLUMNS;
use crate::sim::sharding::{Access, COLUMN_GROUPS, SideBySide};
use crate::ui::format::count;
use yew::prelude::*;

/// Row bands drawn at most (more shards are drawn as the first ones and a note).
const BANDS_DRAWN: u32 = 16;

fn group_name(g: usize) -> String {
    format!("({})", COLUMN_GROUPS[g].join(", "))
}

fn how(access: Access, filters: bool) -> &'static str {
    match (access, filters) {
        (_, false) => "read by id, the matching users only",
        (Access::PrimaryKey, true) => "filters, by its primary key (the id range)",
        (Access::AgeIndex, true) => "filters, through its index on age",
        (Access::FullScan, true) => "filters, reading every user",
    }
}

#[derive(Properties, PartialEq)]
pub struct SplitProps {
    pub split: SideBySide,
    /// The shards asked for users.
    pub asked: Vec<u32>,
}

/// The two splits side by side.
#[function_component(SplitView)]
pub fn split_view(props: &SplitProps) -> Html {
    let (h, v) = (&props.split.horizontal, &props.split.vertical);
    let drawn = h.shards.min(BANDS_DRAWN);
    let band_h = 84.0 / f64::from(drawn.max(1));
    let col_w = 150.0 / USER_COLUMNS.len() as f64;
    let rows_svg = html! {
        <svg class="split-drawing" viewBox="0 0 160 100" role="img"
            aria-label={format!("The table cut into {} row bands, {} asked", h.shards, h.shards_asked)}>
            { for USER_COLUMNS.iter().enumerate().map(|(i, c)| html! {
                <text x={format!("{:.1}", 5.0 + col_w * (i as f64 + 0.5))} y="9" class="split-head">{ *c }</text>
            }) }
            { for (0..drawn).map(|s| {
                let asked = props.asked.contains(&s);
                html! { <rect x="5" y={format!("{:.2}", 13.0 + band_h * f64::from(s))} width="150"
                    height={format!("{:.2}", (band_h - 1.0).max(0.5))} class={classes!("split-part", asked.then_some("read"))} /> }
            }) }
        </svg>
    };
    let read_groups: Vec<usize> = v.reads.iter().map(|r| r.group).collect();
    let mut x = 5.0;
    let cols_svg = html! {
        <svg class="split-drawing" viewBox="0 0 160 100" role="img"
            aria-label={format!("The table cut into {} column groups, {} read", COLUMN_GROUPS.len(), v.reads.len())}>
            { for COLUMN_GROUPS.iter().enumerate().map(|(g, cols)| {
                let w = 150.0 * cols.len() as f64 / 7.0 - 2.0;
                let at = x;
                x += w + 3.0;
                let read = read_groups.contains(&g);
                html! { <g>
                    <rect x={format!("{at:.1}")} y="13" width={format!("{w:.1}")} height="84"
                        class={classes!("split-part", read.then_some("read"))} />
                    { for cols.iter().enumerate().map(|(i, c)| html! {
                        <text x={format!("{:.1}", at + w / cols.len() as f64 * (i as f64 + 0.5))} y="9" class="split-head">{ *c }</text>
                    }) }
                </g> }
            }) }
        </svg>
    };
    html! {
        <section class="side-by-side" data-testid="side-by-side" aria-label="Split by rows or by columns">
            <h3>{ "Split by rows or by columns" }</h3>
            <div class="split-pair">
                <div class="split-side" data-testid="split-rows">
                    <h4>{ "By rows: sharding" }</h4>
                    { rows_svg }
                    if h.shards > drawn { <p class="muted small">{ format!("The first {drawn} of {} shards drawn.", h.shards) }</p> }
                    <p>{ format!("{} of {} shards asked; each reads whole rows.", h.shards_asked, h.shards) }</p>
                    <p><strong data-testid="split-rows-read">{ count(h.rows_read) }</strong>{ " rows read, " }
                        <strong data-testid="split-rows-cells">{ count(h.cells_read) }</strong>{ " values (5 columns each)." }</p>
                </div>
                <div class="split-side" data-testid="split-columns">
                    <h4>{ "By columns: one server per column group" }</h4>
                    { cols_svg }
                    <ul class="split-groups">
                        { for v.reads.iter().map(|r| html! {
                            <li><code>{ group_name(r.group) }</code>{ format!(": {} rows, {}.", count(r.rows), how(r.access, r.filters)) }</li>
                        }) }
                    </ul>
                    <p>{ format!("{} of {} servers asked{}.", v.reads.len(), COLUMN_GROUPS.len(),
                        if v.joins_groups_on_id { "; the rows are put back together by id" } else { "" }) }</p>
                    <p><strong data-testid="split-columns-read">{ count(v.rows_read) }</strong>{ " rows read, " }
                        <strong data-testid="split-columns-cells">{ count(v.cells_read) }</strong>{ " values." }</p>
                </div>
            </div>
            <p class="muted small">{ "Rows split the work across servers by the shard key; columns split it by what a query reads. The orders of a join are read the same way in both." }</p>
        </section>
    }
}
