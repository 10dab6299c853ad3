//! The report as one self-contained HTML page: no network, no external script, style or font.
//!
//! The page holds, in order:
//!
//! - with an [`Explorer`](super::Explorer), the topic explorer after LDAvis (`explorer.rs`,
//!   `explorer.js`): the intertopic distance map, and a topic's words re-ranked live by a λ
//!   slider; selecting a word shows the topics that hold it;
//! - a card per topic with a bar chart of its top words (inline SVG);
//! - with times, the topics over time; with labels, each label's topics (`groups.rs`);
//! - the topics' shares, the divergence over the iterations, and a table of the documents with
//!   their top topics that can be sorted (click a column) and filtered (by text, by topic).
//!
//! Charts are drawn here, so they show without JavaScript; the table and the explorer's word
//! list are built by small inline scripts from the data embedded as JSON.
//!
//! Every text from the corpus (titles, ids, labels, words) is escaped: in HTML as entities, in
//! the embedded JSON with `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`, so that no title
//! can close the script. When the script has run, `<body>` carries
//! `data-check="cards=K rows=N errors=E"` (topic cards found, table rows drawn, script errors
//! caught by a `window.onerror` hook installed first), which a headless browser test reads.

use std::fmt::Write as _;
use std::io::{self, Write};

mod explorer;
mod groups;

use super::markup::{capitalised, esc};
use super::terminal::thousands;
use super::Report;

/// Colours of the topics, cycled.
const PALETTE: [&str; 10] = [
    "#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5",
    "#9c6b4e", "#9498a0",
];

