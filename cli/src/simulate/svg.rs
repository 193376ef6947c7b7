//! The timeline as a picture: one panel per strategy, stacked, each with one
//! lane per member and one column per event; below, moved partitions per
//! event per strategy.
//!
//! Each cell is a bar as long as the member's partition count after the
//! event, its moved-in part in red, with the count written beside it; under
//! the bar, an amber strip for the member's partitions that stopped during
//! the event and an indigo one for those it revoked, so an eager panel that
//! stops everything looks different from a cooperative one that stops only
//! what moves. A crashed member's cell is grey. Bars and strips share one
//! scale.
//!
//! The panels are stacked rather than side by side so that a dozen events
//! fit the width a README shows (about 900 px) at full size; the text is
//! sized for that. The picture is bounded: at most [`MAX_COLUMNS`] columns
//! (a longer timeline puts several consecutive events in a column, their
//! figures summed) and at most [`MAX_LANES`] members ([`check`] refuses
//! more), so it stays a few thousand pixels wide and renders in a browser.

use std::fmt::Write;

use kafka_assignors::simulate::{LaneSpan, Simulation, Status, Timeline};

/// The most columns: 48 keeps the picture under 2500 px wide.
pub(crate) const MAX_COLUMNS: usize = 48;
/// The most member lanes; four panels of them stay under 16000 px high,
/// about what a browser renders in one piece.
pub(crate) const MAX_LANES: usize = 150;

const MARGIN: u32 = 16;
const LABEL_W: u32 = 120;
const CELL_W: u32 = 46;
const LANE_H: u32 = 22;
const BAR_H: u32 = 10;
const STRIP_H: u32 = 3;
/// Room left of the count written after the bar.
const BAR_ROOM: u32 = CELL_W - 18;
const PANEL_GAP: u32 = 18;
/// Room for the event labels, written slanted above the columns.
const EVENT_LABEL_H: u32 = 116;
/// How far the last slanted label reaches right of its column.
const LABEL_OVERHANG: u32 = 64;
/// Narrower pictures would wrap the header into many lines.
const MIN_WIDTH: u32 = 560;
const CHART_GAP: u32 = 40;
const CHART_H: u32 = 140;
const BAR_W: u32 = 9;
const FONT: &str = "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\"";
const MOVED_COLOR: &str = "#d62728";
const STOPPED_COLOR: &str = "#f0a030";
const REVOKED_COLOR: &str = "#3b2a80";
const CRASHED_COLOR: &str = "#9a9a9a";

/// A colour per strategy, by its position in the run.
const PALETTE: [&str; 4] = ["#4e79a7", "#59a14f", "#b07aa1", "#2a9d8f"];

fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Whether the picture can be drawn: a lane per member must fit.
pub(crate) fn check(timeline: &Timeline) -> Result<(), String> {
    let lanes = timeline.lanes().len();
    if lanes > MAX_LANES {
        return Err(format!(
            "--svg draws one lane per member, at most {MAX_LANES}, and the timeline has \
             {lanes} members: leave out --svg (the table and --json have every figure)"
        ));
    }
    Ok(())
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

/// How many characters of text `size` px high fit in `width` px. SVG text
/// does not wrap and the renderer's font is unknown, so this takes a wide
/// average advance (0.7 em bold, 0.62 em regular, for DejaVu Sans, wider
/// than Arial) and errs towards shorter lines.
fn fits(width: u32, size: f64, bold: bool) -> usize {
    let advance = size * if bold { 0.7 } else { 0.62 };
    ((f64::from(width) / advance) as usize).max(8)
}

/// `text` in lines of at most `max` characters, broken at spaces, and
/// inside a word (a long path) only when the word alone is too long.
fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let used = line.chars().count();
        if used > 0 && used + 1 + word.len() <= max {
            line.push(' ');
            line.extend(&word);
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > max {
            lines.push(word.drain(..max).collect());
        }
        line.extend(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Consecutive events drawn as one column, `first..=last`.
#[derive(Debug, Clone, Copy)]
struct Column {
    first: usize,
    last: usize,
}

/// At most [`MAX_COLUMNS`] columns of equally many events (the last may
/// hold fewer).
fn columns(events: usize) -> Vec<Column> {
    let per = events.div_ceil(MAX_COLUMNS).max(1);
    (0..events)
        .step_by(per)
        .map(|first| Column {
            first,
            last: (first + per).min(events) - 1,
        })
        .collect()
}

/// How text is set: its size in px (its lines are 4 px more apart), and
/// whether bold.
type Style = (u32, bool);
const TITLE: Style = (16, true);
const ABOUT: Style = (12, false);
const HEADING: Style = (13, true);

/// The elements being written, and the width text may take between the
/// margins.
struct Page {
    body: String,
    text_w: u32,
}

impl Page {
    /// `text` wrapped to the text width, one `<text>` a line at the left
    /// margin, the first at `y`, in `fill` if given; returns the height of
    /// the lines.
    fn block(&mut self, class: &str, text: &str, y: u32, style: Style, fill: Option<&str>) -> u32 {
        let (size, bold) = style;
        let lines = wrap(text, fits(self.text_w, f64::from(size), bold));
        let bold = if bold { " font-weight=\"bold\"" } else { "" };
        let fill = fill.map(|f| format!(" fill=\"{f}\"")).unwrap_or_default();
        for (i, line) in lines.iter().enumerate() {
            let _ = writeln!(
                self.body,
                "<text class=\"{class}\" x=\"{MARGIN}\" y=\"{}\" font-size=\"{size}\"{bold}{fill}>{}</text>",
                y + i as u32 * (size + 4),
                escape(line)
            );
        }
        lines.len() as u32 * (size + 4)
    }

    /// Swatches with their texts, left to right from `x0`, wrapping at the
    /// right margin; returns the y below the last row.
    fn legend(&mut self, items: &[(&str, String)], x0: u32, y0: u32) -> u32 {
        let right = MARGIN + self.text_w;
        let (mut x, mut y) = (x0, y0);
        for (fill, text) in items {
            let w = 18 + (text.chars().count() as f64 * 11.0 * 0.62) as u32 + 16;
            if x > x0 && x + w > right {
                x = x0;
                y += 18;
            }
            let _ = writeln!(
                self.body,
                "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{fill}\"/>\
                 <text class=\"legend\" x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
                x + 18,
                y + 10,
                escape(text)
            );
            x += w;
        }
        y + 18
    }

    /// A line from `(x1, y1)` to `(x2, y2)`.
    fn line(&mut self, (x1, y1): (u32, u32), (x2, y2): (u32, u32), stroke: &str) {
        let _ = writeln!(
            self.body,
            "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"{stroke}\"/>"
        );
    }

    /// A small label of the chart at `(x, y)`; `extra` are more attributes.
    fn label(&mut self, (x, y): (u32, u32), extra: &str, text: impl std::fmt::Display) {
        let _ = writeln!(
            self.body,
            "<text x=\"{x}\" y=\"{y}\" font-size=\"10\"{extra}>{text}</text>"
        );
    }
}

/// The SVG document.
pub(crate) fn render(sim: &Simulation<'_>) -> String {
    let lanes = sim.timeline.lanes().len();
    let event_count = sim.replays.first().map_or(0, |r| r.events.len());
    let columns = columns(event_count);
    let per = columns.first().map_or(1, |c| c.last - c.first + 1);
    let cols = columns.len() as u32;
    let x0 = MARGIN + LABEL_W;
    let grid_w = cols * CELL_W;
    let width = MIN_WIDTH.max(x0 + grid_w + LABEL_OVERHANG + MARGIN);
    let text_w = width - 2 * MARGIN;

    // One scale for the bars and one for the strips, each over every cell
    // drawn: summed over a column's events, revocations would dwarf loads.
    let cells = || {
        sim.replays.iter().flat_map(|r| {
            columns
                .iter()
                .flat_map(move |c| (0..lanes).filter_map(move |l| r.lane_over(c.first..=c.last, l)))
        })
    };
    let load_scale = cells().map(|c| u64::from(c.load)).fold(1, u64::max);
    let strip_scale = cells().map(|c| c.revoked.max(c.stopped)).fold(1, u64::max);
    let scales = (load_scale, strip_scale);

    // The header: title, what was run, and the legend, wrapped to the width.
    let mut about = format!(
        "{lanes} members, {} events, {} strategies",
        event_count.saturating_sub(1),
        sim.replays.len()
    );
    if per > 1 {
        let _ = write!(
            about,
            "; each column is {per} consecutive events (figures summed, bars after the last)"
        );
    }
    let mut page = Page {
        body: String::with_capacity(8192 + lanes * columns.len() * sim.replays.len() * 400),
        text_w,
    };
    let mut y = MARGIN + 14;
    let title = format!("kassign simulate {}", sim.source);
    y += page.block("title", &title, y, TITLE, None);
    y += page.block("about", &about, y, ABOUT, None) - 4;
    let bar = format!("bar: partitions held after the event ({load_scale} = {BAR_ROOM} px)");
    let strip = format!("strip: stopped (paused) during the event ({strip_scale} = {BAR_ROOM} px)");
    let legend = [
        ("#8aa9c9", bar),
        (MOVED_COLOR, "moved in from another member".into()),
        (STOPPED_COLOR, strip),
        (REVOKED_COLOR, "strip: revoked during the event".into()),
        (CRASHED_COLOR, "crashed (holds stale partitions)".into()),
    ];
    y = page.legend(&legend, MARGIN, y);

    // Slanted event labels, once, above the first panel; the columns line
    // up through every panel and the chart.
    // (There are columns only when there are replays.)
    let labels: Vec<String> = columns
        .iter()
        .map(|c| match c.last - c.first + 1 {
            1 => format!("{} {}", c.first, sim.replays[0].events[c.first].label),
            n => format!("{}-{} ({n} events)", c.first, c.last),
        })
        .collect();
    let labels_base = y + EVENT_LABEL_H;
    let _ = writeln!(page.body, "<g class=\"events\">");
    for (c, label) in labels.iter().enumerate() {
        let lx = x0 + c as u32 * CELL_W + CELL_W / 2;
        let ly = labels_base - 4;
        let _ = writeln!(
            page.body,
            "<text class=\"event-label\" x=\"{lx}\" y=\"{ly}\" font-size=\"10\" \
             transform=\"rotate(-60 {lx} {ly})\">{}</text>",
            escape(&short(label, 22))
        );
    }
    let _ = writeln!(page.body, "</g>");
    y = labels_base;

    // Panels.
    let lanes_h = lanes as u32 * LANE_H;
    for (s, replay) in sim.replays.iter().enumerate() {
        let t = replay.totals();
        let heading = format!(
            "{} ({}): {} rounds, {} revoked, {} stopped, {} moved",
            replay.strategy,
            replay.protocol.name(),
            t.rounds,
            t.revoked,
            t.stopped,
            t.moved
        );
        let strategy = replay.strategy;
        let _ = writeln!(
            page.body,
            "<g class=\"panel\" data-strategy=\"{strategy}\">"
        );
        let h = page.block("panel-title", &heading, y + 13, HEADING, Some(color(s)));
        let top = y + h + 4;
        let _ = writeln!(
            page.body,
            "<rect x=\"{x0}\" y=\"{top}\" width=\"{grid_w}\" height=\"{lanes_h}\" \
             fill=\"none\" stroke=\"{}\" stroke-width=\"1\"/>",
            color(s)
        );
        for c in 1..cols {
            let cx = x0 + c * CELL_W;
            page.line((cx, top), (cx, top + lanes_h), "#e3e3e3");
        }
        for (l, name) in sim.timeline.lanes().iter().enumerate() {
            let ly = top + l as u32 * LANE_H;
            let _ = writeln!(
                page.body,
                "<g class=\"lane\" data-member=\"{}\">",
                escape(name)
            );
            if l % 2 == 1 {
                let _ = writeln!(
                    page.body,
                    "<rect x=\"{MARGIN}\" y=\"{ly}\" width=\"{}\" height=\"{LANE_H}\" fill=\"#f4f6f8\"/>",
                    LABEL_W + grid_w
                );
            }
            let _ = writeln!(
                page.body,
                "<text class=\"member\" x=\"{MARGIN}\" y=\"{}\">{}</text>",
                ly + 13,
                escape(&short(name, 16))
            );
            for (c, &column) in columns.iter().enumerate() {
                let Some(cell) = replay.lane_over(column.first..=column.last, l) else {
                    continue;
                };
                let cx = x0 + c as u32 * CELL_W + 2;
                write_cell(&mut page.body, &cell, cx, ly, scales, s, || {
                    format!(
                        "{name} after {} ({}): {} partitions, {} moved in, {} revoked, {} stopped",
                        labels[c],
                        replay.strategy,
                        cell.load,
                        cell.moved_in,
                        cell.revoked,
                        cell.stopped
                    )
                });
            }
            let _ = writeln!(page.body, "</g>");
        }
        let _ = writeln!(page.body, "</g>");
        y = top + lanes_h + PANEL_GAP;
    }

    // Chart: moved partitions per column, one bar per strategy.
    let chart_top = y + CHART_GAP - PANEL_GAP;
    let moved: Vec<Vec<u64>> = sim
        .replays
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| r.events[c.first..=c.last].iter().map(|e| e.moved).sum())
                .collect()
        })
        .collect();
    let max_moved = moved.iter().flatten().copied().fold(1, u64::max);
    let base = chart_top + CHART_H;
    let _ = writeln!(page.body, "<g class=\"chart\">");
    let chart_title = if per > 1 {
        format!("moved partitions per event, summed over each column of {per} events")
    } else {
        "moved partitions per event".to_string()
    };
    page.block("chart-title", &chart_title, chart_top - 8, HEADING, None);
    for tick in [0, max_moved / 2, max_moved] {
        let ty = base - (u64::from(CHART_H - 14) * tick / max_moved) as u32;
        page.line((x0, ty), (x0 + grid_w, ty), "#dddddd");
        page.label((x0 - 6, ty + 4), " text-anchor=\"end\"", tick);
    }
    let strategies = sim.replays.len() as u32;
    let bars_w = strategies * BAR_W;
    for (c, column) in columns.iter().enumerate() {
        let sx = x0 + c as u32 * CELL_W + CELL_W.saturating_sub(bars_w) / 2;
        for (s, replay) in sim.replays.iter().enumerate() {
            let n = moved[s][c];
            let h = (u64::from(CHART_H - 14) * n / max_moved) as u32;
            if n > 0 {
                let _ = writeln!(
                    page.body,
                    "<rect class=\"moved-bar\" data-n=\"{n}\" x=\"{}\" y=\"{}\" width=\"{}\" \
                     height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
                    sx + s as u32 * BAR_W,
                    base - h.max(1),
                    BAR_W - 1,
                    h.max(1),
                    color(s),
                    escape(&format!("{} {}: {n} moved", labels[c], replay.strategy))
                );
            }
        }
        let cx = x0 + c as u32 * CELL_W + CELL_W / 2;
        page.label((cx, base + 14), " text-anchor=\"middle\"", column.first);
    }
    page.line((x0, base), (x0 + grid_w, base), "#555555");
    let axis = "event number (labels above the panels)";
    page.label((x0, base + 30), "", axis);
    let strategy_items: Vec<(&str, String)> = sim
        .replays
        .iter()
        .enumerate()
        .map(|(s, r)| (color(s), format!("{} ({})", r.strategy, r.protocol.name())))
        .collect();
    let bottom = page.legend(&strategy_items, x0, base + 42);
    let _ = writeln!(page.body, "</g>");
    let height = bottom + MARGIN;

    let mut svg = String::with_capacity(page.body.len() + 512);
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" {FONT} font-size=\"11\">"
    );
    let _ = writeln!(
        svg,
        "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    svg.push_str(&page.body);
    svg.push_str("</svg>\n");
    svg
}

