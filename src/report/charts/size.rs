//! The charts of `kinesim size`: cost per month against the throttle rate and against the p99
//! put latency (`size-cost-vs-*.svg`), and the throttle rate against the shard count
//! (`size-throttle-vs-shards.svg`).
//!
//! Calls `style`, the sweep's result ([`crate::size::Sizing`], with the scenario's capacity
//! mode and sizing policy) and `report::size::rule_words` for the SLO in words; no other chart
//! file.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    builder, draw_header, draw_note, fmt_dollars, fmt_num, item, render, text_style, y_area_for, y_top, Area,
    DrawResult, Header, Swatch, EVEN_LINE, GREY_TEXT, GRID, HEIGHT, INK, LABEL_PX, OI_BLUE, OI_GREEN,
    OI_ORANGE, OI_PINK, OI_VERMILLION, TICK_PX, WIDTH,
};
use super::ChartError;

/// The sizing charts: (file name, svg), in a fixed order.
pub fn size_svgs(s: &crate::size::Sizing) -> Result<Vec<(&'static str, String)>, ChartError> {
    Ok(vec![
        (
            "size-cost-vs-throttle.svg",
            render("size-cost-vs-throttle", (WIDTH, HEIGHT), |root| draw_size_cost(root, s, &THROTTLE_AXIS))?,
        ),
        (
            "size-cost-vs-latency.svg",
            render("size-cost-vs-latency", (WIDTH, HEIGHT), |root| draw_size_cost(root, s, &LATENCY_AXIS))?,
        ),
        (
            "size-throttle-vs-shards.svg",
            render("size-throttle-vs-shards", (WIDTH, HEIGHT), |root| draw_size_throttle(root, s))?,
        ),
    ])
}

/// Throttle rate as a percentage label.
fn fmt_pct(v: f64) -> String {
    let p = 100.0 * v;
    if p == 0.0 {
        "0%".to_string()
    } else if p >= 1.0 {
        format!("{}%", fmt_num(p, 1))
    } else {
        let digits = (-(p.log10().floor()) as usize).min(8);
        format!("{}%", fmt_num(p, digits))
    }
}

/// Milliseconds as a tick label (`20 ms`, `1.5 s`).
fn fmt_ms_unit(v: f64) -> String {
    if v >= 1000.0 {
        format!("{} s", fmt_num(v / 1000.0, if v >= 10_000.0 { 0 } else { 1 }))
    } else if v >= 1.0 {
        format!("{} ms", fmt_num(v, 0))
    } else {
        format!("{} ms", fmt_num(v, 2))
    }
}

/// The x axis of a "cost per month vs an SLO metric" chart.
struct SizeAxis {
    title: &'static str,
    x_desc: &'static str,
    slo_label: &'static str,
    /// The metric's mean over seeds.
    value: fn(&crate::size::PointResult) -> f64,
    slo: fn(&crate::size::SloView) -> Option<f64>,
    fmt: fn(f64) -> String,
    /// Where points at (or near) the smallest value pile up, in words.
    pile_note: &'static str,
    /// Points within this ratio of the smallest value share a label (`None`: only points at
    /// the left edge, i.e. 0 on a log axis).
    pile_ratio: Option<f64>,
    /// The largest value the metric can take (a rate: 1), if any: the axis stops there.
    max: Option<f64>,
}

const THROTTLE_AXIS: SizeAxis = SizeAxis {
    title: "Cost per month vs throttle rate",
    x_desc: "throttle rate, mean over seeds [% of attempts, log scale]",
    slo_label: "SLO: max throttle rate",
    value: |p| p.throttle_rate.mean,
    slo: |s| s.max_throttle_rate,
    fmt: fmt_pct,
    pile_note: "a throttle rate of 0 sits at the left edge",
    pile_ratio: None,
    max: Some(1.0),
};

const LATENCY_AXIS: SizeAxis = SizeAxis {
    title: "Cost per month vs p99 put latency",
    x_desc: "p99 put latency, mean over seeds [ms, log scale]",
    slo_label: "SLO: max p99 put latency",
    value: |p| p.p99_put_latency_ms.mean,
    slo: |s| s.max_p99_put_latency_ms,
    fmt: fmt_ms_unit,
    pile_note: "near-lowest latencies share a label",
    pile_ratio: Some(1.03),
    max: None,
};