impl Report<'_> {
    /// Writes the report as one self-contained HTML page, titled `title`.
    pub fn write_html(&self, title: &str, out: &mut dyn Write) -> io::Result<()> {
        let mut page = String::with_capacity(64 * 1024);
        self.html_into(title, &mut page)
            .map_err(|_| io::Error::other("formatting the page failed"))?;
        out.write_all(page.as_bytes())
    }

    fn html_into(&self, title: &str, p: &mut String) -> std::fmt::Result {
        let c = &self.corpus;
        let nmf = &self.parameters.nmf;
        write!(
            p,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{}</title>\n",
            esc(title)
        )?;
        // First of all, the hook that records script errors for the check.
        p.push_str(
            "<script>window.nmfErrors=[];window.addEventListener('error',function(e){\
             window.nmfErrors.push(String(e.message));\
             if(document.body){document.body.setAttribute('data-errors',String(window.nmfErrors.length));}});\
             </script>\n",
        );
        p.push_str(STYLE);
        p.push_str("</head>\n<body>\n");
        writeln!(
            p,
            "<header><h1>{}</h1><p>{} topics · {} documents · {} words · {} tokens · {} {:.4} per {} · {}{}</p></header>",
            esc(title),
            self.topics.len(),
            thousands(c.documents as f64),
            thousands(c.words as f64),
            thousands(c.tokens),
            nmf.loss.quantity(),
            self.fit.divergence_per_token,
            self.parameters.weighting.unit(),
            nmf.solver_description(),
            match self.relevance {
                Some(l) => format!(" · words ranked by relevance, λ = {l}"),
                None => String::new(),
            }
        )?;

        if let Some(ex) = &self.explorer {
            explorer::section(self, ex, p)?;
        }
        p.push_str("<section id=\"topics\"><h2>Topics</h2><div class=\"cards\">\n");
        for (i, topic) in self.topics.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            write!(
                p,
                "<article class=\"topic-card\" id=\"topic-{}\" style=\"--c:{colour}\"><h3><span class=\"tid\">#{}</span> {}</h3>\
                 <p class=\"share\">{:.1}% of {}</p>",
                topic.id,
                topic.id,
                esc(&topic.label),
                topic.share * 100.0,
                self.parameters.weighting.mass()
            )?;
            word_bars(p, topic, colour)?;
            if !topic.documents.is_empty() {
                p.push_str("<ul class=\"examples\">");
                for doc in &topic.documents {
                    write!(p, "<li><b>{}</b>", esc(&doc.id))?;
                    if let Some(title) = &doc.title {
                        write!(p, " — {}", esc(title))?;
                    }
                    write!(p, " <span class=\"w\">{:.0}%</span>", doc.weight * 100.0)?;
                    if let Some(snippet) = &doc.snippet {
                        write!(p, "<q>{}</q>", esc(snippet))?;
                    }
                    p.push_str("</li>");
                }
                p.push_str("</ul>");
            }
            p.push_str("</article>\n");
        }
        p.push_str("</div></section>\n");
        if let Some(over) = &self.over_time {
            groups::over_time(self, over, p)?;
        }
        if !self.labels.is_empty() {
            groups::by_label(self, &self.labels, p)?;
        }

        p.push_str("<section id=\"shares\"><h2>Topic shares</h2>");
        self.share_bars(p)?;
        write!(
            p,
            "</section>\n<section id=\"divergence\"><h2>{} over the iterations</h2>",
            capitalised(nmf.loss.quantity())
        )?;
        self.divergence_chart(p)?;
        p.push_str("</section>\n");

        p.push_str(
            "<section id=\"documents\"><h2>Documents</h2>\
             <div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"Filter by id, title or label\" aria-label=\"Filter documents\">\
             <select id=\"topic-filter\" aria-label=\"Top topic\"><option value=\"\">any top topic</option>",
        );
        for topic in &self.topics {
            write!(
                p,
                "<option value=\"{}\">#{} {}</option>",
                topic.id,
                topic.id,
                esc(&topic.label)
            )?;
        }
        p.push_str(
            "</select> <span id=\"count\"></span></div>\
             <table id=\"doc-table\"><thead><tr>\
             <th data-key=\"0\">#</th><th data-key=\"1\">id</th><th data-key=\"2\">title</th>\
             <th data-key=\"3\">words</th><th data-key=\"4\">top topic</th><th data-key=\"5\">weight</th>\
             <th>topics</th></tr></thead><tbody></tbody></table></section>\n",
        );

        // The data the script needs, escaped for a <script> element.
        let topics: Vec<(usize, &str)> = self
            .topics
            .iter()
            .map(|t| (t.id, t.label.as_str()))
            .collect();
        let docs: Vec<serde_json::Value> = self
            .documents
            .iter()
            .map(|d| {
                serde_json::json!([
                    d.id,
                    d.title.unwrap_or(""),
                    d.label.unwrap_or(""),
                    d.tokens,
                    d.topics
                        .iter()
                        .map(|t| [t.topic as f64, t.weight as f64])
                        .collect::<Vec<_>>()
                ])
            })
            .collect();
        let mut data = serde_json::json!({ "topics": topics, "documents": docs });
        if let Some(ex) = &self.explorer {
            data["explorer"] = explorer::data(ex, self.relevance.unwrap_or(1.0));
        }
        writeln!(
            p,
            "<script type=\"application/json\" id=\"report-data\">{}</script>",
            script_json(&data.to_string())
        )?;
        p.push_str(SCRIPT);
        p.push_str("</body></html>\n");
        Ok(())
    }

    fn share_bars(&self, p: &mut String) -> std::fmt::Result {
        let max = self.topics.iter().map(|t| t.share).fold(0.0, f64::max);
        let row = 22.0;
        let height = row * self.topics.len() as f64 + 4.0;
        write!(
            p,
            "<svg class=\"chart\" viewBox=\"0 0 640 {height}\" role=\"img\" aria-label=\"Topic shares\">"
        )?;
        for (i, t) in self.topics.iter().enumerate() {
            let y = i as f64 * row + 2.0;
            let width = if max > 0.0 {
                t.share / max * 320.0
            } else {
                0.0
            };
            write!(
                p,
                "<text x=\"0\" y=\"{:.1}\" class=\"lbl\">#{} {}</text>\
                 <rect x=\"250\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{:.2}%</title></rect>\
                 <text x=\"{:.1}\" y=\"{:.1}\" class=\"num\">{:.1}%</text>",
                y + 15.0,
                t.id,
                esc(&truncate(&t.label, 34)),
                row - 6.0,
                PALETTE[i % PALETTE.len()],
                t.share * 100.0,
                254.0 + width,
                y + 15.0,
                t.share * 100.0
            )?;
        }
        p.push_str("</svg>");
        Ok(())
    }

    fn divergence_chart(&self, p: &mut String) -> std::fmt::Result {
        // The random start (iteration 0) is far above the rest and would flatten the curve.
        let all = &self.fit.divergence_trace;
        let trace = if all.len() >= 3 && all[0].iteration == 0 {
            &all[1..]
        } else {
            &all[..]
        };
        let (w, h, left, bottom) = (640.0, 220.0, 90.0, 30.0);
        write!(
            p,
            "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{} over the iterations\">",
            capitalised(self.parameters.nmf.loss.quantity())
        )?;
        if trace.len() >= 2 {
            let x_min = trace[0].iteration as f64;
            let x_max = (trace.last().map_or(1, |t| t.iteration) as f64).max(x_min + 1.0);
            let lo = trace
                .iter()
                .map(|t| t.divergence)
                .fold(f64::INFINITY, f64::min);
            let hi = trace
                .iter()
                .map(|t| t.divergence)
                .fold(f64::NEG_INFINITY, f64::max);
            let span = if hi > lo { hi - lo } else { 1.0 };
            let x = |i: usize| left + (i as f64 - x_min) / (x_max - x_min) * (w - left - 10.0);
            let y = |d: f64| 10.0 + (hi - d) / span * (h - bottom - 20.0);
            let points: Vec<String> = trace
                .iter()
                .map(|t| format!("{:.1},{:.1}", x(t.iteration), y(t.divergence)))
                .collect();
            write!(
                p,
                "<line x1=\"{left}\" y1=\"{b:.1}\" x2=\"{r:.1}\" y2=\"{b:.1}\" class=\"axis\"/>\
                 <line x1=\"{left}\" y1=\"10\" x2=\"{left}\" y2=\"{b:.1}\" class=\"axis\"/>\
                 <polyline points=\"{}\" class=\"trace\"/>\
                 <text x=\"{l2:.1}\" y=\"{:.1}\" class=\"num\" text-anchor=\"end\">{}</text>\
                 <text x=\"{l2:.1}\" y=\"{:.1}\" class=\"num\" text-anchor=\"end\">{}</text>\
                 <text x=\"{left}\" y=\"{:.1}\" class=\"num\">iteration {x_min}</text>\
                 <text x=\"{r:.1}\" y=\"{:.1}\" class=\"num\" text-anchor=\"end\">{} iterations</text>",
                points.join(" "),
                y(hi) + 4.0,
                thousands(hi),
                y(lo) + 4.0,
                thousands(lo),
                h - 8.0,
                h - 8.0,
                x_max,
                b = h - bottom + 2.0,
                r = w - 10.0,
                l2 = left - 6.0,
            )?;
            for t in trace {
                write!(
                    p,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" class=\"dot\"><title>iteration {}: {}</title></circle>",
                    x(t.iteration),
                    y(t.divergence),
                    t.iteration,
                    thousands(t.divergence)
                )?;
            }
        }
        p.push_str("</svg>");
        write!(
            p,
            "<p class=\"note\">{} iterations ({}).</p>",
            thousands(self.fit.iterations as f64),
            esc(&self.why_stopped())
        )?;
        if let Some(t) = &self.fit.transform {
            write!(
                p,
                "<p class=\"note\">Final {} {} after solving the document weights with W fixed ({:.0} updates a document on average).</p>",
                self.parameters.nmf.loss.quantity(),
                thousands(self.fit.divergence),
                t.iterations_mean
            )?;
        }
        Ok(())
    }
}

