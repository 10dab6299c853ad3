//! The page's topics over time (a small chart a topic, and the documents of each bin) and
//! topics by label (a heat map of each label's topic shares). Drawn here as SVG and HTML, so
//! they show without JavaScript.

use std::fmt::Write as _;

use super::super::markup::esc;
use super::super::terminal::thousands;
use super::super::{LabelMix, OverTime, Report};
use super::{truncate, PALETTE};

/// Width and height of a topic's chart over time.
const SPARK_W: f64 = 260.0;
const SPARK_H: f64 = 64.0;
/// Labels the heat map shows at most (the JSON report has them all).
const HEAT_ROWS: usize = 100;

/// Each topic's share of each bin's tokens, a small chart a topic on a scale of its own.
pub(super) fn over_time(report: &Report, over: &OverTime, p: &mut String) -> std::fmt::Result {
    let bins = &over.bins;
    let n = bins.len();
    write!(
        p,
        "<section id=\"over-time\" aria-labelledby=\"over-time-h\"><h2 id=\"over-time-h\">Topics over time</h2>\
         <p class=\"note\">{} documents with a time{}, in {} bins {}, from {} to {}. Each chart is one topic's share of \
         the tokens of each bin, on a scale of its own (its highest share is written at the top right); the dashed line \
         is its share of the whole corpus. Hover over a bin for its figures.</p>",
        thousands(over.documents_with_time as f64),
        match over.documents_without_time {
            0 => String::new(),
            m => format!(" ({} without one, left out)", thousands(m as f64)),
        },
        n,
        match over.unit {
            "equal" => "of equal width".to_owned(),
            unit => format!("of a {unit}"),
        },
        esc(&bins.first().map_or(String::new(), |b| b.label.clone())),
        esc(&bins.last().map_or(String::new(), |b| b.label.clone())),
    )?;
    // The documents of each bin.
    let most = bins
        .iter()
        .map(|b| b.mix.documents)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (w, h) = (720.0, 90.0);
    let step = w / n.max(1) as f64;
    write!(
        p,
        "<figure class=\"docs-over-time\"><figcaption>Documents per bin (at most {})</figcaption>\
         <svg class=\"chart\" viewBox=\"0 0 {w} {:.0}\" role=\"img\" aria-label=\"Documents per bin, from {} in the first to {} in the last, at most {}\">",
        thousands(most),
        h + 16.0,
        bins.first().map_or(0, |b| b.mix.documents),
        bins.last().map_or(0, |b| b.mix.documents),
        thousands(most),
    )?;
    for (i, bin) in bins.iter().enumerate() {
        let height = bin.mix.documents as f64 / most * h;
        write!(
            p,
            "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{height:.2}\" class=\"docbar\"><title>{}: {} documents</title></rect>",
            i as f64 * step + step * 0.1,
            h - height,
            (step * 0.8).max(0.5),
            esc(&bin.label),
            thousands(bin.mix.documents as f64)
        )?;
    }
    write!(
        p,
        "<text x=\"0\" y=\"{:.0}\" class=\"num\">{}</text><text x=\"{w}\" y=\"{:.0}\" class=\"num\" text-anchor=\"end\">{}</text></svg></figure>",
        h + 13.0,
        esc(&bins.first().map_or(String::new(), |b| b.label.clone())),
        h + 13.0,
        esc(&bins.last().map_or(String::new(), |b| b.label.clone())),
    )?;

    p.push_str("<div class=\"sparks\">");
    let step = SPARK_W / n.max(1) as f64;
    let (top, bottom) = (14.0, SPARK_H - 4.0);
    for (k, topic) in report.topics.iter().enumerate() {
        let shares: Vec<f64> = bins
            .iter()
            .map(|b| b.mix.shares.get(k).copied().unwrap_or(0.0))
            .collect();
        let peak = shares.iter().copied().fold(0.0, f64::max);
        let scale = if peak > 0.0 { peak } else { 1.0 };
        let y = |s: f64| bottom - s / scale * (bottom - top);
        let x = |i: usize| (i as f64 + 0.5) * step;
        let colour = PALETTE[k % PALETTE.len()];
        let (first, last) = (
            shares.first().copied().unwrap_or(0.0),
            shares.last().copied().unwrap_or(0.0),
        );
        let peak_at = shares
            .iter()
            .position(|&s| s == peak)
            .map_or(String::new(), |i| bins[i].label.clone());
        write!(
            p,
            "<figure class=\"spark\" style=\"--c:{colour}\"><figcaption><span class=\"tid\">#{}</span> {}</figcaption>\
             <svg viewBox=\"0 0 {SPARK_W} {SPARK_H}\" role=\"img\" aria-label=\"Topic {} over time: {:.1}% of the tokens in {}, {:.1}% in {}, at most {:.1}% in {}\">",
            topic.id,
            esc(&truncate(&topic.label, 40)),
            topic.id,
            first * 100.0,
            esc(&bins[0].label),
            last * 100.0,
            esc(&bins[n - 1].label),
            peak * 100.0,
            esc(&peak_at),
        )?;
        let mut line = String::new();
        for (i, &s) in shares.iter().enumerate() {
            let _ = write!(
                line,
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                x(i),
                y(s)
            );
        }
        let area = format!(
            "{line} L{:.1},{bottom:.1} L{:.1},{bottom:.1} Z",
            x(n - 1),
            x(0)
        );
        let overall = y(topic.share.min(scale));
        write!(
            p,
            "<path d=\"{area}\" class=\"area\"/><path d=\"{line}\" class=\"line\"/>\
             <line x1=\"0\" y1=\"{overall:.1}\" x2=\"{SPARK_W}\" y2=\"{overall:.1}\" class=\"overall\"/>\
             <line x1=\"0\" y1=\"{bottom:.1}\" x2=\"{SPARK_W}\" y2=\"{bottom:.1}\" class=\"axis\"/>\
             <text x=\"{SPARK_W}\" y=\"10\" class=\"num\" text-anchor=\"end\">{:.1}%</text>",
            peak * 100.0
        )?;
        for (i, bin) in bins.iter().enumerate() {
            write!(
                p,
                "<rect x=\"{:.2}\" y=\"0\" width=\"{step:.2}\" height=\"{SPARK_H}\" class=\"hit\"><title>{}: {:.1}% of {} tokens; main topic of {} of its {} documents</title></rect>",
                i as f64 * step,
                esc(&bin.label),
                shares[i] * 100.0,
                thousands(bin.mix.tokens),
                thousands(bin.mix.main_topic_documents.get(k).copied().unwrap_or(0) as f64),
                thousands(bin.mix.documents as f64),
            )?;
        }
        p.push_str("</svg></figure>");
    }
    p.push_str("</div></section>\n");
    Ok(())
}

