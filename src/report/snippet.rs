//! Snippets: the passage of a document that shows best why it belongs to a topic.

use crate::corpus::PhraseJoiner;
use crate::text::Analyzer;

/// Longest snippet, in characters (ellipses aside).
pub const SNIPPET_CHARS: usize = 160;

/// The passage of `text` of at most [`SNIPPET_CHARS`] characters that holds the most tokens
/// whose term is in `terms` (the earliest such passage on ties; the beginning when none
/// occurs), with its white space collapsed and `…` where text was cut.
pub fn snippet(text: &str, analyzer: &Analyzer, terms: &[&str]) -> String {
    snippet_joined(text, analyzer, None, terms)
}

/// As [`snippet`], with the phrases of `phrases` joined as the corpus's were: a phrase among
/// `terms` counts where it occurs whole, and the passage never ends inside it.
pub fn snippet_joined(
    text: &str,
    analyzer: &Analyzer,
    phrases: Option<&PhraseJoiner>,
    terms: &[&str],
) -> String {
    let mut hits: Vec<usize> = Vec::new();
    let mut ends: Vec<usize> = Vec::new();
    let hit = |term: &str, _: &str, span: std::ops::Range<usize>| {
        if terms.contains(&term) {
            hits.push(span.start);
            ends.push(span.end);
        }
    };
    match phrases {
        Some(joiner) => joiner.for_each_term(analyzer, text, hit),
        None => analyzer.for_each_term(text, hit),
    }
    // Char offsets of byte positions, to measure the window in characters.
    let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    let char_at = |byte: usize| starts.partition_point(|&b| b < byte);
    let n_chars = starts.len();
    let mut best = (0usize, 0usize);
    let mut from = 0;
    for to in 0..hits.len() {
        while char_at(hits[to]) - char_at(hits[from]) > SNIPPET_CHARS * 3 / 4 {
            from += 1;
        }
        if to + 1 - from > best.0 {
            best = (to + 1 - from, from);
        }
    }
    let first = if best.0 == 0 {
        0
    } else {
        // Some context before the first word found.
        char_at(hits[best.1]).saturating_sub(SNIPPET_CHARS / 8)
    };
    let mut last = (first + SNIPPET_CHARS).min(n_chars);
    // A term that starts inside the passage ends inside it too.
    let mut extended = false;
    for (&start, &end) in hits.iter().zip(&ends) {
        let (start, end) = (char_at(start), char_at(end));
        if start < last && end > last {
            last = end.min(n_chars);
            extended = true;
        }
    }
    let first = if last == n_chars {
        last.saturating_sub(SNIPPET_CHARS)
    } else {
        first
    };
    let byte = |c: usize| starts.get(c).copied().unwrap_or(text.len());
    let mut piece = &text[byte(first)..byte(last)];
    // Whole words only: cut back to white space at both ends when the text goes on.
    if first > 0 {
        if let Some(space) = piece.find(char::is_whitespace) {
            piece = &piece[space..];
        }
    }
    if last < n_chars && !extended {
        if let Some(space) = piece.rfind(char::is_whitespace) {
            piece = &piece[..space];
        }
    }
    let mut out = String::new();
    if first > 0 {
        out.push('…');
    }
    out.push_str(&piece.split_whitespace().collect::<Vec<_>>().join(" "));
    if last < n_chars {
        out.push('…');
    }
    out
}

/// The text after its first line when that line is the title, which the report shows beside
/// the snippet already (Debian descriptions begin so); the whole text otherwise, or when
/// nothing with a letter follows the title.
pub(crate) fn after_title<'t>(text: &'t str, title: Option<&str>) -> &'t str {
    let Some(title) = title.map(str::trim).filter(|t| !t.is_empty()) else {
        return text;
    };
    let start = text.trim_start();
    match start.strip_prefix(title) {
        Some(rest) if rest.starts_with(['\n', '\r']) && rest.chars().any(char::is_alphabetic) => {
            rest
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::after_title;

    #[test]
    fn the_snippet_leaves_out_a_first_line_that_is_the_title() {
        let text = "  Java message broker\nApache ActiveMQ is a broker.";
        assert_eq!(
            after_title(text, Some("Java message broker")),
            "\nApache ActiveMQ is a broker."
        );
        // Not the whole first line, another title, no title, or nothing after it: kept whole.
        let same = |text: &str, title: Option<&str>| after_title(text, title) == text;
        assert!(same(
            "Java message broker - server\nMore.",
            Some("Java message broker")
        ));
        assert!(same("Java message broker\nMore.", Some("Python")));
        assert!(same("Java message broker\nMore.", None));
        assert!(same(
            "Java message broker\n  -- \n",
            Some("Java message broker")
        ));
        assert!(same("Java message broker", Some("Java message broker")));
    }
}