/// A topic's top words as horizontal bars, longest for the largest weight.
fn word_bars(p: &mut String, topic: &super::Topic, colour: &str) -> std::fmt::Result {
    let max = topic.words.iter().map(|w| w.weight).fold(0.0f32, f32::max);
    let row = 18.0;
    let height = row * topic.words.len() as f64 + 2.0;
    write!(
        p,
        "<svg class=\"bars\" viewBox=\"0 0 300 {height}\" role=\"img\" aria-label=\"Top words of topic {}\">",
        topic.id
    )?;
    for (i, w) in topic.words.iter().enumerate() {
        let y = i as f64 * row;
        let width = if max > 0.0 {
            (w.weight / max) as f64 * 150.0
        } else {
            0.0
        };
        write!(
            p,
            "<text x=\"96\" y=\"{:.1}\" class=\"lbl\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar\" x=\"100\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}: {}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"num\">{:.3}</text>",
            y + 13.0,
            esc(&truncate(&w.word, 16)),
            y + 3.0,
            row - 5.0,
            esc(&w.word),
            w.weight,
            104.0 + width,
            y + 13.0,
            w.weight
        )?;
    }
    p.push_str("</svg>");
    Ok(())
}

/// JSON text made safe inside a `<script>` element: no `<`, `>` or `&` at all.
fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

const STYLE: &str = concat!("<style>\n", include_str!("style.css"), "</style>\n");

const SCRIPT: &str = concat!(
    "<script>\n",
    include_str!("table.js"),
    include_str!("explorer.js"),
    "</script>\n"
);