/// A point's short label: its shard count, with the policy's initials for autoscaled points
/// (`TT 6`), `OD` for on-demand.
fn size_point_tag(p: &crate::size::PointResult) -> String {
    use crate::scenario::SizePolicy;
    match p.point.policy {
        None => "OD".to_string(),
        Some(SizePolicy::AsWritten | SizePolicy::Fixed) => p.point.shards.to_string(),
        Some(SizePolicy::TargetTracking) => format!("TT {}", p.point.shards),
        Some(SizePolicy::ThresholdStep) => format!("TS {}", p.point.shards),
        Some(SizePolicy::DoubleHalve) => format!("DH {}", p.point.shards),
    }
}

fn draw_size_cost(root: &Area<'_>, s: &crate::size::Sizing, axis: &SizeAxis) -> DrawResult {
    let value = axis.value;
    let slo = (axis.slo)(&s.slo);
    let finite = |x: f64| x.is_finite();
    // Log x: the metric spans decades; 0 (no throttling) is drawn at the left edge.
    let smallest =
        s.points.iter().map(value).filter(|x| *x > 0.0 && finite(*x)).fold(f64::INFINITY, f64::min);
    let floor = [
        smallest / 3.0,
        slo.map_or(f64::INFINITY, |m| m / 10.0),
        if smallest.is_finite() { f64::INFINITY } else { 1e-4 },
    ]
    .into_iter()
    .filter(|x| x.is_finite() && *x > 0.0)
    .fold(f64::INFINITY, f64::min);
    let floor = if floor.is_finite() { 10f64.powf(floor.log10().floor()) } else { 1e-4 };
    let largest =
        s.points.iter().map(value).filter(|x| finite(*x)).fold(0.0, f64::max).max(slo.unwrap_or(0.0));
    let mut x_hi = 10f64.powf((largest.max(floor * 10.0) * 1.5).log10().ceil()).max(floor * 10.0);
    // (Comparing `axis` with the THROTTLE_AXIS const by address never matched: a const has no
    // single address. The bound is a field of the axis.)
    if let Some(max) = axis.max {
        x_hi = x_hi.min(max).max(floor * 10.0);
    }
    let top = y_top(s.points.iter().map(|p| p.cost_per_month_usd.mean).fold(0.0, f64::max));
    let rule = crate::report::size::rule_words(s);
    let mut legend = vec![
        item(format!("meets the SLO {rule}"), Swatch::Dot(OI_GREEN)),
        item("misses it (any bound of the SLO)", Swatch::Dot(OI_VERMILLION)),
    ];
    if slo.is_some() {
        legend.push(item(axis.slo_label, Swatch::Dashed(INK)));
    }
    if s.recommendation.is_some() {
        legend.push(item("recommended (ringed)", Swatch::Dot(INK)));
    }
    let tags = if s.policies.iter().any(|p| !matches!(*p, "as-written" | "fixed")) {
        "labels: shard counts (TT/TS/DH: target-tracking/threshold-step/double-halve from it; OD: on-demand)"
    } else {
        "labels are shard counts (OD = on-demand)"
    };
    let sub = match s.recommendation.map(|i| &s.points[i]) {
        Some(p) => format!(
            "recommended: {}, ${}/month; {tags}; {}",
            p.label,
            fmt_num(p.cost_per_month_usd.mean, 2),
            axis.pile_note
        ),
        None => format!("no point meets the SLO; {tags}; {}", axis.pile_note),
    };
    let body = draw_header(
        root,
        &Header { title: format!("{}: {}", axis.title, s.scenario), subtitle: Some(sub), legend },
    )?;
    let fmt_y = |v: &f64| fmt_dollars(*v, top);
    let y_area = y_area_for(&fmt_y, top);
    let mut chart = builder(&body, y_area, 0).build_cartesian_2d((floor..x_hi).log_scale(), 0.0..top)?;
    let fmt_x = axis.fmt;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .x_labels(10)
        .y_labels(7)
        .x_desc(axis.x_desc)
        .y_desc("cost per month, mean over seeds [USD]")
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .x_label_formatter(&|v| fmt_x(*v))
        .y_label_formatter(&fmt_y)
        .draw()?;
    if let Some(m) = slo.filter(|m| *m > 0.0) {
        let m = m.clamp(floor, x_hi);
        let n = 40;
        for k in (0..n).step_by(2) {
            let (a, b) = (top * k as f64 / n as f64, top * (k + 1) as f64 / n as f64);
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(m, a), (m, b)], INK.stroke_width(2))))?;
        }
    }
    let label_style = text_style(TICK_PX, INK).pos(Pos::new(HPos::Left, VPos::Bottom));
    // Points of one policy at (or within 3% of) the smallest value pile up: one label per pile.
    let pile_x = match axis.pile_ratio {
        Some(r) if smallest.is_finite() => floor.max(smallest * r),
        _ => floor,
    };
    let piles: Vec<Vec<usize>> = s
        .policies
        .iter()
        .map(|name| {
            (0..s.points.len())
                .filter(|&i| {
                    let p = &s.points[i];
                    p.point.policy.map(|x| x.name()) == Some(*name) && value(p) <= pile_x
                })
                .collect()
        })
        .filter(|v: &Vec<usize>| !v.is_empty())
        .collect();
    // One point alone at the edge keeps its own label.
    let piles = if piles.iter().map(Vec::len).sum::<usize>() > 1 { piles } else { Vec::new() };
    for (i, p) in s.points.iter().enumerate() {
        let raw = value(p);
        let x = if raw.is_finite() { raw.clamp(floor, x_hi) } else { x_hi };
        let y = p.cost_per_month_usd.mean;
        let colour = if p.meets_slo { OI_GREEN } else { OI_VERMILLION };
        chart.draw_series(std::iter::once(Circle::new((x, y), 6, colour.filled())))?;
        // Every pile shares one label, at the highest point of all piles: `6-8 shards; TT 4-8`.
        let label = if piles.iter().any(|pile| pile.contains(&i)) {
            let top_i = piles.iter().flatten().copied().max_by(|a, b| {
                s.points[*a].cost_per_month_usd.mean.total_cmp(&s.points[*b].cost_per_month_usd.mean)
            });
            (top_i == Some(i)).then(|| {
                let parts: Vec<String> = piles
                    .iter()
                    .map(|pile| {
                        let (a, b) = (&s.points[pile[0]], &s.points[pile[pile.len() - 1]]);
                        let tag = size_point_tag(a);
                        let prefix = tag.strip_suffix(&a.point.shards.to_string()).unwrap_or("");
                        if pile.len() == 1 {
                            tag
                        } else {
                            format!("{prefix}{}-{}", a.point.shards, b.point.shards)
                        }
                    })
                    .collect();
                format!("{} shards", parts.join("; "))
            })
        } else {
            Some(size_point_tag(p))
        };
        if let Some(label) = label {
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, y)) + Text::new(label, (7, -5), label_style.clone()),
            ))?;
        }
        if s.recommendation == Some(i) {
            chart.draw_series(std::iter::once(Circle::new((x, y), 12, INK.stroke_width(3))))?;
        }
    }
    if s.points.is_empty() {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no points evaluated")?;
    }
    Ok(())
}

