//! Adding an imported bank to a pack folder: written as
//! `questions/NAME.toml`, then the whole pack is loaded again to check it,
//! and the file is removed again when the pack no longer loads. Nothing is
//! left half-added.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::content::{ContentError, ContentErrors, Pack, Question, QuestionOrigin, files};

use super::to_native_toml;

/// A bank added to a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedBank {
    /// The file written.
    pub path: PathBuf,
    /// How many questions the pack has now.
    pub questions_in_pack: usize,
}

/// Why a bank was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("{} exists already; remove it or rename the bank first", .0.display())]
    Exists(PathBuf),
    #[error("could not write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `questions/` is a link out of the pack, or not a folder.
    #[error("{}", .0)]
    Outside(ContentError),
    #[error("the bank has no questions, so nothing was added to {}", .0.display())]
    Empty(PathBuf),
    /// The new bank's ids are taken by questions the pack has already.
    #[error("the new bank's ids are used in the pack already, so it was not added:\n{0}")]
    DuplicateIds(ContentErrors),
    /// The pack did not load with the new bank; the file was removed.
    #[error("the pack did not load with the new bank, so it was not added:\n{0}")]
    Invalid(ContentErrors),
}

/// Longest bank name kept, in characters.
const MAX_NAME: usize = 64;

/// A file name made of letters, digits, `-` and `_` only: no path
/// separators, no dots, no newlines (which would end the header comment).
pub fn safe_bank_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(MAX_NAME)
        .collect();
    let mut joined = String::new();
    for part in cleaned.split('-').filter(|part| !part.is_empty()) {
        if !joined.is_empty() {
            joined.push('-');
        }
        joined.push_str(part);
    }
    if joined.is_empty() {
        "imported".into()
    } else {
        joined
    }
}

/// Writes `questions` to `pack_dir/questions/NAME.toml` (with `note` as its
/// header comment) and checks that the pack still loads; rolls the file
/// back when it does not. `name` is made safe with [`safe_bank_name`]; the
/// file is created new (never over another, never through a link), inside
/// the pack folder.
pub fn add_to_pack(
    pack_dir: &Path,
    name: &str,
    questions: &[Question],
    note: &str,
) -> Result<AddedBank, AddError> {
    let folder = pack_dir.join("questions");
    let path = folder.join(format!("{}.toml", safe_bank_name(name)));
    if questions.is_empty() {
        return Err(AddError::Empty(pack_dir.to_path_buf()));
    }
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(AddError::Exists(path));
    }
    let write = |path: &Path, source| AddError::Write {
        path: path.to_path_buf(),
        source,
    };
    // The ids the pack uses already: a clash is the new bank's to fix.
    if let Ok(pack) = Pack::load(pack_dir) {
        let clashes: Vec<ContentError> = questions
            .iter()
            .enumerate()
            .filter_map(|(n, question)| {
                let taken = pack.questions.iter().find(|q| q.id == question.id)?;
                let from = match &question.origin {
                    QuestionOrigin::Imported { file, line } | QuestionOrigin::Bank { file, line } => {
                        format!(" ({file}:{line})")
                    }
                    QuestionOrigin::Generated => String::new(),
                };
                let used_at = match &taken.origin {
                    QuestionOrigin::Imported { file, line } | QuestionOrigin::Bank { file, line } => {
                        format!("{file}:{line}")
                    }
                    QuestionOrigin::Generated => "the pack".into(),
                };
                Some(ContentError::new(
                    path.display().to_string(),
                    None,
                    format!(
                        "question {}{from} has the id {:?}, which {used_at} uses already; rename the bank file and import it again",
                        n + 1,
                        question.id
                    ),
                ))
            })
            .collect();
        if !clashes.is_empty() {
            return Err(AddError::DuplicateIds(ContentErrors(clashes)));
        }
    }
    std::fs::create_dir_all(&folder).map_err(|source| write(&folder, source))?;
    files::confined(pack_dir, &folder).map_err(AddError::Outside)?;
    // create_new: O_CREAT|O_EXCL, which also refuses a (dangling) link.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                AddError::Exists(path.clone())
            } else {
                write(&path, source)
            }
        })?;
    let written = file
        .write_all(to_native_toml(questions, note).as_bytes())
        .and_then(|()| file.sync_all());
    drop(file);
    if let Err(source) = written {
        remove(&path);
        return Err(write(&path, source));
    }
    match Pack::load(pack_dir) {
        Ok(pack) => Ok(AddedBank {
            path,
            questions_in_pack: pack.questions.len(),
        }),
        Err(errors) => {
            remove(&path);
            Err(AddError::Invalid(errors))
        }
    }
}

