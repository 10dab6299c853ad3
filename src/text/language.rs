//! The languages of the Snowball project: a stopword list (when one exists) and a stemmer.

use std::fmt;
use std::str::FromStr;

use rust_stemmers::Algorithm;
use serde::{Deserialize, Serialize};

macro_rules! languages {
    ($($variant:ident, $name:literal, $algorithm:ident, $stopwords:expr;)*) => {
        /// A language: picks the stopword list and the stemmer.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Language {
            $(
                #[doc = concat!("Snowball ", $name, ".")]
                $variant,
            )*
        }

        impl Language {
            /// Every language, in alphabetical order.
            pub const ALL: &'static [Language] = &[$(Language::$variant),*];

            /// The lower-case English name, as on the command line (`english`).
            pub fn name(self) -> &'static str {
                match self { $(Language::$variant => $name),* }
            }

            /// The Snowball stopword list compiled in from `stopwords/`, one word a line;
            /// `None` for a language the Snowball project has no list for.
            pub fn stopword_list(self) -> Option<&'static str> {
                match self { $(Language::$variant => $stopwords),* }
            }

            pub(crate) fn algorithm(self) -> Algorithm {
                match self { $(Language::$variant => Algorithm::$algorithm),* }
            }
        }
    };
}

languages! {
    Arabic, "arabic", Arabic, None;
    Danish, "danish", Danish, Some(include_str!("../../stopwords/danish.txt"));
    Dutch, "dutch", Dutch, Some(include_str!("../../stopwords/dutch.txt"));
    English, "english", English, Some(include_str!("../../stopwords/english.txt"));
    Finnish, "finnish", Finnish, Some(include_str!("../../stopwords/finnish.txt"));
    French, "french", French, Some(include_str!("../../stopwords/french.txt"));
    German, "german", German, Some(include_str!("../../stopwords/german.txt"));
    Greek, "greek", Greek, None;
    Hungarian, "hungarian", Hungarian, Some(include_str!("../../stopwords/hungarian.txt"));
    Italian, "italian", Italian, Some(include_str!("../../stopwords/italian.txt"));
    Norwegian, "norwegian", Norwegian, Some(include_str!("../../stopwords/norwegian.txt"));
    Portuguese, "portuguese", Portuguese, Some(include_str!("../../stopwords/portuguese.txt"));
    Romanian, "romanian", Romanian, Some(include_str!("../../stopwords/romanian.txt"));
    Russian, "russian", Russian, Some(include_str!("../../stopwords/russian.txt"));
    Spanish, "spanish", Spanish, Some(include_str!("../../stopwords/spanish.txt"));
    Swedish, "swedish", Swedish, Some(include_str!("../../stopwords/swedish.txt"));
    Tamil, "tamil", Tamil, None;
    Turkish, "turkish", Turkish, None;
}

/// What a language joins to a word with an apostrophe, to be cut off before counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clitics {
    /// Nothing is cut.
    None,
    /// A trailing possessive `'s`: "KDE's" counts as "kde".
    Possessive,
    /// A leading elided word, one of these: "l'homme" counts as "homme".
    Elided(&'static [&'static str]),
}

impl Language {
    /// Its clitics. Only the languages whose elided forms are a closed set of short words are
    /// cut: Dutch "auto's" is a plural and Norwegian "kl." an abbreviation, so they stay.
    pub(crate) fn clitics(self) -> Clitics {
        match self {
            Language::English => Clitics::Possessive,
            // le/la, de, je, me, te, se, ne, que, ce and the conjunctions ending in "que".
            Language::French => Clitics::Elided(&[
                "c", "d", "j", "jusqu", "l", "lorsqu", "m", "n", "puisqu", "qu", "quoiqu", "s", "t",
            ]),
            // Articles and articulated prepositions before a vowel, "una", the pronouns and
            // "di"; "quell'", "quest'", "bell'", "sant'" too, which are as closed.
            Language::Italian => Clitics::Elided(&[
                "all", "bell", "c", "coll", "d", "dall", "dell", "gl", "l", "m", "nell", "pell",
                "quell", "quest", "s", "sant", "sull", "t", "un", "v",
            ]),
            _ => Clitics::None,
        }
    }
}

impl Default for Language {
    /// English.
    fn default() -> Self {
        Language::English
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Language {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_lowercase();
        Language::ALL
            .iter()
            .copied()
            .find(|l| l.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Language::ALL.iter().map(|l| l.name()).collect();
                format!(
                    "unknown language '{s}'; choose one of: {}",
                    names.join(", ")
                )
            })
    }
}
