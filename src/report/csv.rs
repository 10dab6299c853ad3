//! Every document's topic weights as CSV.

use std::io::{self, Write};

use crate::matrix::CountMatrix;
use crate::nmf::NmfModel;

/// Writes one row per document: `id`, then `topic_1` … `topic_K`, its topic weights (summing
/// to 1, or all 0 for a document without words), 6 decimals.
pub fn write_document_topics(
    matrix: &CountMatrix,
    model: &NmfModel,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut writer = ::csv::Writer::from_writer(out);
    let mut row: Vec<String> = Vec::with_capacity(model.topics() + 1);
    row.push("id".into());
    row.extend((1..=model.topics()).map(|k| format!("topic_{k}")));
    writer.write_record(&row)?;
    for (d, info) in matrix.documents().iter().enumerate() {
        row.clear();
        row.push(info.id.to_owned());
        row.extend(model.document_weights(d).iter().map(|w| format!("{w:.6}")));
        writer.write_record(&row)?;
    }
    writer.flush()
}
