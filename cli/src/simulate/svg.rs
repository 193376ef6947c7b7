//! The timeline as a picture: one lane per member, one panel per strategy,
//! one column per event; below, moved partitions per event per strategy.
//!
//! Each cell is a bar as long as the member's partition count after the
//! event (the same scale everywhere), its moved-in part in red, with the
//! count written beside it; a crashed member's cell is grey. The layout is
//! fixed-size per cell so that 50 members and 1000 partitions stay legible:
//! the picture grows, the text does not shrink.

use std::fmt::Write;

use kafka_assignors::Assignor;

use crate::simulate::engine::Status;
use crate::simulate::report::{Simulation, protocol_name};

const MARGIN: u32 = 16;
const LABEL_W: u32 = 120;
const CELL_W: u32 = 46;
const LANE_H: u32 = 18;
const BAR_H: u32 = 12;
const PANEL_GAP: u32 = 24;
const TITLE_H: u32 = 28;
const PANEL_TITLE_H: u32 = 20;
/// Room for the event labels, written slanted above the columns.
const EVENT_LABEL_H: u32 = 96;
const CHART_GAP: u32 = 36;
const CHART_H: u32 = 160;
const CHART_SLOT_MIN: u32 = 30;
const BAR_W: u32 = 9;
const FONT: &str = "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\"";
const MOVED_COLOR: &str = "#d62728";
const CRASHED_COLOR: &str = "#9a9a9a";

/// A colour per strategy, by its position in the run.
const PALETTE: [&str; 4] = ["#4e79a7", "#59a14f", "#b07aa1", "#f28e2b"];

fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Text safe inside an XML element or attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Long member names are cut to fit the label column.
fn short(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The SVG document.
pub(crate) fn render(sim: &Simulation<'_>) -> String {
    let lanes = sim.timeline.lanes.len() as u32;
    let strategies = sim.replays.len() as u32;
    let events = sim.replays.first().map_or(0, |r| r.events.len()) as u32;
    let panel_w = events * CELL_W;
    let panels_w = strategies * panel_w + strategies.saturating_sub(1) * PANEL_GAP;
    let slot = CHART_SLOT_MIN.max(strategies * BAR_W + 6);
    let chart_w = events * slot;
    let legend_w = 260;
    let body_w = panels_w.max(chart_w + legend_w);
    let width = MARGIN + LABEL_W + body_w + MARGIN;
    let lanes_top = MARGIN + TITLE_H + PANEL_TITLE_H + EVENT_LABEL_H;
    let lanes_h = lanes * LANE_H;
    let chart_top = lanes_top + lanes_h + CHART_GAP;
    let height = chart_top + CHART_H + 48 + MARGIN;
    let x0 = MARGIN + LABEL_W;
    let panel_x = |s: u32| x0 + s * (panel_w + PANEL_GAP);

    let max_load = sim
        .replays
        .iter()
        .flat_map(|r| r.events.iter().flat_map(|e| e.lanes.iter().map(|l| l.load)))
        .max()
        .unwrap_or(0)
        .max(1);

    let mut svg = String::with_capacity(4096 + (lanes * events * strategies) as usize * 160);
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" {FONT} font-size=\"11\">"
    );
    let _ = writeln!(
        svg,
        "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        svg,
        "<text class=\"title\" x=\"{MARGIN}\" y=\"{}\" font-size=\"16\" font-weight=\"bold\">{}</text>",
        MARGIN + 14,
        escape(&format!(
            "kassign simulate {}: {} members, {} events; bar = partitions per member, red = moved in",
            sim.source,
            lanes,
            events.saturating_sub(1)
        ))
    );

    // Panel titles, column guides and slanted event labels.
    let labels: Vec<String> = sim
        .replays
        .first()
        .map(|r| {
            r.events
                .iter()
                .enumerate()
                .map(|(i, e)| format!("{i} {}", e.label))
                .collect()
        })
        .unwrap_or_default();
    for (s, replay) in sim.replays.iter().enumerate() {
        let px = panel_x(s as u32);
        let _ = writeln!(
            svg,
            "<g class=\"panel\" data-strategy=\"{name}\">\n<text class=\"panel-title\" x=\"{px}\" \
             y=\"{}\" font-size=\"13\" font-weight=\"bold\" fill=\"{}\">{name} ({})</text>",
            MARGIN + TITLE_H + 12,
            color(s),
            protocol_name(replay.protocol),
            name = replay.strategy.name(),
        );
        let _ = writeln!(
            svg,
            "<rect x=\"{px}\" y=\"{lanes_top}\" width=\"{panel_w}\" height=\"{lanes_h}\" \
             fill=\"none\" stroke=\"{}\" stroke-width=\"1\"/>",
            color(s)
        );
        for (e, label) in labels.iter().enumerate() {
            let cx = px + e as u32 * CELL_W;
            if e > 0 {
                let _ = writeln!(
                    svg,
                    "<line x1=\"{cx}\" y1=\"{lanes_top}\" x2=\"{cx}\" y2=\"{}\" stroke=\"#e3e3e3\"/>",
                    lanes_top + lanes_h
                );
            }
            let lx = cx + CELL_W / 2;
            let ly = lanes_top - 4;
            let _ = writeln!(
                svg,
                "<text class=\"event-label\" x=\"{lx}\" y=\"{ly}\" font-size=\"10\" \
                 transform=\"rotate(-60 {lx} {ly})\">{}</text>",
                escape(&short(label, 22))
            );
        }
        let _ = writeln!(svg, "</g>");
    }

    // Lanes.
    let bar_room = f64::from(CELL_W - 18);
    for (l, name) in sim.timeline.lanes.iter().enumerate() {
        let y = lanes_top + l as u32 * LANE_H;
        let _ = writeln!(svg, "<g class=\"lane\" data-member=\"{}\">", escape(name));
        if l % 2 == 1 {
            let _ = writeln!(
                svg,
                "<rect x=\"{MARGIN}\" y=\"{y}\" width=\"{}\" height=\"{LANE_H}\" fill=\"#f4f6f8\"/>",
                LABEL_W + panels_w
            );
        }
        let _ = writeln!(
            svg,
            "<text class=\"member\" x=\"{MARGIN}\" y=\"{}\">{}</text>",
            y + LANE_H - 5,
            escape(&short(name, 16))
        );
        for (s, replay) in sim.replays.iter().enumerate() {
            for (e, event) in replay.events.iter().enumerate() {
                let Some(state) = event.lanes.get(l) else {
                    continue;
                };
                let cx = panel_x(s as u32) + e as u32 * CELL_W + 2;
                let by = y + (LANE_H - BAR_H) / 2;
                match state.status {
                    Status::Absent => {}
                    Status::Crashed => {
                        let _ = writeln!(
                            svg,
                            "<rect class=\"crashed\" x=\"{cx}\" y=\"{by}\" width=\"{}\" \
                             height=\"{BAR_H}\" fill=\"{CRASHED_COLOR}\" fill-opacity=\"0.5\"><title>{}</title></rect>",
                            CELL_W - 4,
                            escape(&format!("{name} crashed after {}", event.label))
                        );
                    }
                    Status::Active => {
                        let w = bar_room * f64::from(state.load) / f64::from(max_load);
                        let moved = state.moved_in.min(state.load);
                        let mw = bar_room * f64::from(moved) / f64::from(max_load);
                        let _ = write!(
                            svg,
                            "<g class=\"cell\"><title>{}</title><rect x=\"{cx}\" y=\"{by}\" \
                             width=\"{w:.1}\" height=\"{BAR_H}\" fill=\"{}\" fill-opacity=\"0.55\"/>",
                            escape(&format!(
                                "{name} after {} ({}): {} partitions, {} moved in",
                                event.label,
                                replay.strategy.name(),
                                state.load,
                                state.moved_in
                            )),
                            color(s)
                        );
                        if moved > 0 {
                            let _ = write!(
                                svg,
                                "<rect class=\"moved\" x=\"{cx}\" y=\"{by}\" width=\"{:.1}\" \
                                 height=\"{BAR_H}\" fill=\"{MOVED_COLOR}\"/>",
                                mw.max(1.5)
                            );
                        }
                        let _ = writeln!(
                            svg,
                            "<text x=\"{:.1}\" y=\"{}\" font-size=\"9.5\" fill=\"{}\">{}</text></g>",
                            f64::from(cx) + w + 2.0,
                            y + LANE_H - 5,
                            if moved > 0 { MOVED_COLOR } else { "#222222" },
                            state.load
                        );
                    }
                }
            }
        }
        let _ = writeln!(svg, "</g>");
    }

    // Chart: moved partitions per event, one bar per strategy.
    let max_moved = sim
        .replays
        .iter()
        .flat_map(|r| r.events.iter().map(|e| e.moved))
        .max()
        .unwrap_or(0)
        .max(1);
    let base = chart_top + CHART_H;
    let _ = writeln!(svg, "<g class=\"chart\">");
    let _ = writeln!(
        svg,
        "<text x=\"{MARGIN}\" y=\"{}\" font-size=\"13\" font-weight=\"bold\">moved partitions per event</text>",
        chart_top - 8
    );
    for tick in [0, max_moved / 2, max_moved] {
        let ty = base - (u64::from(CHART_H - 14) * tick / max_moved) as u32;
        let _ = writeln!(
            svg,
            "<line x1=\"{x0}\" y1=\"{ty}\" x2=\"{}\" y2=\"{ty}\" stroke=\"#dddddd\"/>\n\
             <text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{tick}</text>",
            x0 + chart_w,
            x0 - 6,
            ty + 4
        );
    }
    for e in 0..events {
        let sx = x0 + e * slot + 3;
        for (s, replay) in sim.replays.iter().enumerate() {
            let moved = replay.events[e as usize].moved;
            let h = (u64::from(CHART_H - 14) * moved / max_moved) as u32;
            if moved > 0 {
                let _ = writeln!(
                    svg,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
                    sx + s as u32 * BAR_W,
                    base - h,
                    BAR_W - 1,
                    h.max(1),
                    color(s),
                    escape(&format!(
                        "{} {}: {moved} moved",
                        labels[e as usize],
                        replay.strategy.name()
                    ))
                );
            }
        }
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{e}</text>",
            x0 + e * slot + slot / 2,
            base + 14
        );
    }
    let _ = writeln!(
        svg,
        "<line x1=\"{x0}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#555555\"/>\n\
         <text x=\"{x0}\" y=\"{}\" font-size=\"10\">event number (labels above the lanes)</text>",
        x0 + chart_w,
        base + 30
    );
    // Legend.
    let lx = x0 + chart_w + 30;
    for (s, replay) in sim.replays.iter().enumerate() {
        let ly = chart_top + 10 + s as u32 * 18;
        let _ = writeln!(
            svg,
            "<rect x=\"{lx}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text class=\"legend\" x=\"{}\" y=\"{}\">{} ({})</text>",
            color(s),
            lx + 18,
            ly + 10,
            replay.strategy.name(),
            protocol_name(replay.protocol)
        );
    }
    let ly = chart_top + 10 + strategies * 18 + 8;
    let _ = writeln!(
        svg,
        "<rect x=\"{lx}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{MOVED_COLOR}\"/>\
         <text class=\"legend\" x=\"{}\" y=\"{}\">moved in during the event</text>\n\
         <rect x=\"{lx}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{CRASHED_COLOR}\" fill-opacity=\"0.5\"/>\
         <text class=\"legend\" x=\"{}\" y=\"{}\">crashed (holds stale partitions)</text>",
        lx + 18,
        ly + 10,
        ly + 18,
        lx + 18,
        ly + 28
    );
    let _ = writeln!(svg, "</g>");
    svg.push_str("</svg>\n");
    svg
}
