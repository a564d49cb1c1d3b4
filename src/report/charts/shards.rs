//! The per-shard charts of one run: the utilisation heatmap (`shard-load.svg`) and accepted
//! against throttled records per shard with each shard's key share (`shard-totals.svg`).
//!
//! Calls `style` and the run's result ([`RunResult`]); no other chart file.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    builder, draw_header, draw_note, fmt_count, fmt_int, fmt_num, fmt_seconds, item, render, short_scenario,
    text_style, text_width, widest, y_area_for, y_label_area, y_top, Area, DrawResult, Header, Swatch,
    TimeAxis, EVEN_LINE, GREY_TEXT, GRID, HEATMAP_HEIGHT, HEIGHT, INK, LABEL_PX, OI_BLUE, OI_VERMILLION,
    TICK_PX, WIDTH,
};
use super::ChartError;
use crate::metrics::RunResult;

/// Per-shard utilisation heatmap, `shard-load.svg`.
pub fn shard_heatmap_svg(r: &RunResult) -> Result<String, ChartError> {
    render("shard-load", (WIDTH, HEATMAP_HEIGHT), |root| draw_heatmap(root, r))
}

/// Accepted and throttled records per shard, `shard-totals.svg`.
pub fn shard_totals_svg(r: &RunResult) -> Result<String, ChartError> {
    render("shard-totals", (WIDTH, HEIGHT), |root| draw_shard_totals(root, r))
}

// ---------------------------------------------------------------------------------------------
// Shard heatmap

/// Most rows a heatmap draws; more shards are merged (max) into rows.
const HEATMAP_MAX_ROWS: usize = 64;
/// Most columns a heatmap draws (about one per two pixels of the plot).
const HEATMAP_MAX_COLS: usize = 600;
/// Most cells a heatmap draws.
const HEATMAP_MAX_CELLS: usize = 38_000;
/// Rows labelled with shard ids instead of index ticks.
const HEATMAP_MAX_ID_ROWS: usize = 16;
/// Colour levels per 100% of the write limit.
const LEVELS_PER_LIMIT: f32 = 40.0;
/// Highest colour level (150% and above).
const MAX_LEVEL: u8 = 60;

/// Colour level of a utilisation; `None` for no load at all (drawn as the white background).
fn heat_level(u: f32) -> Option<u8> {
    if u.is_nan() || u <= 0.0 {
        None
    } else {
        Some(((u * LEVELS_PER_LIMIT).floor() as i64).clamp(0, MAX_LEVEL as i64) as u8)
    }
}

fn lerp_color(stops: &[(f64, (u8, u8, u8))], v: f64) -> RGBColor {
    let v = v.clamp(stops[0].0, stops[stops.len() - 1].0);
    for w in stops.windows(2) {
        let (a, ca) = w[0];
        let (b, cb) = w[1];
        if v <= b {
            let f = if b > a { (v - a) / (b - a) } else { 0.0 };
            let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
            return RGBColor(mix(ca.0, cb.0), mix(ca.1, cb.1), mix(ca.2, cb.2));
        }
    }
    let c = stops[stops.len() - 1].1;
    RGBColor(c.0, c.1, c.2)
}

/// Sequential scale: white → yellow → orange → red-orange below the limit; at and over the
/// limit a jump to dark red, darkening to deep purple at >= 150%.
fn level_color(q: u8) -> RGBColor {
    let limit = LEVELS_PER_LIMIT as u8;
    if q < limit {
        let u = (q as f64 + 0.5) / LEVELS_PER_LIMIT as f64;
        lerp_color(
            &[
                (0.0, (0xFF, 0xFF, 0xFF)),
                (0.25, (0xFF, 0xF0, 0xA8)),
                (0.5, (0xFE, 0xC4, 0x4F)),
                (0.75, (0xFD, 0x8D, 0x3C)),
                (1.0, (0xF0, 0x4E, 0x22)),
            ],
            u,
        )
    } else {
        let f = (q - limit) as f64 / (MAX_LEVEL - limit) as f64;
        lerp_color(&[(0.0, (0xA5, 0x00, 0x26)), (0.5, (0x7A, 0x01, 0x4F)), (1.0, (0x3F, 0x00, 0x7D))], f)
    }
}

/// Short form of a shard id for axis ticks: `shardId-000000000007` → `7`.
pub(super) fn short_shard_id(id: &str) -> Option<String> {
    let digits = id.strip_prefix("shardId-")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0" } else { trimmed }.to_string())
}

