//! `rank --plot`: each figure of a survey against K, one small panel a figure, as a
//! self-contained SVG image (no script, font or link outside it; every text escaped).

use std::fmt::Write as _;
use std::io::{self, Write};

use super::markup::{capitalised, esc};
use super::terminal::thousands;
use super::{RankReport, RankRow};

const PANEL_W: f64 = 340.0;
const PANEL_H: f64 = 200.0;
const GAP: f64 = 20.0;
/// Room for the tick labels left of and below a panel's plot area.
const LEFT: f64 = 56.0;
const BOTTOM: f64 = 34.0;
const TOP: f64 = 26.0;
const RIGHT: f64 = 12.0;
const HEADER: f64 = 54.0;
const LINE: &str = "#4269d0";
const MARK: &str = "#d03c26";

/// One figure against K.
struct Panel {
    /// Its title; `{loss}` stands for what the loss is called.
    title: &'static str,
    /// Its value at each K; `None` where it was not measured.
    value: fn(&RankRow) -> Option<f64>,
    /// Said in the panel when no K has a value.
    missing: &'static str,
    /// Left out when no K has a value.
    optional: bool,
}

const PANELS: [Panel; 5] = [
    Panel {
        title: "{loss} per token (lower: closer fit)",
        value: |r| Some(r.divergence_per_token),
        missing: "",
        optional: false,
    },
    Panel {
        title: "Mean NPMI (higher: more coherent)",
        value: |r| Some(r.mean_npmi),
        missing: "",
        optional: false,
    },
    Panel {
        title: "Diversity (higher: fewer shared words)",
        value: |r| Some(r.diversity),
        missing: "",
        optional: false,
    },
    Panel {
        title: "Cophenetic correlation (higher: stabler)",
        value: |r| r.cophenetic,
        missing: "needs --restarts 2 or more",
        optional: false,
    },
    Panel {
        title: "NMI with the labels",
        value: |r| r.label_nmi,
        missing: "",
        optional: true,
    },
];

impl RankReport {
    /// Writes the figures against K as one SVG image, two panels a row, the suggested K marked
    /// in each, the suggestion and its reason below.
    pub fn write_svg(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut svg = String::with_capacity(32 * 1024);
        self.svg_into(&mut svg)
            .map_err(|_| io::Error::other("formatting the plot failed"))?;
        out.write_all(svg.as_bytes())
    }

