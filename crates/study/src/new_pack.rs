//! `lectern pack new`: a content pack made from one file (PDF, Word,
//! Markdown, HTML or text). The file's text becomes `document.txt`, with
//! its headings kept on lines of their own; the glossary is made
//! automatically; sentences with a full date become the dated events; no
//! synonyms are written.
//!
//! Nothing half-written is left behind: the pack is written into a hidden
//! folder beside `--out`, loaded back and checked there, and only then
//! renamed into place. An `--out` that holds anything is refused.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::content::extract::{self, Extracted};
use crate::content::{ContentError, Document, Pack};
use crate::study::autoglossary;
use crate::study::quizgen::Generator;
use crate::study::text::MONTHS;

/// What `pack new` was asked for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The teacher's file.
    pub file: PathBuf,
    /// The pack folder to create (absent or empty).
    pub out: PathBuf,
    /// The pack's title; the first heading or the file name otherwise.
    pub title: Option<String>,
    /// IANA time zone for "on this day"; UTC otherwise.
    pub time_zone: Option<String>,
}

/// What was made, for the summary `pack new` prints.
#[derive(Debug, Clone)]
pub struct Summary {
    pub title: String,
    pub format: &'static str,
    pub sentences: usize,
    pub passages: usize,
    /// Headings kept as section names.
    pub sections: usize,
    pub glossary_entries: usize,
    pub events: usize,
    /// Sentences naming only a year: not made into events (an event needs
    /// a day), but quiz generation uses their years.
    pub year_only_sentences: usize,
    /// Questions quiz generation can make from the pack.
    pub questions: usize,
    /// What was dropped or may need a look.
    pub notes: Vec<String>,
}

/// One event found in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundEvent {
    pub date: NaiveDate,
    /// The sentence that states it, verbatim.
    pub sentence: String,
}

/// Makes the pack `request.out` from `request.file`.
pub fn create(request: &Request) -> Result<Summary, ContentError> {
    let out = &request.out;
    let out_problem = |message: String| ContentError::new(out.display().to_string(), None, message);
    if out.exists() {
        let empty = out.is_dir()
            && std::fs::read_dir(out)
                .map_err(|error| out_problem(format!("cannot read the folder: {error}")))?
                .next()
                .is_none();
        if !empty {
            return Err(out_problem(
                "already exists and is not an empty folder: give a new folder for the pack".into(),
            ));
        }
    }
    if let Some(parent) = out.parent()
        && !parent.as_os_str().is_empty()
        && !parent.is_dir()
    {
        return Err(out_problem(format!(
            "cannot be made: the folder {} does not exist",
            parent.display()
        )));
    }
    let time_zone = request.time_zone.clone().unwrap_or_else(|| "UTC".into());
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        return Err(ContentError::new(
            "--time-zone",
            None,
            format!(
                "{time_zone:?} is not an IANA time zone (e.g. Europe/London, America/New_York, UTC)"
            ),
        ));
    }

    let extracted = extract::extract(&request.file)?;
    let document = Document::parse(&extracted.text);
    let title = match &request.title {
        Some(title) if !title.trim().is_empty() => title.trim().to_string(),
        _ => default_title(&request.file, &extracted),
    };
    let id = slug(
        &out.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    let source_name = request
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let glossary = autoglossary::build(&document);
    let events = dated_events(&document);
    let year_only_sentences = document
        .sentences()
        .iter()
        .filter(|s| full_dates(&s.text).is_empty() && names_a_year(&s.text))
        .count();

    let files = [
        ("pack.toml", manifest(&id, &title, &time_zone, &source_name)),
        ("document.txt", extracted.text.clone()),
        (
            "glossary.toml",
            glossary.to_toml(&format!(
                "Glossary of {title:?}, made automatically by `lectern pack new` from {source_name}.\n\
                 Check each list, move or delete what is wrong, add what is missing.\n\
                 Every entry must occur in the document. Quiz generation gives an\n\
                 answer of one kind wrong choices of the same kind.\n"
            )),
        ),
        ("events.tsv", events_tsv(&events)),
    ];

    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let staging = parent.join(format!(".{id}.lectern-partial-{}", std::process::id()));
    let written = write_and_check(&staging, &files);
    let pack = match written {
        Ok(pack) => pack,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(error);
        }
    };
    let questions = Generator::new(&pack).pool(1).len();
    // An empty --out is replaced by the staged folder.
    if out.is_dir() {
        let _ = std::fs::remove_dir(out);
    }
    if let Err(error) = std::fs::rename(&staging, out) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(out_problem(format!(
            "cannot create the pack folder: {error}"
        )));
    }

    let mut notes = extracted.notes.clone();
    if extracted.headings.is_empty() && extracted.format != extract::Format::Text {
        notes.push("no headings were found: the document is one section".into());
    }
    if events.is_empty() {
        notes.push(
            "no sentence names a full date (e.g. 12 March 1917): `onthisday` has nothing to post"
                .into(),
        );
    }
    if questions == 0 {
        notes.push("no quiz questions could be generated from this text".into());
    }
    Ok(Summary {
        title,
        format: extracted.format.name(),
        sentences: pack.document.sentences().len(),
        passages: pack.document.passages().len(),
        sections: extracted.headings.len(),
        glossary_entries: pack.glossary.entries.len(),
        events: pack.events.len(),
        year_only_sentences,
        questions,
        notes,
    })
}

