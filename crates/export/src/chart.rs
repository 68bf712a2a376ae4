//! The goal-tracking chart: measurements against the target line from the baseline to
//! the target, as a small self-contained SVG drawn on the server (no script, no fonts
//! from elsewhere), with the verdict in words.

use chrono::NaiveDate;
use heisessie_domain::Lang;
use heisessie_domain::strategy::Measurement;
use heisessie_domain::tracking::{Progress, Tracking};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 40.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The verdict in words, in `lang`.
pub fn progress_words(progress: Progress, lang: Lang) -> &'static str {
    match (progress, lang) {
        (Progress::OnTrack, Lang::Nl) => "Op koers",
        (Progress::OnTrack, Lang::En) => "On track",
        (Progress::Behind, Lang::Nl) => "Loopt achter",
        (Progress::Behind, Lang::En) => "Behind",
        (Progress::NoData, Lang::Nl) => "Nog geen metingen",
        (Progress::NoData, Lang::En) => "No measurements yet",
        (Progress::NoTarget, Lang::Nl) => "Geen startwaarde, doel en deadline: geen doellijn",
        (Progress::NoTarget, Lang::En) => "No baseline, target and deadline: no target line",
    }
}

fn format_value(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 { format!("{value:.0}") } else { format!("{value:.1}") }
}

/// The chart of one goal as SVG. `title` is user text and is escaped.
pub fn goal_chart_svg(title: &str, tracking: &Tracking, measurements: &[Measurement], lang: Lang) -> String {
    let mut dates: Vec<NaiveDate> = measurements.iter().map(|m| m.date).collect();
    let mut values: Vec<f64> = measurements.iter().map(|m| m.value).collect();
    if let Some(line) = tracking.line {
        dates.extend([line.start, line.deadline]);
        values.extend([line.baseline, line.target]);
    }
    let verdict = progress_words(tracking.progress, lang);
    let colour = match tracking.progress {
        Progress::OnTrack => "#2e7d32",
        Progress::Behind => "#a0182b",
        _ => "#55606e",
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"{label}\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\
         <title>{label}</title><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>",
        label = escape(&format!("{title} — {verdict}")),
    );
    let (Some(first), Some(last)) = (dates.iter().min().copied(), dates.iter().max().copied()) else {
        svg.push_str(&format!(
            "<text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" fill=\"{colour}\">{}</text></svg>",
            escape(verdict),
            x = WIDTH / 2.0,
            y = HEIGHT / 2.0
        ));
        return svg;
    };
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (low, high) = if (high - low).abs() < f64::EPSILON { (low - 1.0, high + 1.0) } else { (low, high) };
    let pad = (high - low) * 0.1;
    let (low, high) = (low - pad, high + pad);
    let span_days = (last - first).num_days().max(1) as f64;
    let x = |date: NaiveDate| LEFT + (date - first).num_days() as f64 / span_days * (WIDTH - LEFT - RIGHT);
    let y = |value: f64| TOP + (high - value) / (high - low) * (HEIGHT - TOP - BOTTOM);
    // Axes and their labels.
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{b}\" stroke=\"#9aa5b4\"/><line x1=\"{LEFT}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#9aa5b4\"/>",
        b = HEIGHT - BOTTOM,
        r = WIDTH - RIGHT
    ));
    for value in [low + pad, high - pad] {
        svg.push_str(&format!(
            "<text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\" fill=\"#55606e\">{}</text>",
            format_value(value),
            tx = LEFT - 6.0,
            ty = y(value) + 4.0
        ));
    }
    for date in [first, last] {
        svg.push_str(&format!(
            "<text x=\"{tx:.1}\" y=\"{ty}\" text-anchor=\"middle\" fill=\"#55606e\">{date}</text>",
            tx = x(date).clamp(LEFT + 30.0, WIDTH - RIGHT - 30.0),
            ty = HEIGHT - BOTTOM + 18.0
        ));
    }
    if let Some(line) = tracking.line {
        let target_label = match lang {
            Lang::Nl => "doellijn",
            Lang::En => "target line",
        };
        svg.push_str(&format!(
            "<line class=\"target\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1f5fbf\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1f5fbf\">{target_label}</text>",
            x(line.start),
            y(line.baseline),
            x(line.deadline),
            y(line.target),
            x(line.deadline),
            y(line.target) - 8.0
        ));
    }
    if !measurements.is_empty() {
        let points: Vec<String> = measurements.iter().map(|m| format!("{:.1},{:.1}", x(m.date), y(m.value))).collect();
        svg.push_str(&format!(
            "<polyline class=\"actual\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"/>",
            points.join(" ")
        ));
        for m in measurements {
            svg.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{colour}\"><title>{}: {}</title></circle>",
                x(m.date),
                y(m.value),
                m.date,
                format_value(m.value)
            ));
        }
    }
    svg.push_str(&format!(
        "<text x=\"{LEFT}\" y=\"16\" font-weight=\"700\" fill=\"{colour}\">{}</text></svg>",
        escape(verdict)
    ));
    svg
}

#[cfg(test)]
mod tests {
    use heisessie_domain::tracking::TargetLine;

    use super::*;

    #[test]
    fn the_chart_draws_the_target_line_the_measurements_and_the_verdict() {
        let day = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
        let line = TargetLine { start: day(1, 1), baseline: 100.0, deadline: day(12, 31), target: 110.0 };
        let measurements =
            [Measurement { date: day(2, 1), value: 101.0 }, Measurement { date: day(3, 1), value: 104.0 }];
        let tracking = Tracking {
            line: Some(line),
            latest: Some(measurements[1]),
            expected_at_latest: Some(line.expected(day(3, 1))),
            progress: Progress::OnTrack,
        };
        let svg = goal_chart_svg("Omzet <b>+10%</b>", &tracking, &measurements, Lang::Nl);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("class=\"target\"") && svg.contains("class=\"actual\"") && svg.contains("Op koers"));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(!svg.contains("<b>") && svg.contains("&lt;b&gt;"), "user text is escaped");
        let empty = Tracking { line: None, latest: None, expected_at_latest: None, progress: Progress::NoTarget };
        assert!(goal_chart_svg("x", &empty, &[], Lang::En).contains("no target line"));
    }
}
