//! Adding an imported bank to a pack folder: written as
//! `questions/NAME.toml`, then the whole pack is loaded again to check it,
//! and the file is removed again when the pack no longer loads. Nothing is
//! left half-added.

use std::path::{Path, PathBuf};

use crate::content::{ContentErrors, Pack, Question};

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
    /// The pack did not load with the new bank; the file was removed.
    #[error("the pack did not load with the new bank, so it was not added:\n{0}")]
    Invalid(ContentErrors),
}

/// Writes `questions` to `pack_dir/questions/NAME.toml` (with `note` as its
/// header comment) and checks that the pack still loads; rolls the file
/// back when it does not.
pub fn add_to_pack(
    pack_dir: &Path,
    name: &str,
    questions: &[Question],
    note: &str,
) -> Result<AddedBank, AddError> {
    let folder = pack_dir.join("questions");
    let path = folder.join(format!("{name}.toml"));
    if path.exists() {
        return Err(AddError::Exists(path));
    }
    let write = |path: &Path, source| AddError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(&folder).map_err(|source| write(&folder, source))?;
    std::fs::write(&path, to_native_toml(questions, note))
        .map_err(|source| write(&path, source))?;
    match Pack::load(pack_dir) {
        Ok(pack) => Ok(AddedBank {
            path,
            questions_in_pack: pack.questions.len(),
        }),
        Err(errors) => {
            if let Err(error) = std::fs::remove_file(&path) {
                tracing::warn!(path = %path.display(), %error, "could not remove a bank that broke the pack");
            }
            Err(AddError::Invalid(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::QuestionOrigin;

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
        // The same id again: the pack refuses duplicate ids.
        let error = add_to_pack(
            dir.path(),
            "second",
            &[question("red-army", "Trotsky")],
            "test",
        )
        .unwrap_err();
        assert!(matches!(error, AddError::Invalid(_)), "{error:?}");
        assert!(!dir.path().join("questions/second.toml").exists());
        assert!(dir.path().join("questions/first.toml").exists());
    }
}
