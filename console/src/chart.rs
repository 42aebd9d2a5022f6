//! One bar graph as SVG: buckets along the bottom, one bar per measure in each, the
//! exact figure in every bar's tooltip and a text summary for screen readers.

use leptos::prelude::*;
use quote_core::chart::{self, Measure};
use quote_core::partner::Bucket;

const HEIGHT: u32 = 120;
const SLOT: u32 = 28;
const TOP: u32 = 14;
const BOTTOM: u32 = 18;

/// Props: the `buckets` to draw, the `measures` per bucket, and a `summary` that
/// says in words what the graph shows.
#[component]
pub fn BarChart(buckets: Vec<Bucket>, measures: &'static [Measure], summary: String, #[prop(into)] testid: String) -> impl IntoView {
    let graph = chart::graph(&buckets, measures, HEIGHT);
    let daily = chart::daily_buckets(&buckets);
    let count = buckets.len().max(1) as u32;
    let width = count * SLOT + 40;
    let bar_width = (SLOT - 6) / measures.len().max(1) as u32;
    let label_every = (buckets.len() / 8).max(1);
    let base = TOP + HEIGHT;
    let bars = graph
        .bars
        .iter()
        .map(|bar| {
            let index = measures.iter().position(|m| *m == bar.measure).unwrap_or(0) as u32;
            let x = 36 + bar.bucket as u32 * SLOT + index * bar_width;
            let title = format!("{} {}: {}", chart::bucket_label(&buckets[bar.bucket].period.from, daily), bar.measure.label(), bar.value.normalize());
            view! {
                <rect class=format!("bar series-{}", bar.measure.key()) x=x y=base - bar.height width=bar_width.saturating_sub(1) height=bar.height>
                    <title>{title}</title>
                </rect>
            }
        })
        .collect_view();
    let labels = buckets
        .iter()
        .enumerate()
        .filter(|(i, _)| i % label_every == 0)
        .map(|(i, b)| view! { <text class="tick" x=36 + i as u32 * SLOT y=base + 13>{chart::bucket_label(&b.period.from, daily)}</text> })
        .collect_view();
    let legend = measures
        .iter()
        .map(|m| view! { <li><span class=format!("swatch series-{}", m.key()) aria-hidden="true"></span>{m.label()}</li> })
        .collect_view();
    view! {
        <figure class="chart" data-testid=testid>
            <svg viewBox=format!("0 0 {width} {}", base + BOTTOM) role="img" aria-label=summary.clone() preserveAspectRatio="xMinYMin meet">
                <line class="axis" x1="34" y1=base x2=width y2=base />
                <text class="tick" x="0" y=TOP + 4>{graph.ceiling.normalize().to_string()}</text>
                <text class="tick" x="0" y=base>"0"</text>
                {bars}
                {labels}
            </svg>
            <figcaption><ul class="legend">{legend}</ul></figcaption>
        </figure>
    }
}