/// Colours of the provisioned series of `size-throttle-vs-shards.svg`, one per policy.
const POLICY_COLOURS: [RGBColor; 5] = [OI_BLUE, OI_PINK, OI_GREEN, OI_VERMILLION, RGBColor(0x56, 0xB4, 0xE9)];

fn draw_size_throttle(root: &Area<'_>, s: &crate::size::Sizing) -> DrawResult {
    use crate::scenario::CapacityMode;
    let prov: Vec<&crate::size::PointResult> =
        s.points.iter().filter(|p| p.point.mode == CapacityMode::Provisioned).collect();
    let od = s.points.iter().find(|p| p.point.mode == CapacityMode::OnDemand);
    let x_max = prov.iter().map(|p| f64::from(p.point.shards)).fold(1.0, f64::max) + 1.0;
    let hi = |p: &crate::size::PointResult| p.throttle_rate.ci_high.unwrap_or(p.throttle_rate.mean);
    let top = y_top(
        s.points.iter().map(hi).fold(0.0, f64::max).max(s.slo.max_throttle_rate.unwrap_or(0.0)) * 100.0,
    );
    let series: Vec<(&str, RGBColor, Vec<&crate::size::PointResult>)> = s
        .policies
        .iter()
        .zip(POLICY_COLOURS.iter().cycle())
        .map(|(name, colour)| {
            (
                *name,
                *colour,
                prov.iter().copied().filter(|p| p.point.policy.map(|x| x.name()) == Some(*name)).collect(),
            )
        })
        .collect();
    let mut legend = Vec::new();
    for (name, colour, _) in &series {
        let what = match *name {
            "as-written" => "provisioned".to_string(),
            "fixed" => "provisioned, fixed".to_string(),
            other => format!("{other} from the count"),
        };
        legend.push(item(format!("{what}: mean and 95% interval over seeds"), Swatch::Line(*colour)));
    }
    if od.is_some() {
        legend.push(item("on-demand (one point, any shard count)", Swatch::Dashed(OI_ORANGE)));
    }
    if s.slo.max_throttle_rate.is_some() {
        legend.push(item("SLO: max throttle rate", Swatch::Dashed(INK)));
    }
    legend.push(item("textbook formula", Swatch::Line(EVEN_LINE)));
    if s.recommendation.is_some() {
        legend.push(item("recommended (ringed)", Swatch::Dot(INK)));
    }
    let tb = &s.textbook;
    let body = draw_header(
        root,
        &Header {
            title: format!("Throttle rate vs shard count: {}", s.scenario),
            subtitle: Some(format!(
                "{} seeds per point; the textbook formula says {} shards at the peak",
                s.seeds.len(),
                tb.shards_at_peak_with_record_limit
            )),
            legend,
        },
    )?;
    let fmt_y = |v: &f64| {
        format!(
            "{}%",
            fmt_num(
                *v,
                if top >= 10.0 {
                    0
                } else if top >= 1.0 {
                    1
                } else {
                    3
                }
            )
        )
    };
    let y_area = y_area_for(&fmt_y, top);
    let mut chart = builder(&body, y_area, 0).build_cartesian_2d(0.0..x_max, 0.0..top)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .x_labels(12)
        .y_labels(7)
        .x_desc(if series.iter().any(|(n, ..)| !matches!(*n, "as-written" | "fixed")) {
            "provisioned shards (autoscaled: at the start, and the floor)"
        } else {
            "provisioned shards"
        })
        .y_desc("throttle rate [% of attempts]")
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .x_label_formatter(&|v| if v.fract() == 0.0 { fmt_num(*v, 0) } else { String::new() })
        .y_label_formatter(&fmt_y)
        .draw()?;
    let dashed =
        |chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
         y: f64,
         colour: RGBColor|
         -> DrawResult {
            let n = 60;
            for k in (0..n).step_by(2) {
                let (a, b) = (x_max * k as f64 / n as f64, x_max * (k + 1) as f64 / n as f64);
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(a, y), (b, y)],
                    colour.stroke_width(2),
                )))?;
            }
            Ok(())
        };
    if let Some(m) = s.slo.max_throttle_rate {
        dashed(&mut chart, m * 100.0, INK)?;
    }
    let formula = tb.shards_at_peak_with_record_limit as f64;
    if formula < x_max {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(formula, 0.0), (formula, top)],
            EVEN_LINE.stroke_width(2),
        )))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((formula, top))
                + Text::new(
                    format!("textbook formula: {}", tb.shards_at_peak_with_record_limit),
                    (6, 4),
                    text_style(TICK_PX, GREY_TEXT).pos(Pos::new(HPos::Left, VPos::Top)),
                ),
        ))?;
    }
    if let Some(p) = od {
        dashed(&mut chart, p.throttle_rate.mean * 100.0, OI_ORANGE)?;
    }
    for (_, colour, points) in &series {
        let line: Vec<(f64, f64)> =
            points.iter().map(|p| (f64::from(p.point.shards), p.throttle_rate.mean * 100.0)).collect();
        chart.draw_series(LineSeries::new(line.iter().copied(), colour.stroke_width(2)))?;
        for p in points {
            let x = f64::from(p.point.shards);
            if let (Some(lo), Some(h)) = (p.throttle_rate.ci_low, p.throttle_rate.ci_high) {
                let (lo, h) = (lo.max(0.0) * 100.0, h * 100.0);
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, lo), (x, h)],
                    colour.stroke_width(2),
                )))?;
            }
            chart.draw_series(std::iter::once(Circle::new(
                (x, p.throttle_rate.mean * 100.0),
                4,
                colour.filled(),
            )))?;
        }
    }
    if let Some(p) = s.recommendation.map(|i| &s.points[i]) {
        let x =
            if p.point.mode == CapacityMode::Provisioned { f64::from(p.point.shards) } else { x_max / 2.0 };
        chart.draw_series(std::iter::once(Circle::new(
            (x, p.throttle_rate.mean * 100.0),
            9,
            INK.stroke_width(3),
        )))?;
    }
    if s.points.is_empty() {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no points evaluated")?;
    }
    Ok(())
}
