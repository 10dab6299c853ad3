//! Bounds on what an input may hold, so that no input can take unbounded memory or give the
//! solver numbers it cannot factor.
//!
//! - **Documents.** A line (JSON Lines, `--lines`) or a whole file (a text file, a file in a
//!   folder) is one document, read into memory whole: it may hold at most
//!   [`ReadOptions::max_doc_bytes`](super::ReadOptions::max_doc_bytes) bytes
//!   ([`DEFAULT_MAX_DOC_BYTES`] unless set), checked as it is read, so a file of zeros or a
//!   gzip bomb stops at the limit with an error instead of filling memory.
//! - **Counts.** The solver works in `f32`, whose normal numbers span 1.2·10⁻³⁸ to 3.4·10³⁸, and
//!   floors (WH) at 10⁻¹². A positive count must be at least [`MIN_COUNT`], far enough above that
//!   floor for the updates to resolve it, and all counts together at most [`MAX_TOTAL`], eight
//!   orders of magnitude under the largest `f32`, so that no sum or product along the way
//!   overflows. Counts of text are whole numbers and never come near either bound; a Matrix
//!   Market file outside them is refused at the line that leaves the range. The fit is
//!   unchanged when every count is multiplied by the same factor, so scaling is the remedy.
//! - **Matrix Market lines** (and the lines of its vocabulary and document lists) hold at most
//!   [`MAX_LINE_BYTES`].

/// The longest document read by default: 16 MiB, some 2.5 million words, longer than any
/// book; a line or file past it is an error that names it.
pub const DEFAULT_MAX_DOC_BYTES: usize = 16 << 20;

/// The smallest positive count the solver factors: 10⁻⁶, six orders of magnitude above its
/// floor of (WH) at 10⁻¹².
pub const MIN_COUNT: f32 = 1e-6;

/// The largest sum of all counts the solver factors: 10³⁰, eight orders of magnitude below the
/// largest `f32`.
pub const MAX_TOTAL: f64 = 1e30;

/// The longest line of a Matrix Market file, or of its vocabulary or document list: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// `n` bytes in the largest binary unit that divides it: `16 MiB`, `1 KiB`, `1000 bytes`.
pub(crate) fn bytes_text(n: usize) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if n >= 1 << shift && n.is_multiple_of(1 << shift) {
            return format!("{} {unit}", n >> shift);
        }
    }
    format!("{n} bytes")
}
