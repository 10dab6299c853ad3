//! The JSON report.

use std::io::{self, Write};

use super::Report;

/// The `format` field of every JSON report.
pub const FORMAT: &str = "nmf-topics/report";

/// The `version` field: raised when a field changes meaning; new fields do not raise it.
pub const VERSION: u32 = 1;

impl Report<'_> {
    /// Writes the report as one pretty-printed JSON object and a newline.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }
}