    fn svg_into(&self, p: &mut String) -> std::fmt::Result {
        let panels: Vec<&Panel> = PANELS
            .iter()
            .filter(|panel| {
                !panel.optional || self.ranks.iter().any(|r| (panel.value)(r).is_some())
            })
            .collect();
        let rows = panels.len().div_ceil(2);
        let reason = wrap(
            &format!(
                "Suggested K = {}: {}",
                self.suggestion.topics, self.suggestion.reason
            ),
            110,
        );
        let width = 2.0 * PANEL_W + 3.0 * GAP;
        let height = HEADER + rows as f64 * (PANEL_H + GAP) + 18.0 * reason.len() as f64 + GAP;
        let c = &self.corpus;
        let k = &self.parameters;
        writeln!(p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(
            p,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
             viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">"
        )?;
        writeln!(p, "<title>Choosing K: nmf-topics rank</title>")?;
        writeln!(
            p,
            "<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n\
             <text x=\"{GAP}\" y=\"24\" font-size=\"15\" font-weight=\"bold\">Choosing K</text>\n\
             <text x=\"{GAP}\" y=\"42\" fill=\"#444\">{}</text>",
            esc(&format!(
                "{} documents, {} words, {} tokens; {} run{} a K ({} start, --solver {} --loss {}), {} documents in the consensus",
                thousands(c.documents as f64),
                thousands(c.words as f64),
                thousands(c.tokens),
                k.nmf.restarts,
                if k.nmf.restarts == 1 { "" } else { "s" },
                k.nmf.init,
                k.nmf.solver,
                k.nmf.loss,
                thousands(self.ranks.first().map_or(0, |r| r.sampled) as f64),
            ))
        )?;
        for (i, panel) in panels.iter().enumerate() {
            let x = GAP + (i % 2) as f64 * (PANEL_W + GAP);
            let y = HEADER + (i / 2) as f64 * (PANEL_H + GAP);
            self.panel(p, panel, x, y)?;
        }
        let mut y = HEADER + rows as f64 * (PANEL_H + GAP) + 8.0;
        for line in &reason {
            writeln!(
                p,
                "<text x=\"{GAP}\" y=\"{y}\" fill=\"{MARK}\">{}</text>",
                esc(line)
            )?;
            y += 18.0;
        }
        writeln!(p, "</svg>")
    }

    /// One panel with its top-left corner at (`x0`, `y0`).
    fn panel(&self, p: &mut String, panel: &Panel, x0: f64, y0: f64) -> std::fmt::Result {
        let (left, right) = (x0 + LEFT, x0 + PANEL_W - RIGHT);
        let (top, bottom) = (y0 + TOP, y0 + PANEL_H - BOTTOM);
        writeln!(
            p,
            "<g>\n<rect x=\"{x0}\" y=\"{y0}\" width=\"{PANEL_W}\" height=\"{PANEL_H}\" fill=\"none\" stroke=\"#ddd\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"bold\">{}</text>",
            x0 + 8.0,
            y0 + 16.0,
            esc(&panel.title.replace(
                "{loss}",
                &capitalised(self.parameters.nmf.loss.quantity())
            ))
        )?;
        let points: Vec<(usize, f64)> = self
            .ranks
            .iter()
            .filter_map(|r| {
                (panel.value)(r)
                    .filter(|v| v.is_finite())
                    .map(|v| (r.topics, v))
            })
            .collect();
        let ks: Vec<usize> = self.ranks.iter().map(|r| r.topics).collect();
        let (k_min, k_max) = (ks[0] as f64, ks[ks.len() - 1] as f64);
        let (k_lo, k_hi) = if k_max > k_min {
            (k_min, k_max)
        } else {
            (k_min - 1.0, k_max + 1.0)
        };
        let sx = |k: f64| left + (k - k_lo) / (k_hi - k_lo) * (right - left);
        // The K axis, its ticks (at most 12 labels) and the suggested K.
        writeln!(
            p,
            "<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"#333\"/>\n\
             <line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{bottom}\" stroke=\"#333\"/>"
        )?;
        let every = ks.len().div_ceil(12);
        for (i, &k) in ks.iter().enumerate() {
            let x = sx(k as f64);
            writeln!(
                p,
                "<line x1=\"{x:.1}\" y1=\"{bottom}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>",
                bottom + 4.0
            )?;
            if i % every == 0 || i + 1 == ks.len() {
                writeln!(
                    p,
                    "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{k}</text>",
                    bottom + 16.0
                )?;
            }
        }
        writeln!(
            p,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#444\">K (topics)</text>",
            (left + right) / 2.0,
            bottom + 29.0
        )?;
        let xs = sx(self.suggestion.topics as f64);
        writeln!(
            p,
            "<line x1=\"{xs:.1}\" y1=\"{top}\" x2=\"{xs:.1}\" y2=\"{bottom}\" stroke=\"{MARK}\" stroke-dasharray=\"4 3\"/>\n\
             <text x=\"{right}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{MARK}\">K = {}</text>",
            y0 + 16.0,
            self.suggestion.topics
        )?;
        if points.is_empty() {
            writeln!(
                p,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#888\">{}</text>\n</g>",
                (left + right) / 2.0,
                (top + bottom) / 2.0,
                esc(panel.missing)
            )?;
            return Ok(());
        }
        // The value axis: round ticks around the values.
        let lo = points.iter().map(|q| q.1).fold(f64::INFINITY, f64::min);
        let hi = points.iter().map(|q| q.1).fold(f64::NEG_INFINITY, f64::max);
        let ticks = nice_ticks(lo, hi);
        let (v_lo, v_hi) = (ticks[0], ticks[ticks.len() - 1]);
        let sy = |v: f64| bottom - (v - v_lo) / (v_hi - v_lo) * (bottom - top);
        let decimals = tick_decimals(&ticks);
        for &t in &ticks {
            let y = sy(t);
            writeln!(
                p,
                "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{left}\" y2=\"{y:.1}\" stroke=\"#333\"/>\n\
                 <line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{right}\" y2=\"{y:.1}\" stroke=\"#eee\"/>\n\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{t:.decimals$}</text>",
                left - 4.0,
                left - 6.0,
                y + 4.0
            )?;
        }
        let line: Vec<String> = points
            .iter()
            .map(|&(k, v)| format!("{:.1},{:.1}", sx(k as f64), sy(v)))
            .collect();
        writeln!(
            p,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{LINE}\" stroke-width=\"1.5\"/>",
            line.join(" ")
        )?;
        for &(k, v) in &points {
            let (colour, r) = if k == self.suggestion.topics {
                (MARK, 4.5)
            } else {
                (LINE, 3.0)
            };
            writeln!(
                p,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r}\" fill=\"{colour}\"><title>K = {k}: {v:.4}</title></circle>",
                sx(k as f64),
                sy(v)
            )?;
        }
        writeln!(p, "</g>")
    }
}

/// Round values from at most `lo` to at least `hi`, 1, 2 or 5 times a power of ten apart:
/// between 3 and 7 ticks.
fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (lo, hi) = if hi - lo > 1e-9 * hi.abs().max(1.0) {
        (lo, hi)
    } else {
        // A flat line: a small window around it.
        let pad = (lo.abs() * 0.05).max(1e-3);
        (lo - pad, hi + pad)
    };
    let raw = (hi - lo) / 4.0;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power);
    let first = (lo / step).floor();
    let last = (hi / step).ceil();
    (0..=(last - first) as usize)
        .map(|i| (first + i as f64) * step)
        .collect()
}

/// Decimals that tell the ticks apart.
fn tick_decimals(ticks: &[f64]) -> usize {
    let step = ticks.get(1).map_or(1.0, |t| t - ticks[0]).abs();
    if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    }
}

/// `text` cut at spaces into lines of at most `width` characters (longer words stay whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}
