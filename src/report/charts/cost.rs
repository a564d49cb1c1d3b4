//! The cost chart of one run: the cumulative cost of each line item, stacked, against the
//! other capacity mode's what-if (`cost.svg`).
//!
//! Calls `style`, the run's result ([`RunResult`]) and `crate::cost` to format prices; no other
//! chart file.

use plotters::prelude::*;

use super::style::{
    draw_header, draw_note, draw_stack, fmt_dollars, item, render, short_scenario, stack_layers, time_chart,
    y_area_for, y_top, Area, DrawResult, Header, LegendItem, Swatch, TimeAxis, HEIGHT, INK, OI_BLUE,
    OI_GREEN, OI_ORANGE, OI_PINK, OI_VERMILLION, WIDTH,
};
use super::ChartError;
use crate::cost::CostReport;
use crate::experiment::Outcome;
use crate::metrics::RunResult;

/// Cumulative cost of each line item over time, stacked, with the on-demand what-if,
/// `cost.svg`.
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

fn draw_cost(root: &Area<'_>, r: &RunResult, c: &CostReport) -> DrawResult {
    let t = TimeAxis::new(r.duration_s, c.times_s.last().copied().unwrap_or(1.0));
    // Only items that cost something, in bill order.
    let shown: Vec<usize> = (0..c.bill.items.len()).filter(|&i| c.bill.items[i].usd > 0.0).collect();
    let values: Vec<&[f64]> = shown.iter().map(|&i| c.cumulative_usd[i].as_slice()).collect();
    let layers = stack_layers(&c.times_s, &values, t.div);
    let colors: Vec<RGBColor> = (0..shown.len()).map(|k| STACK_COLORS[k % STACK_COLORS.len()]).collect();
    let stacked_top = layers.last().map_or(0.0, |l| l.iter().map(|p| p.2).fold(0.0, f64::max));
    let od_top = c.what_if_cumulative_usd.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
    let top = y_top(stacked_top.max(od_top));
    let x_max = t.x_max(c.times_s.last().copied().unwrap_or(0.0), r.duration_s);

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
        "{}: {} for the run, {} per month (730 h); {} what-if: {} for the run, {} per month{}; {} prices of {}",
        c.bill.label,
        crate::cost::fmt_usd(c.bill.total_usd),
        crate::cost::fmt_usd(c.bill.per_month_usd),
        c.what_if_mode,
        crate::cost::fmt_usd(c.what_if.total_usd),
        crate::cost::fmt_usd(c.what_if.per_month_usd),
        if c.what_if_mode == "provisioned" { " (the same shards)" } else { " (priced, not simulated)" },
        c.table,
        c.table_date
    );
    let body = draw_header(
        root,
        &Header {
            title: format!("Cumulative cost by line item — scenario “{}”", short_scenario(r)),
            subtitle: Some(subtitle),
            legend,
        },
    )?;
    let fmt_y = |v: &f64| fmt_dollars(*v, top);
    let y_area = y_area_for(&fmt_y, top);
    let mut chart = time_chart(&body, y_area, t, x_max, top, "cumulative cost [USD]", &fmt_y)?;
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
    Ok(())
}

#[cfg(test)]
mod tests {
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
            "cumulative cost [USD]",
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
}
