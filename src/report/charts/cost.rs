//! The cost chart of one run (`cost.svg`): the cumulative cost of each line item, stacked,
//! against the other capacity mode's what-if, and beside it both modes' cost per month.
//!
//! Calls `style`, the run's result ([`RunResult`]) and `crate::cost` to format prices; no other
//! chart file.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    builder, draw_header, draw_note, draw_panel_heading, draw_stack, fmt_dollars, item, render,
    short_scenario, stack_layers, text_style, text_width, time_chart, wrap, y_area_for, y_top, Area,
    DrawResult, Header, LegendItem, Swatch, TimeAxis, GRID, HEIGHT, INK, LABEL_PX, OI_BLUE, OI_GREEN,
    OI_ORANGE, OI_PINK, OI_VERMILLION, TICK_PX, WIDTH,
};
use super::ChartError;
use crate::cost::CostReport;
use crate::experiment::Outcome;
use crate::metrics::RunResult;

/// Cumulative cost of each line item over time, stacked, with the other mode's what-if, and
/// each mode's cost per 730-hour month as two bars, `cost.svg`.
pub fn cost_svg(o: &Outcome) -> Result<String, ChartError> {
    render("cost", (WIDTH, HEIGHT), |root| draw_cost(root, o, &o.cost))
}

/// Okabe-Ito order for stacked line items (a bill with both modes after a switch has up to 8).
const STACK_COLORS: [RGBColor; 8] = [
    OI_BLUE,
    OI_ORANGE,
    OI_GREEN,
    OI_PINK,
    OI_VERMILLION,
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x99, 0x99, 0x99),
];

/// Share of the body's width given to the per-month panel.
const MONTH_PANEL_SHARE: f64 = 0.36;

/// One bar of the per-month panel.
#[derive(Debug, Clone, PartialEq)]
struct MonthBar {
    /// The capacity mode, as the bill names it (`provisioned`, `on-demand standard what-if`).
    label: String,
    /// Cost per 730-hour month [USD]: the cost report's `per_month_usd` of this bill.
    total: f64,
    /// Stacked parts: (bill item index, USD per month); empty for the what-if, drawn as a
    /// hollow dashed bar like its line in the other panel.
    parts: Vec<(usize, f64)>,
}

/// The two bars of the per-month panel: the simulated bill stacked by the `shown` line items
/// (the same colours as the cumulative bands) and the what-if's total.
fn month_bars(c: &CostReport, shown: &[usize]) -> [MonthBar; 2] {
    let finite = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    [
        MonthBar {
            label: c.bill.label.clone(),
            total: finite(c.bill.per_month_usd),
            parts: shown
                .iter()
                .map(|&i| (i, finite(c.bill.month_items.get(i).map_or(0.0, |m| m.usd))))
                .collect(),
        },
        MonthBar {
            label: format!("{} what-if", c.what_if_mode),
            total: finite(c.what_if.per_month_usd),
            parts: vec![],
        },
    ]
}