/// Writes `files` into a new `folder` and loads it back as a pack.
fn write_and_check(folder: &Path, files: &[(&str, String)]) -> Result<Pack, ContentError> {
    let folder_problem = |error: std::io::Error| {
        ContentError::new(
            folder.display().to_string(),
            None,
            format!("cannot write the pack: {error}"),
        )
    };
    std::fs::create_dir(folder).map_err(folder_problem)?;
    for (name, text) in files {
        std::fs::write(folder.join(name), text).map_err(folder_problem)?;
    }
    Pack::load(folder).map_err(|errors| {
        ContentError::new(
            folder.display().to_string(),
            None,
            format!("the pack made does not load, which is a bug in Lectern:\n{errors}"),
        )
    })
}

/// The first heading when the document opens with one, else the file's
/// name without its extension.
fn default_title(file: &Path, extracted: &Extracted) -> String {
    let opens_with_heading = extracted
        .headings
        .first()
        .is_some_and(|heading| extracted.text.starts_with(heading.as_str()));
    match extracted.headings.first() {
        Some(heading) if opens_with_heading => heading.clone(),
        _ => file
            .file_stem()
            .map(|stem| stem.to_string_lossy().replace(['_', '-'], " "))
            .filter(|stem| !stem.trim().is_empty())
            .unwrap_or_else(|| "My document".into()),
    }
}

/// A folder name as a pack id: lowercase letters, digits and dashes.
fn slug(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        "pack".into()
    } else {
        slug.to_string()
    }
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn manifest(id: &str, title: &str, time_zone: &str, source_name: &str) -> String {
    format!(
        "# Made by `lectern pack new` from {source_name}. Edit freely; check with\n\
         # `lectern content check <this folder>`.\n\
         id = {}\ntitle = {}\nlanguage = \"en\"\ntime_zone = {}\n\n[source]\ntitle = {}\nnote = {}\n",
        toml_string(id),
        toml_string(title),
        toml_string(time_zone),
        toml_string(title),
        toml_string(&format!("made from {source_name}")),
    )
}

/// `events.tsv`: one row per full date a sentence names.
fn events_tsv(events: &[FoundEvent]) -> String {
    let mut tsv = String::from("date\ttitle\tdescription\n");
    for event in events {
        let sentence = event.sentence.replace(['\t', '\n', '\r'], " ");
        tsv.push_str(&format!(
            "{}\t{}\t{}\n",
            event.date.format("%Y-%m-%d"),
            headline(&sentence),
            sentence
        ));
    }
    tsv
}

/// A sentence shortened to a title: at most 12 words, without its final
/// full stop.
fn headline(sentence: &str) -> String {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let mut title = words[..words.len().min(12)].join(" ");
    if words.len() > 12 {
        title = title.trim_end_matches([',', ';', ':']).to_string();
        title.push('…');
    } else {
        title = title.trim_end_matches('.').to_string();
    }
    title
}

