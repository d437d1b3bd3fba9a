//! Content packs: reading a pack from disk (or the one bundled in the
//! binary) and validating every file of it.
//!
//! A pack is a folder of plain files a teacher can edit:
//!
//! | file            | what it holds                                       |
//! |-----------------|-----------------------------------------------------|
//! | `pack.toml`     | the manifest: title, language, source, time zone    |
//! | `document.txt`  | the study text, as given                            |
//! | `events.tsv`    | dated events for "on this day" (optional)           |
//! | `questions.toml`| the hand-written question bank (optional)           |
//! | `synonyms.txt`  | related terms that help `/ask` (optional)           |
//! | `glossary.toml` | people, places, groups, terms (quiz generation)     |
//! | `questions/*.toml` | imported banks (`lectern import --into`)         |
//!
//! This module only reads and checks data. It does no I/O beyond reading
//! the pack's files, and every problem it finds names the file, the line and
//! what is wrong.

pub mod document;
pub mod error;
pub mod events;
pub mod extract;
pub mod files;
pub mod glossary;
pub mod import;
pub mod question;
pub mod synonyms;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use document::{Document, Passage, Sentence};
pub use error::{ContentError, ContentErrors};
pub use events::DatedEvent;
pub use question::{Question, QuestionOrigin};

/// The pack bundled into the binary, so `lectern` works from any directory.
const BUNDLED: &[(&str, &str)] = &[
    (
        "pack.toml",
        include_str!("../../../../content/ussr/pack.toml"),
    ),
    (
        "document.txt",
        include_str!("../../../../content/ussr/document.txt"),
    ),
    (
        "events.tsv",
        include_str!("../../../../content/ussr/events.tsv"),
    ),
    (
        "questions.toml",
        include_str!("../../../../content/ussr/questions.toml"),
    ),
    (
        "synonyms.txt",
        include_str!("../../../../content/ussr/synonyms.txt"),
    ),
    (
        "glossary.toml",
        include_str!("../../../../content/ussr/glossary.toml"),
    ),
];

/// The manifest, `pack.toml`.
///
/// A teacher's minimal manifest is enough: `name = "..."` (or `title`) and
/// optionally `document = "file.txt"`; the id then comes from the folder
/// name, the language is English, the time zone UTC and the source the title.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Short machine name, e.g. `ussr`.
    pub id: String,
    pub title: String,
    /// BCP 47 language tag of the document, e.g. `en`.
    pub language: String,
    /// IANA time zone used for scopes that have not chosen one.
    pub time_zone: String,
    pub description: Option<String>,
    pub source: SourceInfo,
    pub files: PackFiles,
}

/// `pack.toml` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    id: Option<String>,
    #[serde(default, alias = "name")]
    title: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    source: Option<SourceInfo>,
    /// Shorthand for `[files] document`.
    #[serde(default)]
    document: Option<String>,
    #[serde(default)]
    files: Option<PackFiles>,
}

impl RawManifest {
    /// Fills in what a minimal manifest leaves out. `folder` names the id.
    fn complete(self, folder: &str) -> Result<Manifest, String> {
        let title = self
            .title
            .ok_or("the manifest needs a title (title = \"...\" or name = \"...\")")?;
        let id = self.id.unwrap_or_else(|| {
            let slug: String = folder
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            if slug.trim_matches('-').is_empty() {
                "pack".into()
            } else {
                slug.trim_matches('-').to_string()
            }
        });
        let mut files = self.files.unwrap_or_default();
        if let Some(document) = self.document {
            files.document = document;
        }
        Ok(Manifest {
            id,
            source: self.source.unwrap_or_else(|| SourceInfo {
                title: title.clone(),
                author: None,
                url: None,
                license: None,
                note: None,
            }),
            title,
            language: self.language.unwrap_or_else(|| "en".into()),
            time_zone: self.time_zone.unwrap_or_else(|| "UTC".into()),
            description: self.description,
            files,
        })
    }
}

/// Where the document comes from, shown to users for attribution.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceInfo {
    pub title: String,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub license: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The file names of a pack's parts, relative to the pack folder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PackFiles {
    pub document: String,
    pub events: Option<String>,
    pub questions: Vec<String>,
    pub synonyms: Option<String>,
    pub glossary: Option<String>,
}

impl Default for PackFiles {
    fn default() -> Self {
        Self {
            document: "document.txt".into(),
            events: Some("events.tsv".into()),
            questions: vec!["questions.toml".into()],
            synonyms: Some("synonyms.txt".into()),
            glossary: Some("glossary.toml".into()),
        }
    }
}