// Why two panels. A run of minutes says nothing about the month by its totals: provisioned bills
// every shard-hour (on-demand its stream-hour) in full from the hour's first second, so a 5-minute
// run pays a whole hour of shards up front, and its cumulative line sits above the on-demand
// what-if all run although per month on-demand costs about three times more (the `hot-key`
// scenario). Extrapolating the cumulative cost to a monthly rate does not help: a whole hour
// billed at second 1 extrapolates to 3,600 times its rate, and the rate then saw-tooths every
// hour. So the left panel keeps what the run really cost as it went (bands by line item, the
// what-if dashed), and the right one sets the figures to compare the modes by beside it: each
// mode's cost per 730-hour month, the cost report's `per_month_usd` (exact shard-seconds and
// bytes, no part-hour rounding), as two bars whose heights a student compares at a glance.
fn draw_cost(root: &Area<'_>, r: &RunResult, c: &CostReport) -> DrawResult {
    let t = TimeAxis::new(r.duration_s, c.times_s.last().copied().unwrap_or(1.0));
    // Items that cost something in the run or per month (a short run stores nothing long-term;
    // its month, at steady state, does), in bill order.
    let billed = |v: Option<f64>| v.is_some_and(|v| v > 0.0);
    let shown: Vec<usize> = (0..c.bill.items.len())
        .filter(|&i| billed(Some(c.bill.items[i].usd)) || billed(c.bill.month_items.get(i).map(|m| m.usd)))
        .collect();
    let empty: Vec<f64> = vec![];
    let values: Vec<&[f64]> =
        shown.iter().map(|&i| c.cumulative_usd.get(i).unwrap_or(&empty).as_slice()).collect();
    let layers = stack_layers(&c.times_s, &values, t.div);
    let colors: Vec<RGBColor> = (0..shown.len()).map(|k| STACK_COLORS[k % STACK_COLORS.len()]).collect();
    let stacked_top = layers.last().map_or(0.0, |l| l.iter().map(|p| p.2).fold(0.0, f64::max));
    let od_top = c.what_if_cumulative_usd.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
    let top = y_top(stacked_top.max(od_top));
    let x_max = t.x_max(c.times_s.last().copied().unwrap_or(0.0), r.duration_s);
    let bars = month_bars(c, &shown);

    let mut legend: Vec<LegendItem> = shown
        .iter()
        .zip(&colors)
        .map(|(&i, &col)| {
            let it = &c.bill.items[i];
            item(
                format!("{} (${} per {})", it.name, crate::cost::fmt_price(it.unit_price_usd), it.unit),
                Swatch::Area(col),
            )
        })
        .collect();
    legend.push(item(format!("{} what-if, total", c.what_if_mode), Swatch::Dashed(INK)));
    let subtitle = format!(
        "{}: {} for the run, {} per month (730 h); {} what-if{}: {} for the run, {} per month; {} prices of {}",
        c.bill.label,
        crate::cost::fmt_usd(c.bill.total_usd),
        crate::cost::fmt_usd(c.bill.per_month_usd),
        c.what_if_mode,
        if c.what_if_mode == "provisioned" { " (the same shards)" } else { " (priced, not simulated)" },
        crate::cost::fmt_usd(c.what_if.total_usd),
        crate::cost::fmt_usd(c.what_if.per_month_usd),
        c.table,
        c.table_date
    );
    let body = draw_header(
        root,
        &Header {
            title: format!("Cost of the run and per month — scenario “{}”", short_scenario(r)),
            subtitle: Some(subtitle),
            legend,
        },
    )?;
    let (w, _) = body.dim_in_pixel();
    let (left, right) = body.split_horizontally(w - (f64::from(w) * MONTH_PANEL_SHARE) as u32);

    // Left: the run, as billed.
    let left = draw_panel_heading(&left, "This run, as billed: hours in full from their first second")?;
    let fmt_y = |v: &f64| fmt_dollars(*v, top);
    let y_area = y_area_for(&fmt_y, top);
    let mut chart = time_chart(&left, y_area, t, x_max, top, "cost of the run so far [USD]", &fmt_y)?;
    draw_stack(&mut chart, &layers, &colors)?;
    let od: Vec<(f64, f64)> = c
        .times_s
        .iter()
        .zip(&c.what_if_cumulative_usd)
        .filter(|(_, v)| v.is_finite())
        .map(|(&x, &v)| (x / t.div, v))
        .collect();
    if od.len() >= 2 {
        chart.draw_series(DashedLineSeries::new(od, 8, 5, INK.stroke_width(2)))?;
    }
    if shown.is_empty() {
        draw_note(root, chart.plotting_area().get_pixel_range(), "nothing billed")?;
    }

    // Right: each mode per month.
    let right = draw_panel_heading(&right, "Each mode per month (730 h)")?;
    draw_month_bars(root, &right, &bars, &colors, &shown)
}

