//! Stage 5: a fitted model → what people and programs read.
//!
//! [`Report`] gathers the corpus figures, the parameters, the fit record, the topics (label,
//! share, top words) and each document's main topics. It is written as:
//!
//! - text for a terminal ([`Report::write_terminal`]);
//! - JSON ([`Report::write_json`]): one object, `"format": "nmf-topics/report"`, documented
//!   field by field in the README — a contract, so fields are only ever added;
//! - CSV of every document's topic weights ([`write_document_topics`]);
//! - one self-contained HTML page ([`Report::write_html`]): topic cards with bar charts, the
//!   shares, the divergence trace and a sortable, filterable table of the documents.
//!
//! [`Senses`] is what `senses` writes: the topics in which a word carries weight, and the
//! documents where each of them dominates.
//!
//! [`Transformed`] is what `transform` writes: new documents' topic weights under a saved
//! model, for a terminal, as JSON or as CSV.
//!
//! [`RankReport`] is what `rank` writes: for each K surveyed, the divergence, the quality
//! scores, the cophenetic correlation of the restarts' consensus and a suggested K with its
//! reason, as a table, as JSON (`"format": "nmf-topics/rank"`) or as an SVG plot of each figure
//! against K.
//!
//! A topic's words are ranked by weight p(word | topic), or by relevance ([`Ranking`]).
//!
//! With labels, a report gives each label's topic mix ([`LabelMix`]); with times, the topic
//! mix of each span of time ([`OverTime`], cut as [`TimeBins`] says): BERTopic's
//! `topics_per_class` and `topics_over_time`.
//!
//! Every report carries [`Quality`] scores: topic coherence (NPMI, UMass), diversity, and
//! agreement with document labels (NMI) when there are labels.
//!
//! Every number written is finite: the solver guarantees it and the writers round it. Text for
//! a terminal shows the corpus's control characters escaped ([`printable`]); JSON and CSV keep
//! them as they are.

mod csv;
mod explorer;
mod html;
mod intertopic;
mod json;
mod markup;
mod mix;
mod over_time;
mod plot;
mod printable;
pub mod quality;
mod rank;
mod relevance;
mod search;
mod senses;
mod snippet;
mod summary;
mod terminal;
mod transformed;

pub use self::csv::write_document_topics;
pub use explorer::{Explorer, ExplorerWord, EXPLORER_WORDS};
pub use intertopic::{jensen_shannon, principal_coordinates, topic_map, TopicMap};
pub use json::{FORMAT, VERSION};
pub use mix::{by_label, LabelMix, TopicMix};
pub use over_time::{OverTime, TimeBin, TimeBins, AUTO_BINS, AUTO_YEARS, MAX_BINS};
pub use printable::{printable, Printable};
pub use quality::Quality;
pub use rank::{
    suggest, RankParameters, RankReport, RankRow, RankSeconds, Suggestion, RANK_FORMAT,
    STABLE_MARGIN,
};
pub use relevance::Ranking;
pub use search::{Hit, SearchReport, SEARCH_FORMAT};
pub use senses::{
    find_word, PhraseUse, Sense, SenseDocument, SenseError, SenseOptions, Senses, SENSES_FORMAT,
};
pub(crate) use snippet::after_title;
pub use snippet::{snippet, snippet_joined, SNIPPET_CHARS};
pub use summary::{
    representative_documents, CorpusFigures, DocumentTopics, FitFigures, Parameters, Report,
    RepresentativeDocument, StageSeconds, Topic, TopicWeight, WordWeight, REPRESENTATIVE,
};
pub use terminal::thousands;
pub use transformed::{
    TopicLabel, Transformed, TransformedDocument, UnknownFigures, TRANSFORM_FORMAT,
};