/// A loaded, validated content pack.
#[derive(Debug, Clone)]
pub struct Pack {
    pub manifest: Manifest,
    pub document: Document,
    pub events: Vec<DatedEvent>,
    pub questions: Vec<Question>,
    pub synonyms: Vec<Vec<String>>,
    pub glossary: glossary::Glossary,
    /// Where it was loaded from: a folder, or "bundled".
    pub location: String,
}

enum Source<'a> {
    Bundled,
    Folder(&'a Path),
}

impl Source<'_> {
    /// Files with extension `ext` in a sub-folder, as relative names, sorted.
    fn list(&self, folder: &str, ext: &str) -> Vec<String> {
        let Source::Folder(dir) = self else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(dir.join(folder)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == ext))
            .filter_map(|path| {
                path.file_name()
                    .map(|n| format!("{folder}/{}", n.to_string_lossy()))
            })
            .collect();
        names.sort();
        names
    }

    /// How a file is named in error messages.
    fn display(&self, name: &str) -> String {
        match self {
            Source::Bundled => format!("content/ussr/{name} (bundled)"),
            Source::Folder(dir) => dir.join(name).display().to_string(),
        }
    }

    /// Reads a file of at most `cap` bytes, confined to the pack folder;
    /// `Ok(None)` when it does not exist.
    fn read(&self, name: &str, cap: u64) -> Result<Option<String>, ContentError> {
        match self {
            Source::Bundled => Ok(BUNDLED
                .iter()
                .find(|(file, _)| *file == name)
                .map(|(_, text)| (*text).to_string())),
            Source::Folder(dir) => files::read_in_pack(dir, name, cap),
        }
    }

    /// Like [`Source::read`], but a file that cannot be read is recorded in
    /// `errors` and loading goes on, so one bad file hides no other problem.
    fn read_or_note(&self, name: &str, cap: u64, errors: &mut Vec<ContentError>) -> Option<String> {
        self.read(name, cap).unwrap_or_else(|error| {
            errors.push(error);
            None
        })
    }
}

impl Pack {
    /// The pack compiled into the binary (`content/ussr`).
    pub fn bundled() -> Result<Self, ContentErrors> {
        Self::load_from(&Source::Bundled, "bundled")
    }

    /// Loads and validates the pack in `dir`.
    pub fn load(dir: &Path) -> Result<Self, ContentErrors> {
        if !dir.is_dir() {
            return Err(ContentError::new(
                dir.display().to_string(),
                None,
                "is not a folder (a content pack is a folder holding pack.toml)",
            )
            .into());
        }
        Self::load_from(&Source::Folder(dir), &dir.display().to_string())
    }

    /// Loads `dir` when given, the bundled pack otherwise.
    pub fn load_or_bundled(dir: Option<&PathBuf>) -> Result<Self, ContentErrors> {
        match dir {
            Some(dir) => Self::load(dir),
            None => Self::bundled(),
        }
    }