/// Each label's topic shares as a table whose cells are shaded by the share.
pub(super) fn by_label(report: &Report, labels: &[LabelMix], p: &mut String) -> std::fmt::Result {
    write!(
        p,
        "<section id=\"labels\" aria-labelledby=\"labels-h\"><h2 id=\"labels-h\">Topics by label</h2>\
         <p class=\"note\">A row a label{}: the share of its documents' tokens that each topic explains (darker: more; \
         the figure is a percentage, blank under 1%). Hover over a cell for its figures.</p>\
         <div class=\"heat-wrap\"><table class=\"heat\"><caption class=\"sr\">Share of each label's tokens by topic</caption>\
         <thead><tr><th scope=\"col\">label</th><th scope=\"col\" class=\"n\">documents</th>",
        if labels.len() > HEAT_ROWS {
            format!(
                " (the {HEAT_ROWS} with most documents, of {}; the JSON report has them all)",
                thousands(labels.len() as f64)
            )
        } else {
            String::new()
        }
    )?;
    for topic in &report.topics {
        write!(
            p,
            "<th scope=\"col\" title=\"#{} {}\">{}</th>",
            topic.id,
            esc(&topic.label),
            topic.id
        )?;
    }
    p.push_str("</tr></thead><tbody>");
    for label in labels.iter().take(HEAT_ROWS) {
        write!(
            p,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td>",
            esc(&truncate(&label.label, 32)),
            thousands(label.mix.documents as f64)
        )?;
        for (k, topic) in report.topics.iter().enumerate() {
            let share = label.mix.shares.get(k).copied().unwrap_or(0.0);
            // Square root: small shares stay visible next to large ones.
            let alpha = share.clamp(0.0, 1.0).sqrt();
            write!(
                p,
                "<td style=\"background:rgba(66,105,208,{alpha:.3})\"{} title=\"{} · #{} {}: {:.1}% of {}; main topic of {} documents\">{}</td>",
                if alpha > 0.55 { " class=\"dark\"" } else { "" },
                esc(&label.label),
                topic.id,
                esc(&topic.label),
                share * 100.0,
                report.parameters.weighting.mass(),
                thousands(label.mix.main_topic_documents.get(k).copied().unwrap_or(0) as f64),
                if share >= 0.01 {
                    format!("{:.0}", share * 100.0)
                } else {
                    String::new()
                }
            )?;
        }
        p.push_str("</tr>");
    }
    p.push_str("</tbody></table></div></section>\n");
    Ok(())
}