/// `n` in px of [`BAR_ROOM`], which stands for `of`.
fn scaled(n: u64, of: u64) -> f64 {
    f64::from(BAR_ROOM) * n as f64 / of as f64
}

/// One member's cell at `(cx, ly)`: its bar (or crashed box), then the
/// stopped and revoked strips, `scales` the bars' and the strips'
/// ([`scaled`]); `title` is its tooltip.
fn write_cell(
    svg: &mut String,
    cell: &LaneSpan,
    cx: u32,
    ly: u32,
    (load_scale, strip_scale): (u64, u64),
    strategy: usize,
    title: impl Fn() -> String,
) {
    let class = match cell.status {
        // A member that left during the column: only what it gave up.
        Status::Absent if cell.stopped == 0 && cell.revoked == 0 => return,
        Status::Absent => "gone",
        Status::Crashed => "crashed-cell",
        Status::Active => "cell",
    };
    let _ = write!(
        svg,
        "<g class=\"{class}\"><title>{}</title>",
        escape(&title())
    );
    let by = ly + 3;
    let w = scaled(u64::from(cell.load), load_scale);
    let moved = cell.moved_in.min(u64::from(cell.load));
    if cell.status == Status::Crashed {
        let _ = write!(
            svg,
            "<rect class=\"crashed\" x=\"{cx}\" y=\"{by}\" width=\"{}\" height=\"{BAR_H}\" \
             fill=\"{CRASHED_COLOR}\" fill-opacity=\"0.5\"/>",
            CELL_W - 4
        );
    } else if cell.status == Status::Active {
        let _ = write!(
            svg,
            "<rect x=\"{cx}\" y=\"{by}\" width=\"{w:.1}\" height=\"{BAR_H}\" fill=\"{}\" \
             fill-opacity=\"0.55\"/>",
            color(strategy)
        );
        if moved > 0 {
            let _ = write!(
                svg,
                "<rect class=\"moved\" x=\"{cx}\" y=\"{by}\" width=\"{:.1}\" \
                 height=\"{BAR_H}\" fill=\"{MOVED_COLOR}\"/>",
                scaled(moved, load_scale).max(1.5)
            );
        }
    }
    for (class, n, fill, y) in [
        ("stopped", cell.stopped, STOPPED_COLOR, by + BAR_H + 1),
        (
            "revoked",
            cell.revoked,
            REVOKED_COLOR,
            by + BAR_H + 2 + STRIP_H,
        ),
    ] {
        if n > 0 {
            let _ = write!(
                svg,
                "<rect class=\"{class}\" data-n=\"{n}\" x=\"{cx}\" y=\"{y}\" width=\"{:.1}\" \
                 height=\"{STRIP_H}\" fill=\"{fill}\"/>",
                scaled(n, strip_scale).max(2.0)
            );
        }
    }
    if cell.status == Status::Active {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"9.5\" fill=\"{}\">{}</text>",
            f64::from(cx) + w + 2.0,
            by + BAR_H - 1,
            if moved > 0 { MOVED_COLOR } else { "#222222" },
            cell.load
        );
    }
    let _ = writeln!(svg, "</g>");
}