/// The events of `document`: every full date a sentence names, in order.
pub fn dated_events(document: &Document) -> Vec<FoundEvent> {
    let mut events = Vec::new();
    for sentence in document.sentences() {
        for date in full_dates(&sentence.text) {
            events.push(FoundEvent {
                date,
                sentence: sentence.text.clone(),
            });
        }
    }
    events
}

/// The words of `text`, lowercase, with their ordinal endings ("12th")
/// and surrounding punctuation dropped; a comma after a word is kept as
/// its own word so "March 12, 1917" and "March 12 1917" both read.
fn date_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for raw in text.split_whitespace() {
        let comma = raw
            .trim_end_matches(['.', ';', ':', ')', '"', '\''])
            .ends_with(',');
        let word = raw
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        let ordinal = ["st", "nd", "rd", "th"]
            .iter()
            .find_map(|ending| word.strip_suffix(ending))
            .filter(|day| !day.is_empty() && day.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_string);
        let word = ordinal.unwrap_or(word);
        if !word.is_empty() {
            words.push(word);
        }
        if comma {
            words.push(",".into());
        }
    }
    words
}

fn month(word: &str) -> Option<u32> {
    MONTHS
        .iter()
        .position(|m| {
            *m == word
                || (word.len() == 3 && m.starts_with(word))
                || (word == "sept" && *m == "september")
        })
        .map(|i| i as u32 + 1)
}

fn day(word: &str) -> Option<u32> {
    (word.len() <= 2)
        .then(|| word.parse::<u32>().ok())
        .flatten()
        .filter(|d| (1..=31).contains(d))
}

fn year(word: &str) -> Option<i32> {
    (word.len() <= 4 && word.chars().all(|c| c.is_ascii_digit()))
        .then(|| word.parse::<i32>().ok())
        .flatten()
        .filter(|y| *y >= 1)
}

/// Every full date in `text`: "12 March 1917", "12th of March, 1917",
/// "March 12, 1917". A date that does not exist (30 February) is skipped.
pub fn full_dates(text: &str) -> Vec<NaiveDate> {
    let words = date_words(text);
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let mut dates = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut found = None;
        // 12 March 1917 / 12 of March, 1917
        if let Some(d) = day(word(i)) {
            let mut j = i + 1;
            if word(j) == "of" {
                j += 1;
            }
            if let Some(m) = month(word(j)) {
                let mut k = j + 1;
                if word(k) == "," {
                    k += 1;
                }
                if let Some(y) = year(word(k)) {
                    found = Some((NaiveDate::from_ymd_opt(y, m, d), k + 1));
                }
            }
        }
        // March 12, 1917
        if found.is_none()
            && let Some(m) = month(word(i))
            && let Some(d) = day(word(i + 1))
        {
            let mut k = i + 2;
            if word(k) == "," {
                k += 1;
            }
            if let Some(y) = year(word(k)) {
                found = Some((NaiveDate::from_ymd_opt(y, m, d), k + 1));
            }
        }
        match found {
            Some((date, next)) => {
                if let Some(date) = date
                    && !dates.contains(&date)
                {
                    dates.push(date);
                }
                i = next;
            }
            None => i += 1,
        }
    }
    dates
}

