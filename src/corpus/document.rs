//! One document, as readers produce it.

use rustc_hash::FxHashMap;
use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Timestamp;

/// A document read from an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its id: the reader's (see the module doc); unique within an input.
    pub id: String,
    /// Its title, when the input has one.
    pub title: Option<String>,
    /// Its label (a class or category), when the input has one and it was asked for.
    pub label: Option<String>,
    /// Its time (`--time-field`), when the input has one and it was asked for.
    pub time: Option<Timestamp>,
    /// Its text.
    pub text: String,
}

/// What is kept of a document once its words are counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// The document's id.
    pub id: String,
    /// Its title, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its label, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its time, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
}

impl Document {
    /// The document without its text.
    pub fn info(&self) -> DocumentInfo {
        DocumentInfo {
            id: self.id.clone(),
            title: self.title.clone(),
            label: self.label.clone(),
            time: self.time,
        }
    }

    /// The document as [`Documents`] keeps it, borrowed.
    pub fn as_ref(&self) -> DocumentRef<'_> {
        DocumentRef {
            id: &self.id,
            title: self.title.as_deref(),
            label: self.label.as_deref(),
            time: self.time,
        }
    }
}

/// The ids, titles, labels and times of a corpus's documents, stored compactly: the ids and
/// titles in one buffer with two offsets a document, each distinct label once, and the times
/// (only once some document has one) as Unix seconds. One [`DocumentInfo`] a document costs
/// three strings each; on 61,184 Debian packages that is 11 MB against 4 MB, held through the
/// whole fit.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    /// Ids and titles, one after the other.
    text: String,
    /// Document `d`'s id is `text[ends[2d - 1]..ends[2d]]` (from 0 for the first), its title
    /// `text[ends[2d]..ends[2d + 1]]`.
    ends: Vec<usize>,
    titled: Vec<bool>,
    /// 0: no label; `n`: `label_names[n - 1]`.
    labels: Vec<u32>,
    label_names: Vec<String>,
    label_numbers: FxHashMap<String, u32>,
    /// Each document's time in Unix seconds, [`NO_TIME`] for none; empty while no document
    /// has one.
    times: Vec<i64>,
}

/// A document without a time, in [`Documents`]: below any time a [`Timestamp`] holds.
const NO_TIME: i64 = i64::MIN;

/// One document of [`Documents`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DocumentRef<'a> {
    /// The document's id.
    pub id: &'a str,
    /// Its title, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    /// Its label, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<&'a str>,
    /// Its time, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
}

impl DocumentRef<'_> {
    /// The document as an owned [`DocumentInfo`].
    pub fn to_info(&self) -> DocumentInfo {
        DocumentInfo {
            id: self.id.to_owned(),
            title: self.title.map(str::to_owned),
            label: self.label.map(str::to_owned),
            time: self.time,
        }
    }
}

impl Documents {
    /// No documents.
    pub fn new() -> Documents {
        Documents::default()
    }

    /// Adds a document at the end.
    pub fn push(&mut self, id: &str, title: Option<&str>, label: Option<&str>) {
        self.push_ref(DocumentRef {
            id,
            title,
            label,
            time: None,
        });
    }

    /// Adds a document at the end, with its time.
    pub fn push_ref(&mut self, doc: DocumentRef<'_>) {
        let DocumentRef {
            id,
            title,
            label,
            time,
        } = doc;
        if let Some(time) = time {
            if self.times.is_empty() {
                self.times = vec![NO_TIME; self.titled.len()];
            }
            self.times.push(time.unix());
        } else if !self.times.is_empty() {
            self.times.push(NO_TIME);
        }
        self.text.push_str(id);
        self.ends.push(self.text.len());
        self.text.push_str(title.unwrap_or(""));
        self.ends.push(self.text.len());
        self.titled.push(title.is_some());
        let number = match label {
            None => 0,
            Some(label) => match self.label_numbers.get(label) {
                Some(&n) => n,
                None => {
                    self.label_names.push(label.to_owned());
                    let n = self.label_names.len() as u32;
                    self.label_numbers.insert(label.to_owned(), n);
                    n
                }
            },
        };
        self.labels.push(number);
    }

