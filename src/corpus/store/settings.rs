//! What a store records in each commit's payload: its format, the analyzer, the next `seq`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::corpus::PhraseConfig;
use crate::text::{AnalyzerConfig, Flag};

/// The `format` of a store's commit payload.
pub const FORMAT: &str = "nmf-topics/store";
/// The store format this build reads and writes.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Settings {
    pub format: String,
    pub version: u32,
    pub analyzer: AnalyzerConfig,
    /// How phrases are found when the store is fitted; `None`: no phrases. A store with
    /// phrases indexes word positions. Absent (none) in stores saved before phrases existed.
    #[serde(default)]
    pub phrases: Option<PhraseConfig>,
    /// The `seq` of the next document added.
    pub next_seq: u64,
}

impl Settings {
    pub fn new(analyzer: AnalyzerConfig, phrases: Option<PhraseConfig>, next_seq: u64) -> Settings {
        Settings {
            format: FORMAT.into(),
            version: VERSION,
            analyzer,
            phrases,
            next_seq,
        }
    }

    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).expect("settings serialise")
    }

    pub fn from_payload(dir: &Path, payload: Option<&str>) -> Result<Settings, StoreError> {
        let not_ours = |why: &str| StoreError::NotAStore {
            dir: dir.into(),
            why: why.into(),
        };
        let payload =
            payload.ok_or_else(|| not_ours("it is a tantivy index without nmf-topics settings"))?;
        let value: serde_json::Value = serde_json::from_str(payload)
            .map_err(|_| not_ours("it is a tantivy index without nmf-topics settings"))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(not_ours(
                "it is a tantivy index without nmf-topics settings",
            ));
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == VERSION as u64 => {}
            found => {
                return Err(StoreError::Version {
                    dir: dir.into(),
                    found: found.map_or_else(|| "none".into(), |v| v.to_string()),
                })
            }
        }
        serde_json::from_value(value)
            .map_err(|e| not_ours(&format!("its settings do not parse ({e})")))
    }
}

/// The phrase settings of `stored` that `asked` changes, as `differences` says them.
pub(super) fn phrase_differences(
    stored: Option<&PhraseConfig>,
    asked: Option<&PhraseConfig>,
) -> Vec<String> {
    match (stored, asked) {
        (None, None) => Vec::new(),
        (Some(_), None) => vec!["--phrases: on in the store, off asked for".into()],
        (None, Some(_)) => vec!["--phrases: off in the store, on asked for".into()],
        (Some(a), Some(b)) => a
            .flags()
            .into_iter()
            .zip(b.flags())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| {
                format!(
                    "{}: {} in the store, {} asked for",
                    a.name(),
                    a.value(),
                    b.value()
                )
            })
            .collect(),
    }
}

/// The settings of `stored` that `asked` changes, as `name: stored → asked`.
pub(super) fn differences(stored: &AnalyzerConfig, asked: &AnalyzerConfig) -> Vec<String> {
    let mut out = Vec::new();
    let same_count = stored.extra_stopwords.len() == asked.extra_stopwords.len();
    if same_count && stored.extra_stopwords != asked.extra_stopwords {
        out.push("--stopwords: other extra words than the store's".into());
    }
    let stored_count = format!("{} extra words", stored.extra_stopwords.len());
    let asked_count = format!("{} extra words", asked.extra_stopwords.len());
    let lists = (
        Flag::Value("--stopwords", stored_count),
        Flag::Value("--stopwords", asked_count),
    );
    let flags = stored.flags().into_iter().zip(asked.flags());
    for (a, b) in flags.chain([lists]) {
        if a != b {
            out.push(format!(
                "{}: {} in the store, {} asked for",
                a.name(),
                a.value(),
                b.value()
            ));
        }
    }
    out
}
