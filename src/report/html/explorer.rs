//! The topic explorer of the page, after LDAvis: the intertopic distance map drawn here as SVG
//! (a circle a topic, its area the topic's share), and beside it a topic's words re-ranked live
//! by a λ slider; the data for the script (`explorer.js`) goes into the page's JSON.
//!
//! The script ranks with the very numbers [`Explorer`] holds (ln p(w|k) and ln p(w), written
//! as the shortest decimals that read back to the same f64) and the same arithmetic as
//! [`Ranking::Relevance`](crate::report::Ranking), so the page lists the words `topics
//! --relevance λ` lists, in the same order.

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::super::markup::esc;
use super::super::{Explorer, Report};
use super::PALETTE;

/// The map's drawing area, in SVG units.
const SIZE: f64 = 520.0;
/// The circles' areas add up to this part of the map (as the shares add up to 1).
const CIRCLES: f64 = 0.15;

/// The radius of a circle whose area stands for the whole corpus: a topic of share s gets
/// `RADIUS·√s`.
fn unit_radius() -> f64 {
    (CIRCLES * SIZE * SIZE / std::f64::consts::PI).sqrt()
}

/// The explorer's section.
pub(super) fn section(report: &Report, explorer: &Explorer, p: &mut String) -> std::fmt::Result {
    let lambda = report.relevance.unwrap_or(1.0);
    p.push_str(
        "<section id=\"explorer\" aria-labelledby=\"explorer-h\"><h2 id=\"explorer-h\">Topic map and relevant words</h2>\
         <p class=\"note\">Topics lie close together when their words are alike (the Jensen-Shannon divergence of their \
         word distributions, placed by classical scaling, as LDAvis does); a circle's area is its topic's share of the tokens. \
         Select a topic (click it, or Tab to it and press Enter) to list its words. λ ranks them by relevance, \
         λ·ln p(w|k) + (1−λ)·ln(p(w|k)/p(w)): at 1 by their weight in the topic, towards 0 by how specific they are to it. \
         Select a word to see which topics hold it.</p>\
         <noscript><p class=\"note\">The word list needs JavaScript; the topic cards below show each topic's words.</p></noscript>\
         <div class=\"explorer\"><div class=\"map-pane\">",
    );
    map(report, explorer, p)?;
    write!(
        p,
        "<p class=\"note\" id=\"ex-legend\">Circle area: the topic's share of the tokens.</p></div>\
         <div class=\"words-pane\"><div class=\"controls\">\
         <label for=\"ex-topic\">Topic</label>\
         <button type=\"button\" id=\"ex-prev\" aria-label=\"Previous topic\">◀</button>\
         <select id=\"ex-topic\">"
    )?;
    for topic in &report.topics {
        write!(
            p,
            "<option value=\"{}\">#{} {}</option>",
            topic.id,
            topic.id,
            esc(&topic.label)
        )?;
    }
    writeln!(
        p,
        "</select><button type=\"button\" id=\"ex-next\" aria-label=\"Next topic\">▶</button></div>\
         <div class=\"controls\"><label for=\"ex-lambda\">λ = <output id=\"ex-lambda-out\" for=\"ex-lambda\">{lambda:.2}</output></label>\
         <input type=\"range\" id=\"ex-lambda\" min=\"0\" max=\"1\" step=\"0.01\" value=\"{lambda}\" \
         aria-describedby=\"ex-lambda-help\">\
         <span class=\"note\" id=\"ex-lambda-help\">1: common in the topic · 0: specific to it</span>\
         <button type=\"button\" id=\"ex-clear\" hidden>Show topic shares</button></div>\
         <p id=\"ex-status\" class=\"status\" aria-live=\"polite\"></p>\
         <ol id=\"ex-words\" class=\"ex-words\" aria-label=\"The topic's most relevant words\"></ol>\
         <p class=\"note\"><span class=\"key corpus\"></span> the word's tokens in the corpus \
         <span class=\"key topic\"></span> those from the topic (p(w|k) × the topic's tokens). \
         Select a word to see the topics that hold it.</p>\
         </div></div></section>"
    )
}

