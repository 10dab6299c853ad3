//! JSON Lines: one object a line; the text, id, title, label and time come from named fields.

use std::fmt;
use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::{BadTimeValue, CorpusError, Document, ReadOptions, Timestamp};

/// The document of one non-blank JSON line.
pub(crate) fn parse_line(
    line: &str,
    number: u64,
    path: &Path,
    options: &ReadOptions,
) -> Result<Document, CorpusError> {
    let mut de = serde_json::Deserializer::from_str(line);
    let fields = Fields(options)
        .deserialize(&mut de)
        .and_then(|fields| de.end().map(|()| fields))
        .map_err(|e| CorpusError::BadJson {
            path: path.to_owned(),
            line: number,
            message: e.to_string(),
        })?;
    let mut texts = fields.text.into_iter().filter_map(|value| match value {
        Some(Value::String(text)) => Some(text),
        _ => None,
    });
    let Some(mut text) = texts.next() else {
        return Err(CorpusError::MissingText {
            path: path.to_owned(),
            line: number,
            field: options.text_fields.join("\", \""),
        });
    };
    for more in texts {
        join_text(&mut text, &more);
    }
    let id = scalar(fields.id).unwrap_or_else(|| number.to_string());
    let time = match &fields.time {
        None => None,
        Some(value) => Timestamp::from_json(value).map_err(|why| CorpusError::BadTime {
            path: path.to_owned(),
            line: number,
            value: Box::new(BadTimeValue {
                id: id.clone(),
                field: options.time_field.clone().unwrap_or_default(),
                value: value.to_string(),
                why,
            }),
        })?,
    };
    Ok(Document {
        id,
        title: scalar(fields.title),
        label: scalar(fields.label),
        time,
        text,
    })
}

/// The values of the named fields of one object. Other fields are skipped unparsed: building
/// them as values, only to drop them, was a good part of the reading time.
struct Picked {
    /// One slot a text field, in the order the fields were named.
    text: Vec<Option<Value>>,
    id: Option<Value>,
    title: Option<Value>,
    label: Option<Value>,
    time: Option<Value>,
}

/// Reads an object into [`Picked`]. A field named twice keeps its last value, and a key that
/// several options name goes to the first of text, id, title, label and time.
struct Fields<'a>(&'a ReadOptions);

impl<'de> DeserializeSeed<'de> for Fields<'_> {
    type Value = Picked;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Picked, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Fields<'_> {
    type Value = Picked;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Picked, A::Error> {
        let mut picked = Picked {
            text: vec![None; self.0.text_fields.len()],
            id: None,
            title: None,
            label: None,
            time: None,
        };
        while let Some(slot) = map.next_key_seed(Key(self.0))? {
            let target = match slot {
                Slot::Text(i) => &mut picked.text[i],
                Slot::Id => &mut picked.id,
                Slot::Title => &mut picked.title,
                Slot::Label => &mut picked.label,
                Slot::Time => &mut picked.time,
                Slot::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *target = Some(map.next_value()?);
        }
        Ok(picked)
    }
}

enum Slot {
    Text(usize),
    Id,
    Title,
    Label,
    Time,
    Other,
}

/// Matches a key against the field names without allocating it.
struct Key<'a>(&'a ReadOptions);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Slot;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Slot, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = Slot;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Slot, E> {
        let options = self.0;
        Ok(
            if let Some(i) = options.text_fields.iter().position(|f| f == key) {
                Slot::Text(i)
            } else if key == options.id_field {
                Slot::Id
            } else if key == options.title_field {
                Slot::Title
            } else if options.label_field.as_deref() == Some(key) {
                Slot::Label
            } else if options.time_field.as_deref() == Some(key) {
                Slot::Time
            } else {
                Slot::Other
            },
        )
    }
}

/// Appends `more` to `text` after a blank line, so that the texts of several fields stay apart
/// as paragraphs do (an n-gram never spans two of them). Empty texts add nothing.
pub(crate) fn join_text(text: &mut String, more: &str) {
    if more.is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(more);
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