fn draw_heatmap(root: &Area<'_>, r: &RunResult) -> DrawResult {
    let hm = &r.heatmap;
    let n_sh = hm.n_shards;
    let n_b = hm.n_buckets;
    let bucket_s = hm.bucket_s.max(1);
    let cell = |s: usize, b: usize| -> f32 {
        s.checked_mul(n_b)
            .and_then(|i| i.checked_add(b))
            .and_then(|i| hm.utilisation.get(i))
            .copied()
            .unwrap_or(0.0)
    };

    let row_group = n_sh.div_ceil(HEATMAP_MAX_ROWS).max(1);
    let rows = n_sh.div_ceil(row_group);
    let max_cols = (HEATMAP_MAX_CELLS / rows.max(1)).clamp(1, HEATMAP_MAX_COLS);
    let col_group = n_b.div_ceil(max_cols).max(1);
    let cols = n_b.div_ceil(col_group);
    let t = TimeAxis::new(r.duration_s, (n_b as u64 * bucket_s) as f64);
    let x_max = t.x_max((n_b as u64 * bucket_s) as f64, r.duration_s);

    // Colour levels, max over the shards of a row and the buckets of a column.
    let mut levels: Vec<Option<u8>> = vec![None; rows * cols];
    let mut peak: f32 = 0.0;
    for s in 0..n_sh {
        let row = s / row_group;
        for b in 0..n_b {
            let u = cell(s, b);
            if u > peak {
                peak = u;
            }
            let lv = heat_level(u);
            let slot = &mut levels[row * cols + b / col_group];
            if lv > *slot {
                *slot = lv;
            }
        }
    }

    let mut title = format!("Per-shard write load vs. limit — scenario “{}”", short_scenario(r));
    if row_group > 1 {
        title.push_str(&format!(
            " — {} shards, each row = max of {} shards",
            fmt_int(n_sh as u64),
            row_group
        ));
    }
    let rec_limit = match r.shard_limit_records_per_s {
        0 => "limit".to_string(),
        l => fmt_int(l),
    };
    let byte_limit = match r.shard_limit_bytes_per_s {
        0 => "limit".to_string(),
        l if l % (1 << 20) == 0 => format!("{} MiB", l >> 20),
        l => format!("{} bytes", fmt_int(l)),
    };
    let mut subtitle = format!(
        "cell = mean over {} of max(records/s ÷ {rec_limit}, bytes/s ÷ {byte_limit}); ≥ 100% = over the limit (throttled); peak {}%",
        fmt_seconds(bucket_s),
        fmt_num(f64::from(peak) * 100.0, 0),
    );
    if col_group > 1 {
        subtitle.push_str(&format!("; each column = max of {} buckets", fmt_int(col_group as u64)));
    }
    let body = draw_header(root, &Header { title, subtitle: Some(subtitle), legend: vec![] })?;

    const SCALE_W: u32 = 215;
    let (body_w, _) = body.dim_in_pixel();
    let (plot_body, _) = body.split_horizontally(body_w.saturating_sub(SCALE_W));

    let with_ids = rows <= HEATMAP_MAX_ID_ROWS && row_group == 1;
    let ids: Vec<String> = (0..n_sh)
        .map(|i| r.shards.get(i).map(|s| s.shard_id.clone()).unwrap_or_else(|| format!("#{i}")))
        .collect();
    let y_top = n_sh.max(1) as f64;
    let fmt_y = |v: &f64| {
        if with_ids || (v.fract() != 0.0) || *v >= n_sh as f64 {
            String::new()
        } else {
            fmt_num(*v, 0)
        }
    };
    let widest_tick = if with_ids { widest(&ids) } else { fmt_int(n_sh as u64) };
    let y_area = y_label_area(&widest_tick);
    let y_desc = if row_group > 1 {
        format!("shard (index; {row_group} per row)")
    } else if with_ids {
        "shard".to_string()
    } else {
        "shard (index)".to_string()
    };

    let mut chart =
        builder(&plot_body, y_area, 0).margin_right(16).build_cartesian_2d(0.0..x_max, 0.0..y_top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .axis_style(INK)
        .x_labels(10)
        .y_labels(if with_ids { 0 } else { 8 })
        .x_desc(t.label())
        .y_desc(y_desc)
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .x_label_formatter(&|v| fmt_num(*v, 2))
        .y_label_formatter(&fmt_y)
        .draw()?;

    // Cells, run-length merged along time where the colour level repeats. Drawn in pixels, each
    // overlapping its right and upper neighbour by 1 px, so anti-aliased renderers show no
    // seams between cells.
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let col_x = |c: usize| ((c * col_group).min(n_b) as u64 * bucket_s) as f64 / t.div;
    for row in 0..rows {
        let y0 = (row * row_group) as f64;
        let y1 = ((row + 1) * row_group).min(n_sh) as f64;
        let mut c = 0;
        while c < cols {
            let lv = levels[row * cols + c];
            let mut e = c + 1;
            while e < cols && levels[row * cols + e] == lv {
                e += 1;
            }
            if let Some(q) = lv {
                let (px0, py0) = chart.backend_coord(&(col_x(c), y1));
                let (px1, py1) = chart.backend_coord(&(col_x(e), y0));
                root.draw(&Rectangle::new(
                    [(px0, (py0 - 1).max(yr.start)), ((px1 + 1).min(xr.end), py1)],
                    level_color(q).filled(),
                ))?;
            }
            c = e;
        }
    }

    // Plot frame, so white (idle) cells are bounded.
    root.draw(&Rectangle::new([(xr.start, yr.start), (xr.end, yr.end)], INK.mix(0.6).stroke_width(1)))?;

    if with_ids {
        let style = text_style(TICK_PX, INK).pos(Pos::new(HPos::Right, VPos::Center));
        for (i, id) in ids.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, i as f64 + 0.5));
            root.draw(&PathElement::new(vec![(px - 5, py), (px, py)], INK))?;
            root.draw(&Text::new(id.clone(), (px - 9, py), style.clone()))?;
        }
    }

    if n_sh == 0 || n_b == 0 {
        draw_note(root, (xr.clone(), yr.clone()), "no shard data")?;
    }

    // Colour scale on the right.
    let bar_x0 = xr.end + 26;
    let bar_x1 = bar_x0 + 20;
    let bar_h = (yr.end - yr.start).clamp(60, 320);
    let bar_bottom = yr.start + (yr.end - yr.start + bar_h) / 2;
    let bar_top = bar_bottom - bar_h;
    let v_to_y = |v: f64| bar_bottom - (v / 1.5 * bar_h as f64).round() as i32;
    for q in 0..MAX_LEVEL {
        let v0 = q as f64 / LEVELS_PER_LIMIT as f64;
        let v1 = (q + 1) as f64 / LEVELS_PER_LIMIT as f64;
        root.draw(&Rectangle::new(
            [(bar_x0, (v_to_y(v1) - 1).max(bar_top)), (bar_x1, v_to_y(v0))],
            level_color(q).filled(),
        ))?;
    }
    root.draw(&Rectangle::new([(bar_x0, bar_top), (bar_x1, bar_bottom)], INK.stroke_width(1)))?;
    root.draw(&PathElement::new(
        vec![(bar_x0 - 4, v_to_y(1.0)), (bar_x1 + 4, v_to_y(1.0))],
        INK.stroke_width(2),
    ))?;
    let style = text_style(TICK_PX, INK).pos(Pos::new(HPos::Left, VPos::Center));
    for (v, label) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100% of write limit"), (1.5, "≥150%")] {
        let y = v_to_y(v);
        root.draw(&PathElement::new(vec![(bar_x1, y), (bar_x1 + 4, y)], INK))?;
        root.draw(&Text::new(label, (bar_x1 + 8, y), style.clone()))?;
    }
    let cap_style = text_style(TICK_PX, GREY_TEXT).pos(Pos::new(HPos::Left, VPos::Bottom));
    root.draw(&Text::new("offered load", (bar_x0 - 2, bar_top - 8), cap_style))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Shard totals