/// The intertopic distance map: axes through the origin, a circle a topic, largest first so
/// that small ones stay on top and can be clicked.
fn map(report: &Report, explorer: &Explorer, p: &mut String) -> std::fmt::Result {
    let unit = unit_radius();
    let radii: Vec<f64> = report
        .topics
        .iter()
        .map(|t| unit * t.share.max(0.0).sqrt())
        .collect();
    let points = &explorer.map.points;
    // Scale so that every circle fits: the furthest centre plus its radius within the half.
    let half = SIZE / 2.0;
    let mut scale = f64::INFINITY;
    for (point, &r) in points.iter().zip(&radii) {
        for &x in point {
            if x.abs() > 1e-12 {
                scale = scale.min((half - 8.0 - r).max(half / 4.0) / x.abs());
            }
        }
    }
    if !scale.is_finite() {
        scale = 0.0;
    }
    let [ax, ay] = explorer.map.axes;
    write!(
        p,
        "<svg id=\"ex-map\" class=\"map\" viewBox=\"0 0 {SIZE} {SIZE}\" role=\"group\" aria-label=\"Intertopic distance map: {} topics\">\
         <line x1=\"0\" y1=\"{half}\" x2=\"{SIZE}\" y2=\"{half}\" class=\"axis\"/>\
         <line x1=\"{half}\" y1=\"0\" x2=\"{half}\" y2=\"{SIZE}\" class=\"axis\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" class=\"num\" text-anchor=\"end\">PC1 ({:.0}%)</text>\
         <text x=\"{:.1}\" y=\"14\" class=\"num\">PC2 ({:.0}%)</text>",
        report.topics.len(),
        SIZE - 4.0,
        half - 6.0,
        ax * 100.0,
        half + 6.0,
        ay * 100.0
    )?;
    let mut order: Vec<usize> = (0..report.topics.len()).collect();
    order.sort_by(|&a, &b| radii[b].total_cmp(&radii[a]).then(a.cmp(&b)));
    for i in order {
        let topic = &report.topics[i];
        let [x, y] = points.get(i).copied().unwrap_or([0.0, 0.0]);
        let (cx, cy) = (half + x * scale, half - y * scale);
        write!(
            p,
            "<g class=\"dot\" data-k=\"{k}\" tabindex=\"0\" role=\"button\" aria-pressed=\"false\" \
             aria-label=\"Topic {k}: {label}, {share:.1}% of {mass}\">\
             <circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"{r:.2}\" data-r=\"{r:.2}\" style=\"--c:{colour}\"/>\
             <text x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">{k}</text>\
             <title>#{k} {label}: {share:.1}% of {mass}</title></g>",
            k = topic.id,
            label = esc(&topic.label),
            share = topic.share * 100.0,
            mass = report.parameters.weighting.mass(),
            r = radii[i],
            colour = PALETTE[i % PALETTE.len()],
            ty = cy + 4.0,
        )?;
    }
    p.push_str("</svg>");
    Ok(())
}

/// The explorer's part of the page's JSON: `shown`, the unit radius (for circles resized to a
/// word's senses), each topic's tokens, the words (`[word, tokens, ln p(w), [[topic, p(k|w)]…]]`)
/// and each topic's candidates (`[[word index, ln p(w|k)]…]`).
pub(super) fn data(explorer: &Explorer, lambda: f64) -> Value {
    let words: Vec<Value> = explorer
        .words
        .iter()
        .map(|w| {
            let senses: Vec<Value> = w.senses.iter().map(|&(k, s)| json!([k + 1, s])).collect();
            json!([w.word, w.tokens, w.ln_share, senses])
        })
        .collect();
    let topics: Vec<Value> = explorer
        .topics
        .iter()
        .map(|list| Value::Array(list.iter().map(|&(w, a)| json!([w, a])).collect()))
        .collect();
    json!({
        "shown": explorer.shown,
        "lambda": lambda,
        "unit": (unit_radius() * 100.0).round() / 100.0,
        "tokens": explorer.topic_tokens.iter().map(|t| (t * 10.0).round() / 10.0).collect::<Vec<_>>(),
        "words": words,
        "topics": topics,
    })
}