/// The per-month panel: the simulated bill's bar stacked by line item, the what-if's hollow and
/// dashed; each with its total above and its mode below.
fn draw_month_bars(
    root: &Area<'_>,
    panel: &Area<'_>,
    bars: &[MonthBar; 2],
    colors: &[RGBColor],
    shown: &[usize],
) -> DrawResult {
    let max = bars.iter().map(|b| b.total).fold(0.0, f64::max);
    // Room above the taller bar for its total.
    let top = y_top(max * 1.08);
    let fmt_y = |v: &f64| fmt_dollars(*v, top);
    let y_area = y_area_for(&fmt_y, top);
    let mut chart = builder(panel, y_area, 0).build_cartesian_2d(0.0..2.0, 0.0..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .x_labels(0)
        .y_labels(7)
        .y_desc("cost per month [USD]")
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .y_label_formatter(&fmt_y)
        .draw()?;
    let (xr, _) = chart.plotting_area().get_pixel_range();
    let slot_px = (xr.end - xr.start) / 2;
    let max_chars = ((slot_px - 8) / text_width("m", TICK_PX)).max(6) as usize;
    for (k, bar) in bars.iter().enumerate() {
        let (x0, x1) = (k as f64 + 0.2, k as f64 + 0.8);
        if bar.parts.is_empty() {
            let h = bar.total;
            chart
                .draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x1, h)], INK.mix(0.06).filled())))?;
            let outline = vec![(x0, 0.0), (x0, h), (x1, h), (x1, 0.0)];
            chart.draw_series(DashedLineSeries::new(outline, 8, 5, INK.stroke_width(2)))?;
        } else {
            let mut below = 0.0;
            for &(i, usd) in &bar.parts {
                let col = shown.iter().position(|&s| s == i).map_or(INK, |p| colors[p % colors.len()]);
                let (lo, hi) = (below, below + usd);
                below = hi;
                if usd <= 0.0 {
                    continue;
                }
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, lo), (x1, hi)],
                    col.mix(0.35).filled(),
                )))?;
                chart.draw_series(LineSeries::new([(x0, hi), (x1, hi)], col.stroke_width(2)))?;
            }
        }
        let (px, py) = chart.backend_coord(&(k as f64 + 0.5, bar.total));
        root.draw(&Text::new(
            crate::cost::fmt_usd(bar.total),
            (px, py - 5),
            text_style(LABEL_PX, INK).pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))?;
        let (_, py0) = chart.backend_coord(&(k as f64 + 0.5, 0.0));
        let style = text_style(TICK_PX, INK).pos(Pos::new(HPos::Center, VPos::Top));
        for (j, line) in wrap(&bar.label, max_chars, 3).into_iter().enumerate() {
            root.draw(&Text::new(line, (px, py0 + 6 + j as i32 * 16), style.clone()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_contains, text_elements};
    use super::super::{all_svgs, retention_svg};
    use super::*;
    use crate::cost::{compute, CostSettings};
    use crate::metrics::Series;

    fn priced(seconds: usize, retention_s: u64) -> Outcome {
        let series = Series {
            open_shards: vec![2; seconds],
            put_payload_units: vec![40; seconds],
            billed_ingest_kib: vec![40; seconds],
            accepted_bytes: vec![40_000; seconds],
            accepted_records: vec![40; seconds],
            ..Default::default()
        };
        let mut r =
            RunResult { scenario: "priced".into(), duration_s: seconds as f64, series, ..Default::default() };
        r.totals.put_payload_units = 40 * seconds as u64;
        r.totals.billed_ingest_kib = 40 * seconds as u64;
        Outcome { cost: compute(&CostSettings::default(), retention_s * 1_000_000, &r), result: r }
    }

    fn well_formed(svg: &str) {
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        assert!(!svg.contains("NaN") && !svg.contains("inf\""));
    }

    #[test]
    fn cost_and_retention_charts_have_units_legends_and_tiers() {
        let r = priced(10 * 86_400, 8 * 86_400);
        let cost = cost_svg(&r).unwrap();
        well_formed(&cost);
        for s in [
            "cost of the run so far [USD]",
            "cost per month [USD]",
            "time [h]",
            "shard-hours ($0.015 per shard-hour)",
            "on-demand standard what-if",
        ] {
            assert!(cost.contains(s), "{s}");
        }
        let ret = retention_svg(&r).unwrap();
        well_formed(&ret);
        for s in [
            "retained [GiB]",
            "first 24 h (included)",
            "24 h to 7 days (extended)",
            "beyond 7 days (long-term)",
        ] {
            assert!(ret.contains(s), "{s}");
        }
        let names: Vec<&str> = all_svgs(&r).unwrap().iter().map(|(n, _)| *n).collect();
        assert_eq!(names[4..], ["cost.svg", "retention.svg"]);
    }

    #[test]
    fn degenerate_runs_still_draw() {
        for seconds in [0, 1, 2] {
            well_formed(&cost_svg(&priced(seconds, 86_400)).unwrap());
            well_formed(&retention_svg(&priced(seconds, 86_400)).unwrap());
        }
        let unpriced = Outcome::at_default_prices(RunResult::default());
        well_formed(&cost_svg(&unpriced).unwrap());
        well_formed(&retention_svg(&unpriced).unwrap());
    }

    /// A short run at the hot-key scenario's scale: 8 shards, 3,000 records/s of 200 B, 5 minutes.
    fn hot_key_like() -> Outcome {
        let seconds = 300;
        let series = Series {
            open_shards: vec![8; seconds],
            put_payload_units: vec![3000; seconds],
            billed_ingest_kib: vec![3000; seconds],
            accepted_bytes: vec![600_000; seconds],
            accepted_records: vec![3000; seconds],
            ..Default::default()
        };
        let mut r = RunResult {
            scenario: "hot-key-like".into(),
            duration_s: seconds as f64,
            series,
            ..Default::default()
        };
        r.totals.put_payload_units = 3000 * seconds as u64;
        r.totals.billed_ingest_kib = 3000 * seconds as u64;
        Outcome { cost: compute(&CostSettings::default(), 86_400 * 1_000_000, &r), result: r }
    }

    /// The per-month panel draws the cost report's per-month figures, one bar per mode, the
    /// bill's stacked by the same items as the cumulative bands; and for a short run it tells the
    /// opposite of the run's totals, which is why it is there.
    #[test]
    fn per_month_bars_are_the_cost_reports_per_month() {
        let r = hot_key_like();
        let c = &r.cost;
        let shown: Vec<usize> = (0..c.bill.items.len()).collect();
        let bars = month_bars(c, &shown);
        assert_eq!(bars[0].total, c.bill.per_month_usd);
        assert_eq!(bars[1].total, c.what_if.per_month_usd);
        let stacked: f64 = bars[0].parts.iter().map(|p| p.1).sum();
        assert!((stacked - c.bill.per_month_usd).abs() < 1e-9, "{stacked} vs {}", c.bill.per_month_usd);
        assert!(bars[1].parts.is_empty(), "the what-if is drawn as its total");
        assert_eq!(bars[1].label, "on-demand standard what-if");
        // The short run misleads: provisioned paid its whole first hour of 8 shards up front...
        assert!(c.bill.total_usd > c.what_if.total_usd, "{} vs {}", c.bill.total_usd, c.what_if.total_usd);
        // ... while per month on-demand costs more than twice as much.
        assert!(bars[1].total > 2.0 * bars[0].total, "{} vs {}", bars[1].total, bars[0].total);

        let svg = cost_svg(&r).unwrap();
        well_formed(&svg);
        let texts = text_elements(&svg);
        for bar in &bars {
            let label = crate::cost::fmt_usd(bar.total);
            assert!(texts.contains(&label), "no bar label {label} in {texts:?}");
        }
        assert_contains(
            &svg,
            &[
                "cost of the run so far [USD]",
                "time [s]",
                "cost per month [USD]",
                "Each mode per month (730 h)",
                "This run, as billed: hours in full from their first second",
                "provisioned",
            ],
        );
    }

    /// An item the run did not pay for but the month does (long-term retention: a run shorter
    /// than 7 days stores nothing that old) still gets its band colour and legend entry.
    #[test]
    fn items_billed_only_per_month_are_shown() {
        let r = priced(3600, 10 * 86_400);
        let c = &r.cost;
        let month_only: Vec<&str> = (0..c.bill.items.len())
            .filter(|&i| c.bill.items[i].usd == 0.0 && c.bill.month_items[i].usd > 0.0)
            .map(|i| c.bill.items[i].name.as_str())
            .collect();
        assert!(!month_only.is_empty(), "the fixture has a month-only item");
        let svg = cost_svg(&r).unwrap();
        for name in month_only {
            assert_contains(&svg, &[name]);
        }
    }
}
