//! The pack's related-terms file, which lets `/ask` match a student's words
//! to the document's ("died" ~ "killed" ~ "lost their lives").
//!
//! Plain text, one group per line, entries separated by commas; `#` starts a
//! comment. Entries may be phrases. A group needs at least two entries.

use super::error::ContentError;

/// Parses the related-terms file into groups of lowercase entries.
pub fn parse_synonyms(file: &str, text: &str) -> (Vec<Vec<String>>, Vec<ContentError>) {
    let mut groups = Vec::new();
    let mut errors = Vec::new();
    for (index, raw_line) in text.lines().enumerate() {
        let line = raw_line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let entries: Vec<String> = line
            .split(',')
            .map(|entry| {
                entry
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            })
            .collect();
        if entries.iter().any(String::is_empty) {
            errors.push(ContentError::new(
                file,
                Some(index + 1),
                "an entry is empty (two commas in a row, or a comma at the end?)",
            ));
        } else if entries.len() < 2 {
            errors.push(ContentError::new(
                file,
                Some(index + 1),
                format!("{:?} has nothing to be related to: list at least two terms separated by commas", entries[0]),
            ));
        } else {
            groups.push(entries);
        }
    }
    (groups, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_groups_and_skips_comments() {
        let (groups, errors) = parse_synonyms(
            "s.txt",
            "# deaths\ndied, Killed ,lost  their lives # phrase\n\n",
        );
        assert!(errors.is_empty());
        assert_eq!(groups, [vec!["died", "killed", "lost their lives"]]);
    }

    #[test]
    fn lone_terms_and_empty_entries_are_errors_with_lines() {
        let (groups, errors) = parse_synonyms("s.txt", "farm\nfarm,,kolkhoz\n");
        assert!(groups.is_empty());
        assert_eq!(errors[0].line, Some(1));
        assert_eq!(errors[1].line, Some(2));
    }
}
