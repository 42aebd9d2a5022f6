//! One bar graph as SVG: buckets along the bottom, one bar per measure in each, the
//! exact figure in every bar's tooltip and a text summary for screen readers.

use leptos::prelude::*;
use quote_core::chart::{self, LabelStyle, Measure};
use quote_core::partner::Bucket;

const HEIGHT: u32 = 120;
/// The graph's width in its own units, whatever the number of buckets: drawn at about
/// a card's width, its 10-unit text stays about 10 px (a day of hourly buckets once
/// made it 712 units wide, and its labels 4 px).
const WIDTH: u32 = 360;
/// Room left of the first bucket for the scale's figures.
const LEFT: u32 = 36;
const TOP: u32 = 14;
const BOTTOM: u32 = 18;

/// Props: the `buckets` to draw, the `measures` per bucket, and a `summary` that
/// says in words what the graph shows.
#[component]
pub fn BarChart(buckets: Vec<Bucket>, measures: &'static [Measure], summary: String, #[prop(into)] testid: String) -> impl IntoView {
    let graph = chart::graph(&buckets, measures, HEIGHT);
    let style = LabelStyle::of(&buckets);
    let count = buckets.len().max(1) as u32;
    let slot = ((WIDTH - LEFT - 4) / count).max(2);
    let bar_width = (slot * 4 / 5 / measures.len().max(1) as u32).max(1);
    let label_every = chart::label_every(style, slot);
    let base = TOP + HEIGHT;
    let bars = graph
        .bars
        .iter()
        .map(|bar| {
            let index = measures.iter().position(|m| *m == bar.measure).unwrap_or(0) as u32;
            let x = LEFT + bar.bucket as u32 * slot + index * bar_width;
            let title = format!("{} {}: {}", style.label(&buckets[bar.bucket].period.from), bar.measure.label(), bar.value.normalize());
            view! {
                <rect class=format!("bar series-{}", bar.measure.key()) x=x y=base - bar.height width=bar_width.saturating_sub(1).max(1) height=bar.height>
                    <title>{title}</title>
                </rect>
            }
        })
        .collect_view();
    let labels = buckets
        .iter()
        .enumerate()
        .filter(|(i, _)| i % label_every == 0)
        .map(|(i, b)| view! { <text class="tick" x=LEFT + i as u32 * slot y=base + 13>{style.label(&b.period.from)}</text> })
        .collect_view();
    let legend = measures
        .iter()
        .map(|m| view! { <li><span class=format!("swatch series-{}", m.key()) aria-hidden="true"></span>{m.label()}</li> })
        .collect_view();
    view! {
        <figure class="chart" data-testid=testid>
            <svg viewBox=format!("0 0 {WIDTH} {}", base + BOTTOM) role="img" aria-label=summary.clone() preserveAspectRatio="xMinYMin meet">
                <line class="axis" x1=LEFT - 2 y1=base x2=WIDTH y2=base />
                <text class="tick" x="0" y=TOP + 4>{graph.ceiling.normalize().to_string()}</text>
                <text class="tick" x="0" y=base>"0"</text>
                {bars}
                {labels}
            </svg>
            <figcaption><ul class="legend">{legend}</ul></figcaption>
        </figure>
    }
}