/// Whether `text` names a year: a number from 1000 to 2099 standing alone,
/// or "AD n" / "n BC".
fn names_a_year(text: &str) -> bool {
    let words = date_words(text);
    words.iter().enumerate().any(|(i, w)| {
        let four = w.len() == 4
            && w.chars().all(|c| c.is_ascii_digit())
            && w.parse::<u32>().is_ok_and(|y| (1000..2100).contains(&y));
        let era = year(w).is_some()
            && (i > 0 && words[i - 1] == "ad" || words.get(i + 1).is_some_and(|n| n == "bc"));
        four || era
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_dates_are_read_in_both_orders_and_years_alone_are_not() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            full_dates("On 18 May 1980 Mount St Helens erupted."),
            vec![date(1980, 5, 18)]
        );
        assert_eq!(
            full_dates("The strike began on March 8, 1917, in Petrograd."),
            vec![date(1917, 3, 8)]
        );
        assert_eq!(
            full_dates("On the 12th of March 1917 and on 3 Apr 1922."),
            vec![date(1917, 3, 12), date(1922, 4, 3)]
        );
        assert!(full_dates("In 1815 Mount Tambora erupted.").is_empty());
        assert!(full_dates("It was 30 February 1900.").is_empty());
        assert!(full_dates("He may 12 times have tried in 1900.").is_empty());
        assert!(names_a_year("In 1815 Mount Tambora erupted."));
        assert!(names_a_year("In AD 79 Mount Vesuvius erupted."));
        assert!(!names_a_year("There are around 1,350 volcanoes."));
    }

    #[test]
    fn an_event_title_is_the_sentence_shortened() {
        assert_eq!(
            headline("On 18 May 1980 Mount St Helens erupted."),
            "On 18 May 1980 Mount St Helens erupted"
        );
        assert_eq!(
            headline(
                "On 18 May 1980 Mount St Helens in Washington State, USA, erupted after weeks of small earthquakes."
            ),
            "On 18 May 1980 Mount St Helens in Washington State, USA, erupted…"
        );
    }

    const NOTES: &str = "# The Potteries

Josiah Wedgwood was born in Burslem in 1730. He founded his pottery works at Etruria, near Stoke, on 13 June 1769. Wedgwood made creamware, a cream-coloured earthenware, for Queen Charlotte.

## Canals

The Trent and Mersey Canal opened in 1777. Wedgwood cut the first sod of the canal on July 26, 1766, and it carried clay to the Potteries and finished ware away from them.
";

    fn request(dir: &Path, out: &str) -> Request {
        let file = dir.join("potteries.md");
        std::fs::write(&file, NOTES).unwrap();
        Request {
            file,
            out: dir.join(out),
            title: None,
            time_zone: Some("Europe/London".into()),
        }
    }

    #[test]
    fn a_pack_is_made_from_a_markdown_file_and_loads() {
        let dir = tempfile::tempdir().unwrap();
        let summary = create(&request(dir.path(), "potteries")).unwrap();
        assert_eq!(summary.title, "The Potteries");
        assert_eq!(summary.sections, 2);
        assert_eq!(summary.events, 2);
        assert_eq!(summary.year_only_sentences, 2);
        assert!(summary.glossary_entries > 0, "{summary:?}");
        assert!(summary.questions > 0, "{summary:?}");
        let pack = Pack::load(&dir.path().join("potteries")).unwrap();
        assert_eq!(pack.manifest.id, "potteries");
        assert_eq!(pack.manifest.time_zone, "Europe/London");
        assert_eq!(summary.sentences, pack.document.sentences().len());
        assert_eq!(pack.document.sentences()[0].text, "The Potteries");
        let dates: Vec<String> = pack.events.iter().map(|e| e.date.to_string()).collect();
        assert_eq!(dates, ["1769-06-13", "1766-07-26"]);
        assert!(pack.synonyms.is_empty());
        assert!(!dir.path().join("potteries/synonyms.txt").exists());
        // Only the pack: nothing staged is left beside it.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_folder_that_holds_anything_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("taken");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("keep.txt"), "mine").unwrap();
        let error = create(&request(dir.path(), "taken")).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: already exists and is not an empty folder: give a new folder for the pack",
                out.display()
            )
        );
        assert_eq!(
            std::fs::read_to_string(out.join("keep.txt")).unwrap(),
            "mine"
        );
        // An empty folder is fine.
        std::fs::create_dir(dir.path().join("empty")).unwrap();
        assert!(create(&request(dir.path(), "empty")).is_ok());
    }

    #[test]
    fn a_bad_time_zone_or_file_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut bad_zone = request(dir.path(), "pack");
        bad_zone.time_zone = Some("Mars/Olympus".into());
        let error = create(&bad_zone).unwrap_err().to_string();
        assert!(
            error.contains("\"Mars/Olympus\" is not an IANA time zone"),
            "{error}"
        );
        let mut missing = request(dir.path(), "pack");
        missing.file = dir.path().join("nothing.pdf");
        let error = create(&missing).unwrap_err().to_string();
        assert!(error.ends_with("nothing.pdf: does not exist"), "{error}");
        assert!(!dir.path().join("pack").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
