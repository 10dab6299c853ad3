//! The report for people at a terminal.

use std::io::{self, Write};

use super::Report;

/// Width the word lists are wrapped to.
const WIDTH: usize = 100;

impl Report<'_> {
    /// Writes the topics (number, label, share, NPMI, top words with weights), then the corpus,
    /// fit and quality figures.
    pub fn write_terminal(&self, out: &mut dyn Write) -> io::Result<()> {
        let out = &mut super::Printable::new(out);
        let id_width = self.topics.len().to_string().len() + 1;
        if let Some(lambda) = self.relevance {
            writeln!(
                out,
                "words ranked by relevance, λ = {lambda} (the figures are p(word | topic))\n"
            )?;
        }
        for topic in &self.topics {
            let npmi = topic
                .npmi
                .map_or_else(|| "–".to_owned(), |x| format!("{x:.2}"));
            writeln!(
                out,
                "{:>id_width$}  {}  ({:.1}% of {}, NPMI {npmi})",
                format!("#{}", topic.id),
                topic.label,
                topic.share * 100.0,
                self.parameters.weighting.mass()
            )?;
            let mut line = String::new();
            for (i, w) in topic.words.iter().enumerate() {
                let item = format!("{} {:.3}", w.word, w.weight);
                if !line.is_empty() && line.len() + 3 + item.len() > WIDTH - id_width - 2 {
                    writeln!(out, "{:id_width$}  {line}", "")?;
                    line.clear();
                }
                if i > 0 && !line.is_empty() {
                    line.push_str(" · ");
                }
                line.push_str(&item);
            }
            if !line.is_empty() {
                writeln!(out, "{:id_width$}  {line}", "")?;
            }
            for doc in topic.documents.iter().take(TERMINAL_DOCUMENTS) {
                let name = match &doc.title {
                    Some(title) => format!("{} — {}", doc.id, title),
                    None => doc.id.clone(),
                };
                let name = clip(&name.replace(['\n', '\r', '\t'], " "), WIDTH - id_width - 4);
                writeln!(out, "{:id_width$}  ▸ {name}", "")?;
                if let Some(snippet) = &doc.snippet {
                    let mut line = String::new();
                    for word in snippet.split(' ') {
                        if !line.is_empty() && line.len() + 1 + word.len() > WIDTH - id_width - 4 {
                            writeln!(out, "{:id_width$}    {line}", "")?;
                            line.clear();
                        }
                        if !line.is_empty() {
                            line.push(' ');
                        }
                        line.push_str(word);
                    }
                    if !line.is_empty() {
                        writeln!(out, "{:id_width$}    {line}", "")?;
                    }
                }
            }
            writeln!(out)?;
        }
        let c = &self.corpus;
        let multiword = match (c.phrases_found, c.multiword_terms) {
            (Some(found), kept) => format!(
                "; {} of them phrases, of {} found",
                thousands(kept as f64),
                thousands(found as f64)
            ),
            (None, 0) => String::new(),
            (None, kept) => format!("; {} of them n-grams", thousands(kept as f64)),
        };
        writeln!(
            out,
            "corpus: {} documents, {} words (of {} before pruning{multiword}), {} non-zeros, {} tokens",
            thousands(c.documents as f64),
            thousands(c.words as f64),
            thousands(c.words_before_pruning as f64),
            thousands(c.nonzeros as f64),
            thousands(c.tokens),
        )?;
        if c.empty_documents > 0 {
            writeln!(
                out,
                "        {} documents have no word left after pruning; their topic weights are 0",
                thousands(c.empty_documents as f64)
            )?;
        }
        let f = &self.fit;
        let nmf = &self.parameters.nmf;
        let why = self.why_stopped();
        let loss = nmf.loss.quantity();
        writeln!(
            out,
            "fit:    {} topics, {} iterations of {} ({why})",
            nmf.topics,
            f.iterations,
            nmf.solver_description()
        )?;
        writeln!(
            out,
            "        {loss} {} ({:.4} per {})",
            thousands(f.divergence),
            f.divergence_per_token,
            self.parameters.weighting.unit()
        )?;
        if let Some(t) = &f.transform {
            writeln!(
                out,
                "        weights solved with W fixed: {:.0} updates a document on average, at most {}{}",
                t.iterations_mean,
                t.iterations_max,
                if t.unconverged > 0 {
                    format!(" ({} documents stopped at the limit)", thousands(t.unconverged as f64))
                } else {
                    String::new()
                }
            )?;
        }
        if let Some(kept) = f
            .restarts
            .iter()
            .min_by(|a, b| a.divergence.total_cmp(&b.divergence))
        {
            let all: Vec<String> = f
                .restarts
                .iter()
                .map(|r| format!("{}: {}", r.seed, thousands(r.divergence)))
                .collect();
            writeln!(
                out,
                "        best of {} runs, kept seed {} ({loss} by seed: {})",
                f.restarts.len(),
                kept.seed,
                all.join(", ")
            )?;
        }
        let q = &self.quality;
        write!(
            out,
            "topics: mean NPMI {:.3} and UMass {:.3} of the top {} words; diversity {:.3}",
            q.mean_npmi, q.mean_umass, q.coherence_words, q.diversity
        )?;
        match q.label_nmi {
            Some(nmi) => writeln!(
                out,
                "; NMI with the labels {nmi:.3} ({} documents)",
                thousands(q.labelled_documents as f64)
            )?,
            None => writeln!(out)?,
        }
        if let Some(t) = &self.over_time {
            let times = || self.documents.iter().filter_map(|d| d.time);
            let (first, last) = (times().min(), times().max());
            writeln!(
                out,
                "over time: {} documents from {} to {}{}, in {} bins {} (in the JSON and HTML reports)",
                thousands(t.documents_with_time as f64),
                first.map_or_else(String::new, |t| t.date_label()),
                last.map_or_else(String::new, |t| t.date_label()),
                match t.documents_without_time {
                    0 => String::new(),
                    n => format!(" ({} without a time)", thousands(n as f64)),
                },
                t.bins.len(),
                match t.unit {
                    "equal" => "of equal width".to_owned(),
                    unit => format!("of a {unit}"),
                }
            )?;
        }
        writeln!(
            out,
            "time:   {:.2} ms per iteration on {} threads ({}); reading {:.2} s, matrix {:.2} s, fitting {:.2} s",
            f.seconds_per_iteration * 1e3,
            f.threads,
            f.kernel,
            f.seconds.reading,
            f.seconds.matrix,
            f.seconds.fitting
        )?;
        Ok(())
    }
}

/// Representative documents shown per topic (the JSON report has them all).
const TERMINAL_DOCUMENTS: usize = 2;

/// `s`, cut to `width` characters with `…`.
fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `1234567.8` as `1,234,568`.
pub fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if x < 0.0 {
        out.insert(0, '-');
    }
    out
}