    fn push_info(&mut self, doc: &DocumentInfo) {
        self.push_ref(DocumentRef {
            id: &doc.id,
            title: doc.title.as_deref(),
            label: doc.label.as_deref(),
            time: doc.time,
        });
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.titled.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.titled.is_empty()
    }

    /// Document `d`, if there is one.
    pub fn get(&self, d: usize) -> Option<DocumentRef<'_>> {
        if d >= self.len() {
            return None;
        }
        let start = if d == 0 { 0 } else { self.ends[2 * d - 1] };
        let (id_end, title_end) = (self.ends[2 * d], self.ends[2 * d + 1]);
        let label = self.labels[d];
        Some(DocumentRef {
            id: &self.text[start..id_end],
            title: self.titled[d].then(|| &self.text[id_end..title_end]),
            label: (label > 0).then(|| self.label_names[label as usize - 1].as_str()),
            time: self.time(d),
        })
    }

    /// Document `d`. Panics when `d >= self.len()`, as slice indexing does.
    pub fn at(&self, d: usize) -> DocumentRef<'_> {
        match self.get(d) {
            Some(doc) => doc,
            None => panic!("document {d} of {}", self.len()),
        }
    }

    /// The documents in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = DocumentRef<'_>> + '_ {
        (0..self.len()).map(|d| self.at(d))
    }

    /// Each document's label, in order.
    pub fn labels(&self) -> impl ExactSizeIterator<Item = Option<&str>> + '_ {
        self.labels
            .iter()
            .map(|&n| (n > 0).then(|| self.label_names[n as usize - 1].as_str()))
    }

    /// Document `d`'s time, when it has one.
    pub fn time(&self, d: usize) -> Option<Timestamp> {
        self.times
            .get(d)
            .and_then(|&t| (t != NO_TIME).then(|| Timestamp::from_unix(t)).flatten())
    }

    /// Whether some document has a time.
    pub fn has_times(&self) -> bool {
        !self.times.is_empty()
    }

    /// Whether some document has a label.
    pub fn has_labels(&self) -> bool {
        !self.label_names.is_empty()
    }

    /// Frees spare capacity, once no more documents will be added.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.titled.shrink_to_fit();
        self.labels.shrink_to_fit();
        self.times.shrink_to_fit();
    }
}

impl PartialEq for Documents {
    fn eq(&self, other: &Documents) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Documents {}

impl<'a> FromIterator<DocumentRef<'a>> for Documents {
    fn from_iter<I: IntoIterator<Item = DocumentRef<'a>>>(docs: I) -> Documents {
        let mut documents = Documents::new();
        documents.extend(docs);
        documents
    }
}

impl<'a> Extend<DocumentRef<'a>> for Documents {
    fn extend<I: IntoIterator<Item = DocumentRef<'a>>>(&mut self, docs: I) {
        for doc in docs {
            self.push_ref(doc);
        }
    }
}

impl FromIterator<DocumentInfo> for Documents {
    fn from_iter<I: IntoIterator<Item = DocumentInfo>>(docs: I) -> Documents {
        let mut documents = Documents::new();
        for doc in docs {
            documents.push_info(&doc);
        }
        documents
    }
}

/// Written as a list of [`DocumentInfo`] objects, as a `Vec<DocumentInfo>` would be.
impl Serialize for Documents {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Documents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Documents, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Documents;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of documents")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Documents, A::Error> {
                let mut documents = Documents::new();
                while let Some(doc) = seq.next_element::<DocumentInfo>()? {
                    documents.push_info(&doc);
                }
                documents.shrink_to_fit();
                Ok(documents)
            }
        }
        deserializer.deserialize_seq(Visit)
    }
}
