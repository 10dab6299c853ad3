//! Loading a corpus, as `fit` and `bench` do: read and count, or read a Matrix Market file.

use std::time::Instant;

use anyhow::Result;
use nmf_topics::corpus::{read_matrix_market, BagBuilder, BagOfWords, DocumentReader};
use nmf_topics::text::AnalyzerConfig;
use nmf_topics::Analyzer;

use super::options::{AnalyzerArgs, ReadArgs};
use super::progress;

/// Documents tokenised together (in parallel) before their counts are merged.
const BATCH_DOCUMENTS: usize = 4096;
/// Or fewer, once they hold this many bytes of text.
const BATCH_BYTES: usize = 16 << 20;

/// A loaded corpus and how the loading went.
pub struct Loaded {
    pub bag: BagOfWords,
    /// The analyzer's settings; `None` for a Matrix Market input.
    pub analyzer: Option<AnalyzerConfig>,
    pub seconds: f64,
    /// Bytes of text tokenised (0 for a Matrix Market input).
    pub text_bytes: u64,
}

pub fn load(read: &ReadArgs, analyzer: &AnalyzerArgs, show_progress: bool) -> Result<Loaded> {
    let started = Instant::now();
    if let Some((path, options)) = read.matrix_market()? {
        let bag = read_matrix_market(&path, &options)?;
        return Ok(Loaded {
            bag,
            analyzer: None,
            seconds: started.elapsed().as_secs_f64(),
            text_bytes: 0,
        });
    }
    let config = analyzer.config()?;
    let mut reader = DocumentReader::new(read.inputs(), read.options())?;
    let watch = reader.progress();
    let bar = progress::bar(show_progress, watch.total_bytes(), "reading", true);
    let mut builder = BagBuilder::new(Analyzer::new(config.clone())?);
    let mut batch = Vec::with_capacity(BATCH_DOCUMENTS);
    let (mut batch_bytes, mut text_bytes) = (0, 0u64);
    loop {
        let next = reader.next().transpose()?;
        if next.is_none() || batch.len() >= BATCH_DOCUMENTS || batch_bytes >= BATCH_BYTES {
            builder.add(std::mem::take(&mut batch));
            batch_bytes = 0;
            bar.set_position(watch.bytes());
        }
        match next {
            Some(doc) => {
                batch_bytes += doc.text.len();
                text_bytes += doc.text.len() as u64;
                batch.push(doc);
            }
            None => break,
        }
    }
    bar.finish_and_clear();
    for warning in reader.take_warnings() {
        eprintln!("warning: {warning}");
    }
    Ok(Loaded {
        bag: builder.finish(),
        analyzer: Some(config),
        seconds: started.elapsed().as_secs_f64(),
        text_bytes,
    })
}