fn remove(path: &Path) {
    if let Err(error) = std::fs::remove_file(path) {
        tracing::warn!(path = %path.display(), %error, "could not remove a bank that broke the pack");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(id: &str, answer: &str) -> Question {
        Question {
            id: id.into(),
            prompt: "Who led the Red Army?".into(),
            choices: vec!["Trotsky".into(), "Lenin".into()],
            answer_index: Some(0),
            answers: vec![answer.into()],
            source_sentence: None,
            kind: String::new(),
            origin: QuestionOrigin::Generated,
            explanation: None,
        }
    }

    fn minimal_pack() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pack.toml"), "name = \"Tiny\"\n").unwrap();
        std::fs::write(
            dir.path().join("document.txt"),
            "Trotsky led the Red Army. Lenin led the party.\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn a_good_bank_is_added_and_a_second_one_of_the_same_name_is_refused() {
        let dir = minimal_pack();
        let added = add_to_pack(
            dir.path(),
            "class",
            &[question("red-army", "Trotsky")],
            "test",
        )
        .unwrap();
        assert_eq!(added.path, dir.path().join("questions/class.toml"));
        assert_eq!(added.questions_in_pack, 1);
        let again = add_to_pack(dir.path(), "class", &[question("other", "Trotsky")], "test");
        assert!(matches!(again, Err(AddError::Exists(_))), "{again:?}");
    }

    #[test]
    fn a_bank_that_breaks_the_pack_is_rolled_back() {
        let dir = minimal_pack();
        add_to_pack(
            dir.path(),
            "first",
            &[question("red-army", "Trotsky")],
            "test",
        )
        .unwrap();
        // Two equal choices: the pack refuses them.
        let mut broken = question("other", "Trotsky");
        broken.choices = vec!["Trotsky".into(), "Trotsky".into()];
        let error = add_to_pack(dir.path(), "second", &[broken], "test").unwrap_err();
        assert!(matches!(error, AddError::Invalid(_)), "{error:?}");
        assert!(!dir.path().join("questions/second.toml").exists());
        assert!(dir.path().join("questions/first.toml").exists());
    }

    #[test]
    fn finding_5_a_dangling_link_in_questions_is_not_followed() {
        let dir = minimal_pack();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("planted.toml");
        std::fs::create_dir(dir.path().join("questions")).unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("questions/class.toml")).unwrap();
        let error = add_to_pack(dir.path(), "class", &[question("a", "Trotsky")], "test");
        assert!(matches!(error, Err(AddError::Exists(_))), "{error:?}");
        assert!(
            !target.exists(),
            "the write followed the link out of the pack"
        );
    }

    #[test]
    fn finding_5_a_questions_folder_linked_out_of_the_pack_is_refused() {
        let dir = minimal_pack();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("questions")).unwrap();
        let error = add_to_pack(dir.path(), "class", &[question("a", "Trotsky")], "test")
            .unwrap_err()
            .to_string();
        assert!(error.ends_with("questions: is outside the pack folder (a pack may only name files inside its own folder)"), "{error}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn finding_5_a_bank_name_cannot_leave_the_folder_or_inject_toml() {
        let dir = minimal_pack();
        let added = add_to_pack(
            dir.path(),
            "../../evil\n[[question]]\nid = \"x\"",
            &[question("a", "Trotsky")],
            "from evil\n[[question]]\nid = \"injected\"\nquestion = \"Injected?\"\nanswer = \"yes\"",
        )
        .unwrap();
        assert_eq!(
            added.path.parent(),
            Some(dir.path().join("questions").as_path())
        );
        assert_eq!(added.path.file_name().unwrap(), "evil-question-id-x.toml");
        assert_eq!(added.questions_in_pack, 1, "the note's question was loaded");
    }

    #[test]
    fn finding_19_an_empty_bank_is_not_written_nor_reported_added() {
        let dir = minimal_pack();
        let error = add_to_pack(dir.path(), "empty", &[], "test").unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "the bank has no questions, so nothing was added to {}",
                dir.path().display()
            )
        );
        assert!(!dir.path().join("questions/empty.toml").exists());
    }

    #[test]
    fn finding_19_a_duplicate_id_blames_the_new_bank_not_the_existing_file() {
        let dir = minimal_pack();
        add_to_pack(dir.path(), "zz", &[question("class-1", "Trotsky")], "test").unwrap();
        let mut new = question("class-1", "Trotsky");
        new.origin = QuestionOrigin::Imported {
            file: "class.gift".into(),
            line: 3,
        };
        let error = add_to_pack(dir.path(), "class", &[new], "test")
            .unwrap_err()
            .to_string();
        let new_path = dir.path().join("questions/class.toml");
        assert_eq!(
            error,
            format!(
                "the new bank's ids are used in the pack already, so it was not added:\nthe content pack has 1 problem:\n  {}: question 1 (class.gift:3) has the id \"class-1\", which {}:4 uses already; rename the bank file and import it again\n",
                new_path.display(),
                dir.path().join("questions/zz.toml").display()
            )
        );
        assert!(!new_path.exists());
    }
}