    fn load_from(source: &Source<'_>, location: &str) -> Result<Self, ContentErrors> {
        let mut errors = Vec::new();
        let manifest_name = "pack.toml";
        let manifest_file = source.display(manifest_name);
        let manifest_text = source
            .read(manifest_name, files::MAX_FILE_BYTES)?
            .ok_or_else(|| {
                ContentError::new(
                    &manifest_file,
                    None,
                    "missing: every pack needs a pack.toml manifest",
                )
            })?;
        let raw: RawManifest = toml::from_str(&manifest_text)
            .map_err(|e| error::toml_error(&manifest_file, &manifest_text, &e))?;
        let folder = match source {
            Source::Bundled => "ussr".to_string(),
            Source::Folder(dir) => dir
                .canonicalize()
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_string()))
                .unwrap_or_else(|| "pack".into()),
        };
        let manifest = raw
            .complete(&folder)
            .map_err(|problem| ContentError::new(&manifest_file, None, problem))?;
        if manifest.time_zone.parse::<chrono_tz::Tz>().is_err() {
            let line = manifest_text
                .lines()
                .position(|l| l.trim_start().starts_with("time_zone"))
                .map(|i| i + 1);
            errors.push(ContentError::new(
                &manifest_file,
                line,
                format!(
                    "{:?} is not an IANA time zone (e.g. Europe/London, America/New_York, UTC)",
                    manifest.time_zone
                ),
            ));
        }

        let files = manifest.files.clone();
        let document_file = source.display(&files.document);
        let document_read = source.read(&files.document, files::MAX_DOCUMENT_BYTES);
        let document = match document_read {
            Ok(Some(text)) if !text.trim().is_empty() => Document::parse(&text),
            Err(error) => {
                errors.push(error);
                Document::parse("")
            }
            Ok(Some(_)) => {
                errors.push(ContentError::new(
                    &document_file,
                    None,
                    "the document is empty",
                ));
                Document::parse("")
            }
            Ok(None) => {
                errors.push(ContentError::new(
                    &document_file,
                    None,
                    "missing: the pack's document",
                ));
                Document::parse("")
            }
        };

        let mut events = Vec::new();
        if let Some(name) = &files.events
            && let Some(text) = source.read_or_note(name, files::MAX_FILE_BYTES, &mut errors)
        {
            let (parsed, found) = events::parse_events(&source.display(name), &text);
            events = parsed;
            errors.extend(found);
        }

        let mut questions = Vec::new();
        let mut seen_ids = HashMap::new();
        for name in &files.questions {
            match source.read(name, files::MAX_FILE_BYTES) {
                Ok(Some(text)) => {
                    let (parsed, found) = question::parse_bank(
                        &source.display(name),
                        &text,
                        &document,
                        &mut seen_ids,
                    );
                    questions.extend(parsed);
                    errors.extend(found);
                }
                Err(error) => errors.push(error),
                Ok(None) if name == "questions.toml" => {}
                Ok(None) => {
                    errors.push(ContentError::new(
                        &manifest_file,
                        None,
                        format!("the question bank {name} named in [files] does not exist"),
                    ));
                }
            }
        }

        // Banks imported with `lectern import --into` live in questions/.
        for name in source.list("questions", "toml") {
            if let Some(text) = source.read_or_note(&name, files::MAX_FILE_BYTES, &mut errors) {
                let (parsed, found) =
                    question::parse_bank(&source.display(&name), &text, &document, &mut seen_ids);
                questions.extend(parsed);
                errors.extend(found);
            }
        }

        let mut synonyms = Vec::new();
        if let Some(name) = &files.synonyms
            && let Some(text) = source.read_or_note(name, files::MAX_FILE_BYTES, &mut errors)
        {
            let (parsed, found) = synonyms::parse_synonyms(&source.display(name), &text);
            synonyms = parsed;
            errors.extend(found);
        }

        let mut glossary = glossary::Glossary::default();
        if let Some(name) = &files.glossary
            && let Some(text) = source.read_or_note(name, files::MAX_FILE_BYTES, &mut errors)
        {
            let (parsed, found) = glossary::parse_glossary(&source.display(name), &text, &document);
            glossary = parsed;
            errors.extend(found);
        }

        if errors.is_empty() {
            Ok(Self {
                manifest,
                document,
                events,
                questions,
                synonyms,
                glossary,
                location: location.to_string(),
            })
        } else {
            Err(ContentErrors(errors))
        }
    }

    /// The pack's default time zone (validated at load).
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.manifest.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// One-line attribution for the document.
    pub fn attribution(&self) -> String {
        let source = &self.manifest.source;
        let mut parts = vec![source.title.clone()];
        if let Some(author) = &source.author {
            parts.push(format!("by {author}"));
        }
        if let Some(license) = &source.license {
            parts.push(format!("({license})"));
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_pack_loads_and_matches_the_seed() {
        let pack = Pack::bundled().expect("bundled pack is valid");
        assert_eq!(pack.manifest.id, "ussr");
        assert!(pack.document.sentences().len() >= 30);
        assert!(pack.events.len() >= 90);
        assert!(pack.questions.len() >= 20);
        assert!(pack.questions.iter().all(|q| q.source_sentence.is_some()));
        assert!(pack.events.iter().all(|e| e.source.is_some()));
    }

    #[test]
    fn a_minimal_manifest_with_a_name_and_a_document_loads() {
        let dir = std::env::temp_dir().join(format!("lectern-minimal-{}", std::process::id()));
        let folder = dir.join("Potteries Notes");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("pack.toml"),
            "name = \"The Potteries\"\ndocument = \"notes.txt\"\n",
        )
        .unwrap();
        std::fs::write(folder.join("notes.txt"), "Wedgwood was born in Burslem.").unwrap();
        let pack = Pack::load(&folder).expect("loads");
        assert_eq!(pack.manifest.title, "The Potteries");
        assert_eq!(pack.manifest.id, "potteries-notes");
        assert_eq!(pack.manifest.time_zone, "UTC");
        assert_eq!(pack.document.sentences().len(), 1);
        std::fs::write(folder.join("pack.toml"), "document = \"notes.txt\"\n").unwrap();
        let error = Pack::load(&folder).unwrap_err().to_string();
        assert!(error.contains("the manifest needs a title"), "{error}");
        std::fs::write(folder.join("pack.toml"), "name = \"x\"\ntitel = \"y\"\n").unwrap();
        let error = Pack::load(&folder).unwrap_err().to_string();
        assert!(error.contains("titel"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A pack folder holding `pack.toml` (with `manifest` after the name)
    /// and a one-sentence document.
    fn pack_with(manifest: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pack.toml"),
            format!("name = \"Probe\"\n{manifest}"),
        )
        .unwrap();
        std::fs::write(dir.path().join("document.txt"), "Trotsky led the Red Army.").unwrap();
        dir
    }

    /// Loads on another thread, so a load that blocks fails the test
    /// instead of hanging it.
    fn load_within_seconds(dir: &Path) -> Result<Pack, ContentErrors> {
        let dir = dir.to_path_buf();
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(Pack::load(&dir));
        });
        receive
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("loading the pack blocked")
    }

    #[test]
    fn finding_4_pack_files_outside_the_pack_folder_are_refused() {
        for (manifest, named) in [
            ("document = \"/proc/self/environ\"\n", "/proc/self/environ"),
            ("[files]\nsynonyms = \"/dev/zero\"\n", "/dev/zero"),
            (
                "[files]\nevents = \"../../../../../../etc/passwd\"\n",
                "etc/passwd",
            ),
        ] {
            let dir = pack_with(manifest);
            let error = load_within_seconds(dir.path()).unwrap_err().to_string();
            assert!(
                error.contains(named)
                    && error.contains("is outside the pack folder (a pack may only name files inside its own folder)"),
                "{manifest}: {error}"
            );
            assert!(!error.contains("PATH="), "{error}");
        }
    }

    #[test]
    fn finding_4_a_link_out_of_the_pack_folder_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(
            outside.path().join("secret.txt"),
            "SECRET=hunter2. The end.",
        )
        .unwrap();
        let dir = pack_with("document = \"notes.txt\"\n");
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            dir.path().join("notes.txt"),
        )
        .unwrap();
        let error = load_within_seconds(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("notes.txt: is outside the pack folder"),
            "{error}"
        );
        // A link that stays inside the folder is fine.
        std::fs::write(dir.path().join("real.txt"), "Lenin led the party.").unwrap();
        std::fs::remove_file(dir.path().join("notes.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("real.txt"), dir.path().join("notes.txt"))
            .unwrap();
        let pack = load_within_seconds(dir.path()).unwrap();
        assert_eq!(pack.document.sentences().len(), 1);
    }

    #[test]
    fn finding_4_a_fifo_in_questions_is_refused_without_blocking() {
        let dir = pack_with("");
        std::fs::create_dir(dir.path().join("questions")).unwrap();
        let fifo = dir.path().join("questions/pipe.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let error = load_within_seconds(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("pipe.toml: is not a regular file (a pipe, device or socket); only plain text files are read"),
            "{error}"
        );
    }

    #[test]
    fn finding_19_a_file_that_cannot_be_read_hides_no_other_problem() {
        let dir = pack_with("");
        std::fs::create_dir(dir.path().join("events.tsv")).unwrap();
        std::fs::write(dir.path().join("questions.toml"), "[[question]]\nid = 1\n").unwrap();
        let error = load_within_seconds(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("events.tsv: is a folder; only plain text files are read"),
            "{error}"
        );
        assert!(error.contains("questions.toml:"), "{error}");
    }

    #[test]
    fn finding_19_a_byte_order_mark_is_dropped_from_pack_files() {
        let dir = pack_with("");
        std::fs::write(dir.path().join("pack.toml"), "\u{feff}name = \"Probe\"\n").unwrap();
        std::fs::write(
            dir.path().join("document.txt"),
            "\u{feff}Trotsky led the Red Army.",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("questions.toml"),
            "\u{feff}[[question]]\nid = \"q\"\nquestion = \"Who led the Red Army?\"\nanswer = \"Trotsky\"\n",
        )
        .unwrap();
        let pack = load_within_seconds(dir.path()).unwrap();
        assert_eq!(
            pack.document.sentences()[0].text,
            "Trotsky led the Red Army."
        );
        assert_eq!(pack.questions[0].prompt, "Who led the Red Army?");
    }

    #[test]
    fn finding_15_a_document_over_the_cap_is_refused_with_the_reason() {
        let dir = pack_with("");
        let sentence = "Lenin led the party. ";
        let big = sentence.repeat((files::MAX_DOCUMENT_BYTES as usize) / sentence.len() + 1);
        std::fs::write(dir.path().join("document.txt"), big).unwrap();
        let error = load_within_seconds(dir.path()).unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "the content pack has 1 problem:\n  {}: the file is over 10 MB, the largest accepted (split it into smaller files)\n",
                dir.path().join("document.txt").display()
            )
        );
    }

    #[test]
    fn finding_4_an_oversized_pack_file_is_refused_while_reading() {
        let dir = pack_with("");
        let big = "Lenin led the party. ".repeat((files::MAX_FILE_BYTES / 20) as usize + 10);
        std::fs::write(dir.path().join("synonyms.txt"), big).unwrap();
        let error = load_within_seconds(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("synonyms.txt: the file is over 10 MB, the largest accepted"),
            "{error}"
        );
    }
}
