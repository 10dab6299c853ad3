//! The report as one self-contained HTML page: no network, no external script, style or font.
//!
//! The page holds a card per topic with a bar chart of its top words (inline SVG), the topics'
//! shares, the divergence over the iterations, and a table of the documents with their top
//! topics that can be sorted (click a column) and filtered (by text, by topic). Charts are drawn
//! here, so they show without JavaScript; the table is built by a small inline script from the
//! documents embedded as JSON.
//!
//! Every text from the corpus (titles, ids, labels, words) is escaped: in HTML as entities, in
//! the embedded JSON with `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`, so that no title
//! can close the script. When the script has run, `<body>` carries
//! `data-check="cards=K rows=N errors=E"` (topic cards found, table rows drawn, script errors
//! caught by a `window.onerror` hook installed first), which a headless browser test reads.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::markup::{capitalised, esc};
use super::terminal::thousands;
use super::Report;
use crate::nmf::solver_description;

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
            "<header><h1>{}</h1><p>{} topics · {} documents · {} words · {} tokens · {} {:.4} per token · {}{}</p></header>",
            esc(title),
            self.topics.len(),
            thousands(c.documents as f64),
            thousands(c.words as f64),
            thousands(c.tokens),
            nmf.loss.quantity(),
            self.fit.divergence_per_token,
            solver_description(nmf.solver, nmf.loss),
            match self.relevance {
                Some(l) => format!(" · words ranked by relevance, λ = {l}"),
                None => String::new(),
            }
        )?;

        p.push_str("<section id=\"topics\"><h2>Topics</h2><div class=\"cards\">\n");
        for (i, topic) in self.topics.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            write!(
                p,
                "<article class=\"topic-card\" id=\"topic-{}\" style=\"--c:{colour}\"><h3><span class=\"tid\">#{}</span> {}</h3>\
                 <p class=\"share\">{:.1}% of tokens</p>",
                topic.id,
                topic.id,
                esc(&topic.label),
                topic.share * 100.0
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
        let data = serde_json::json!({ "topics": topics, "documents": docs });
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

const STYLE: &str = r#"<style>
:root{--fg:#1d1f23;--muted:#666b73;--line:#d9dce1;--bg:#fafafa}
*{box-sizing:border-box}
body{margin:0;padding:1.5rem 2rem;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header p{color:var(--muted);margin-top:-.5rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:1rem}
.topic-card{background:#fff;border:1px solid var(--line);border-top:4px solid var(--c);border-radius:6px;padding:.6rem .8rem}
.topic-card h3{font-size:1rem;margin:.1rem 0}
.examples{list-style:none;margin:.4rem 0 0;padding:0;font-size:.8rem}.examples li{margin:.3rem 0}
.examples .w{color:var(--muted)}.examples q{display:block;color:var(--muted);quotes:none}
.tid{color:var(--muted);font-weight:normal}
.share{color:var(--muted);margin:.1rem 0 .4rem}
svg{display:block;width:100%;height:auto}svg.chart{max-width:760px}
.lbl{font-size:12px;fill:var(--fg)}.num{font-size:11px;fill:var(--muted)}
.axis{stroke:#999;stroke-width:1}.trace{fill:none;stroke:#4269d0;stroke-width:2}.dot{fill:#4269d0}
.note{color:var(--muted)}
.controls{margin:.5rem 0;display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
.controls input{padding:.3rem .5rem;min-width:18rem}#count{color:var(--muted)}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th[data-key]{cursor:pointer;user-select:none;white-space:nowrap}th[data-key]:hover{background:#f0f2f5}
th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.chip{display:inline-block;border-radius:3px;padding:0 .3rem;margin:0 .2rem .1rem 0;font-size:12px;color:#fff}
</style>
"#;

const SCRIPT: &str = r#"<script>
(function () {
  'use strict';
  var palette = ['#4269d0','#efb118','#ff725c','#6cc5b0','#3ca951','#ff8ab7','#a463f2','#97bbf5','#9c6b4e','#9498a0'];
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var labels = {};
  data.topics.forEach(function (t) { labels[t[0]] = t[1]; });
  var rows = data.documents.map(function (d, i) {
    var top = d[4].length ? d[4][0] : [0, 0];
    return { n: i + 1, id: d[0], title: d[1], label: d[2], tokens: d[3], topics: d[4],
             top: top[0], weight: top[1],
             text: (d[0] + ' ' + d[1] + ' ' + d[2]).toLowerCase() };
  });
  var keys = ['n', 'id', 'title', 'tokens', 'top', 'weight'];
  var sortKey = 'n', ascending = true;
  var LIMIT = 1000;
  var body = document.querySelector('#doc-table tbody');
  var filter = document.getElementById('filter');
  var topicFilter = document.getElementById('topic-filter');
  var count = document.getElementById('count');

  function cell(tr, text, numeric) {
    var td = document.createElement('td');
    td.textContent = text;
    if (numeric) { td.className = 'n'; }
    tr.appendChild(td);
  }

  function draw() {
    var q = filter.value.trim().toLowerCase();
    var k = topicFilter.value === '' ? 0 : Number(topicFilter.value);
    var shown = rows.filter(function (r) {
      return (!q || r.text.indexOf(q) >= 0) && (!k || r.top === k);
    });
    shown.sort(function (a, b) {
      var x = a[sortKey], y = b[sortKey];
      var c = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
      if (c === 0) { c = a.n - b.n; }
      return ascending ? c : -c;
    });
    var fragment = document.createDocumentFragment();
    shown.slice(0, LIMIT).forEach(function (r) {
      var tr = document.createElement('tr');
      cell(tr, r.n, true);
      cell(tr, r.id);
      cell(tr, r.title);
      cell(tr, r.tokens, true);
      cell(tr, r.top ? '#' + r.top + ' ' + labels[r.top] : '');
      cell(tr, r.top ? (r.weight * 100).toFixed(1) + '%' : '', true);
      var td = document.createElement('td');
      r.topics.forEach(function (t) {
        if (t[1] < 0.005) { return; }
        var chip = document.createElement('span');
        chip.className = 'chip';
        chip.style.background = palette[(t[0] - 1) % palette.length];
        chip.title = labels[t[0]];
        chip.textContent = '#' + t[0] + ' ' + Math.round(t[1] * 100) + '%';
        td.appendChild(chip);
      });
      tr.appendChild(td);
      fragment.appendChild(tr);
    });
    body.replaceChildren(fragment);
    count.textContent = shown.length > LIMIT
      ? 'showing the first ' + LIMIT + ' of ' + shown.length + ' matching documents (of ' + rows.length + ')'
      : shown.length + ' of ' + rows.length + ' documents';
    return Math.min(shown.length, LIMIT);
  }

  document.querySelectorAll('#doc-table th[data-key]').forEach(function (th) {
    th.addEventListener('click', function () {
      var key = keys[Number(th.getAttribute('data-key'))];
      ascending = key === sortKey ? !ascending : true;
      sortKey = key;
      document.querySelectorAll('#doc-table th').forEach(function (h) { h.className = ''; });
      th.className = ascending ? 'asc' : 'desc';
      draw();
    });
  });
  filter.addEventListener('input', draw);
  topicFilter.addEventListener('change', draw);

  var drawn = draw();
  var cards = document.querySelectorAll('.topic-card svg rect.bar').length > 0
    ? document.querySelectorAll('.topic-card').length : 0;
  document.body.setAttribute('data-check',
    'cards=' + cards + ' rows=' + drawn + ' errors=' + window.nmfErrors.length);
})();
</script>
"#;
