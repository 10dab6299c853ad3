//! Text for a terminal with the corpus's control characters made visible.
//!
//! Ids, titles, labels, texts and word lists come from the corpus, and a corpus can hold
//! escape sequences (which recolour, retitle or clear a terminal), other C0 and C1 control
//! characters (a carriage return that overwrites a line) and bidirectional overrides (which
//! reorder what is shown, "Trojan Source"). Everything written for a terminal shows each of
//! them as a Rust-style escape, `\u{1b}`; new lines and tabs stay. JSON and CSV outputs keep
//! the text as it is.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Whether `c` is shown escaped: a control character other than a new line or a tab, or a
/// bidirectional formatting character.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every control character but new lines and tabs, and every bidirectional
/// formatting character, written as `\u{…}`.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            let _ = write!(shown, "\\u{{{:x}}}", c as u32);
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// A writer that passes text through [`printable`] (bytes that are not UTF-8 are written as
/// `\x…`).
pub struct Printable<W: Write> {
    inner: W,
    /// The start of a character cut by the end of a write.
    pending: Vec<u8>,
}

impl<W: Write> Printable<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Printable<W> {
        Printable {
            inner,
            pending: Vec::new(),
        }
    }

    fn write_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut rest = bytes;
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => return self.inner.write_all(printable(text).as_bytes()),
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    if let Ok(text) = std::str::from_utf8(valid) {
                        self.inner.write_all(printable(text).as_bytes())?;
                    }
                    let Some(bad) = e.error_len() else {
                        self.pending = after.to_vec();
                        return Ok(());
                    };
                    for b in &after[..bad] {
                        write!(self.inner, "\\x{b:02x}")?;
                    }
                    rest = &after[bad..];
                }
            }
        }
    }
}

impl<W: Write> Write for Printable<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            self.write_bytes(buf)?;
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(buf);
            self.write_bytes(&joined)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        for b in std::mem::take(&mut self.pending) {
            write!(self.inner, "\\x{b:02x}")?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for Printable<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped_and_the_rest_kept() {
        assert_eq!(printable("plain café\n\tx"), "plain café\n\tx");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(
            printable("a\u{1b}[31mb\rc\u{7f}\u{9b}d\u{202e}e\u{2066}"),
            "a\\u{1b}[31mb\\u{d}c\\u{7f}\\u{9b}d\\u{202e}e\\u{2066}"
        );
    }

    #[test]
    fn a_character_cut_between_writes_is_whole_and_bad_bytes_are_shown() {
        let mut out = Vec::new();
        {
            let mut w = Printable::new(&mut out);
            let text = "é\u{202e}".as_bytes();
            for b in text {
                w.write_all(&[*b]).unwrap();
            }
            w.write_all(b"\xff!").unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "é\\u{202e}\\xff!");
    }
}
