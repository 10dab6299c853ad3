//! JSON Lines: one object a line; the text, id, title and label come from named fields.

use std::path::Path;

use serde_json::{Map, Value};

use super::{CorpusError, Document, ReadOptions};

/// The document of one non-blank JSON line.
pub(crate) fn parse_line(
    line: &str,
    number: u64,
    path: &Path,
    options: &ReadOptions,
) -> Result<Document, CorpusError> {
    let mut object: Map<String, Value> =
        serde_json::from_str(line).map_err(|e| CorpusError::BadJson {
            path: path.to_owned(),
            line: number,
            message: e.to_string(),
        })?;
    let text = match object.remove(&options.text_field) {
        Some(Value::String(text)) => text,
        _ => {
            return Err(CorpusError::MissingText {
                path: path.to_owned(),
                line: number,
                field: options.text_field.clone(),
            })
        }
    };
    let id = scalar(object.remove(&options.id_field)).unwrap_or_else(|| number.to_string());
    let title = scalar(object.remove(&options.title_field));
    let label = options
        .label_field
        .as_ref()
        .and_then(|field| scalar(object.remove(field)));
    Ok(Document {
        id,
        title,
        label,
        text,
    })
}

/// A string or a number as text; anything else counts as absent.
fn scalar(value: Option<Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