/// Most bars drawn; with more shards the busiest (by offered records) are shown.
const TOTALS_MAX_BARS: usize = 64;

fn draw_shard_totals(root: &Area<'_>, r: &RunResult) -> DrawResult {
    let n_all = r.shards.len();
    let limited = n_all > TOTALS_MAX_BARS;
    let mut idx: Vec<usize> = (0..n_all).collect();
    if limited {
        idx.sort_by(|&a, &b| r.shards[b].offered_records.cmp(&r.shards[a].offered_records).then(a.cmp(&b)));
        idx.truncate(TOTALS_MAX_BARS);
    }
    let bars: Vec<&crate::metrics::ShardTotals> = idx.iter().map(|&i| &r.shards[i]).collect();
    let m = bars.len();

    let height =
        |s: &crate::metrics::ShardTotals| s.accepted_records.saturating_add(s.throttled_records) as f64;
    let top = y_top(bars.iter().map(|s| height(s)).fold(0.0, f64::max));
    let share_pct = |s: &crate::metrics::ShardTotals| {
        if s.key_share.is_finite() {
            s.key_share.max(0.0) * 100.0
        } else {
            0.0
        }
    };
    let even_pct = if n_all > 0 { 100.0 / n_all as f64 } else { 0.0 };
    let share_top = {
        let m = bars.iter().map(|s| share_pct(s)).fold(even_pct, f64::max) * 1.15;
        if m.is_finite() && m > 0.0 {
            m
        } else {
            1.0
        }
    };

    let title = if limited {
        format!(
            "Per-shard totals, the {} busiest of {} shards by offered records — scenario “{}”",
            m,
            fmt_int(n_all as u64),
            short_scenario(r)
        )
    } else {
        format!("Per-shard totals: accepted vs throttled — scenario “{}”", short_scenario(r))
    };
    let legend = if m > 0 {
        vec![
            item("accepted records (IncomingRecords)", Swatch::Bar(OI_BLUE)),
            item("throttled attempts (WriteProvisionedThroughputExceeded)", Swatch::Bar(OI_VERMILLION)),
            item("key share [%] (right axis)", Swatch::Dot(INK)),
            item(format!("even key share (1/{} shards)", fmt_int(n_all as u64)), Swatch::Dashed(EVEN_LINE)),
        ]
    } else {
        vec![]
    };
    let body = draw_header(
        root,
        &Header {
            title,
            subtitle: Some(
                "bar height = attempts that reached the shard (accepted + throttled, whole run)".to_string(),
            ),
            legend,
        },
    )?;

    let labels: Vec<String> = bars
        .iter()
        .enumerate()
        .map(|(rank, s)| {
            if limited {
                (rank + 1).to_string()
            } else {
                short_shard_id(&s.shard_id).unwrap_or_else(|| s.shard_id.clone())
            }
        })
        .collect();
    let all_short = bars.iter().all(|s| short_shard_id(&s.shard_id).is_some());
    let x_desc = if limited {
        "shard rank by offered records (1 = busiest)".to_string()
    } else if all_short {
        "shard (number N of shardId-…N)".to_string()
    } else {
        "shard".to_string()
    };

    let fmt_y = |v: &f64| fmt_count(*v, top);
    let fmt_share = |v: &f64| fmt_num(*v, if share_top < 5.0 { 2 } else { 1 });
    let y_area = y_area_for(&fmt_y, top);
    let right_area = y_label_area(&widest(&[fmt_share(&share_top), fmt_share(&(share_top * 0.95))]));
    // Bar i is centred on x = i (x = rank when ranked); few bars get empty slots either side so
    // they do not become very wide.
    let off = if limited { 1.0 } else { 0.0 };
    let pad = (6usize.saturating_sub(m)) as f64 / 2.0;
    let x_range = (off - 0.5 - pad)..(off + m.max(1) as f64 - 0.5 + pad);
    let mut chart = builder(&body, y_area, right_area)
        .build_cartesian_2d(x_range.clone(), 0.0..top)?
        .set_secondary_coord(x_range, 0.0..share_top);
    let label_at = |v: &f64| {
        let i = v.round() - off;
        if (v - off - i).abs() > 1e-6 || i < 0.0 || i as usize >= m {
            String::new()
        } else {
            labels[i as usize].clone()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .x_labels(m.clamp(1, 16) + 1)
        .y_labels(7)
        .x_desc(x_desc)
        .y_desc("records (whole run)")
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .x_label_formatter(&label_at)
        .y_label_formatter(&fmt_y)
        .draw()?;
    chart
        .configure_secondary_axes()
        .axis_style(INK)
        .y_labels(7)
        .y_desc("key share [%]")
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .y_label_formatter(&fmt_share)
        .draw()?;

    let half = if m > 32 { 0.36 } else { 0.32 };
    chart.draw_series(bars.iter().enumerate().map(|(i, s)| {
        let x = i as f64 + off;
        Rectangle::new([(x - half, 0.0), (x + half, s.accepted_records as f64)], OI_BLUE.filled())
    }))?;
    chart.draw_series(bars.iter().enumerate().filter(|(_, s)| s.throttled_records > 0).map(|(i, s)| {
        let x = i as f64 + off;
        Rectangle::new([(x - half, s.accepted_records as f64), (x + half, height(s))], OI_VERMILLION.filled())
    }))?;
    if m > 0 {
        chart.draw_secondary_series(DashedLineSeries::new(
            [(off - 0.5 - pad, even_pct), (off + m as f64 - 0.5 + pad, even_pct)],
            7,
            5,
            EVEN_LINE.stroke_width(2),
        ))?;
        let radius = if m > 32 { 3 } else { 5 };
        chart.draw_secondary_series(
            bars.iter()
                .enumerate()
                .map(|(i, s)| Circle::new((i as f64 + off, share_pct(s)), radius, INK.filled())),
        )?;
    }

    // Name the busiest shard when it stands out.
    if m >= 2 {
        let total: f64 = bars.iter().map(|s| height(s)).sum();
        let (hot_i, hot) = bars
            .iter()
            .enumerate()
            .max_by(|a, b| height(a.1).total_cmp(&height(b.1)))
            .map(|(i, s)| (i, *s))
            .unwrap_or((0, bars[0]));
        if limited || height(hot) > 1.5 * total / m as f64 {
            let (xr, _) = chart.plotting_area().get_pixel_range();
            let (px, py) = chart.backend_coord(&(hot_i as f64 + off, height(hot)));
            let text = format!("hot: {}", hot.shard_id);
            let w = text_width(&text, TICK_PX);
            let x = px.min(xr.end - w / 2 - 2).max(xr.start + w / 2 + 2);
            root.draw(&Text::new(
                text,
                (x, py - 6),
                text_style(TICK_PX, INK).pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))?;
        }
    }
    if m == 0 {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no shards")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::all_svgs;
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn heatmap_has_ids_scale_and_units() {
        let svg = shard_heatmap_svg(&synthetic(60, 4)).unwrap();
        assert_svg(&svg);
        assert_contains(
            &svg,
            &[NAME, "time [s]", "shard", "shardId-000000000002", "0%", "50%", "100% of write limit", "150%"],
        );
    }

    #[test]
    fn shard_totals_shows_hot_shard() {
        let svg = shard_totals_svg(&synthetic(60, 4)).unwrap();
        assert_svg(&svg);
        assert_contains(
            &svg,
            &[
                NAME,
                "records (whole run)",
                "key share [%]",
                "accepted records",
                "throttled attempts",
                "hot: shardId-000000000002",
            ],
        );
        assert!(!svg.contains("busiest"));
    }

    #[test]
    fn ten_thousand_shards_are_aggregated() {
        let mut r = synthetic(60, 10_000);
        // Many buckets with varying values, so cells cannot be merged.
        let n_buckets = 1000;
        r.heatmap.n_buckets = n_buckets;
        r.heatmap.bucket_s = 1;
        r.heatmap.utilisation =
            (0..10_000 * n_buckets).map(|i| (noise(i / n_buckets, i % n_buckets) * 1.6) as f32).collect();
        let heat = shard_heatmap_svg(&r).unwrap();
        assert_svg(&heat);
        let rects = heat.matches("<rect").count();
        assert!(rects <= 40_000, "{rects} rects");
        assert_contains(&heat, &["10,000 shards", "max of 157 shards"]);

        let totals = shard_totals_svg(&r).unwrap();
        assert_svg(&totals);
        assert_contains(&totals, &["64 busiest of 10,000 shards", "hot: shardId-000000000002"]);
        assert!(totals.matches("<rect").count() < 400);
        // The hot shard is the one the chart names, ranked first.
        let all = all_svgs(&crate::experiment::Outcome::at_default_prices(r)).unwrap();
        assert_eq!(all.len(), 6);
    }

    #[test]
    fn heat_scale_is_clamped_and_marks_the_limit() {
        assert_eq!(heat_level(0.0), None);
        assert_eq!(heat_level(f32::NAN), None);
        assert_eq!(heat_level(f32::INFINITY), Some(MAX_LEVEL));
        assert_eq!(heat_level(9.0), Some(MAX_LEVEL));
        assert_eq!(heat_level(1.0), Some(40));
        // Below the limit colours are light, at/over it dark.
        let lum = |c: RGBColor| 0.3 * c.0 as f64 + 0.59 * c.1 as f64 + 0.11 * c.2 as f64;
        assert!(lum(level_color(39)) > 1.5 * lum(level_color(40)));
        assert!(lum(level_color(0)) > lum(level_color(20)));
    }
}
