//! Dated events: the tab-separated file of the pack that feeds "on this day".
//!
//! Columns are found by their header names, so a teacher may reorder them or
//! add columns of their own. `date`, `title` and `description` are required;
//! `tags`, `source` and `note` are optional (but `source` is shown whenever it
//! is present, so keep it).

use chrono::NaiveDate;

use super::error::ContentError;

/// One dated event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedEvent {
    pub date: NaiveDate,
    pub title: String,
    pub description: String,
    pub tags: Vec<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    /// 1-based line in the events file.
    pub line: usize,
}

const REQUIRED: [&str; 3] = ["date", "title", "description"];
const KNOWN: [&str; 6] = ["date", "title", "description", "tags", "source", "note"];

/// Parses the events file; every bad row is reported, good rows are kept.
pub fn parse_events(file: &str, text: &str) -> (Vec<DatedEvent>, Vec<ContentError>) {
    let mut events = Vec::new();
    let mut errors = Vec::new();
    let mut lines = text.lines().enumerate().filter(|(_, l)| {
        let trimmed = l.trim();
        !trimmed.is_empty() && !trimmed.starts_with('#')
    });
    let Some((header_index, header)) = lines.next() else {
        return (events, errors);
    };
    let columns: Vec<String> = header
        .split('\t')
        .map(|c| c.trim().to_lowercase())
        .collect();
    for required in REQUIRED {
        if !columns.iter().any(|c| c == required) {
            errors.push(ContentError::new(
                file,
                Some(header_index + 1),
                format!(
                    "the header has no `{required}` column (columns are separated by tabs; expected {})",
                    KNOWN.join(", ")
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return (events, errors);
    }
    let column = |name: &str| columns.iter().position(|c| c == name);
    let (date_at, title_at, description_at) = (
        column("date").unwrap_or(0),
        column("title").unwrap_or(0),
        column("description").unwrap_or(0),
    );
    let (tags_at, source_at, note_at) = (column("tags"), column("source"), column("note"));

    for (index, line) in lines {
        let line_no = index + 1;
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        if fields.len() > columns.len() {
            errors.push(ContentError::new(
                file,
                Some(line_no),
                format!(
                    "{} fields but the header has {} columns (is there a stray tab?)",
                    fields.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let field = |at: usize| fields.get(at).copied().unwrap_or("");
        let optional =
            |at: Option<usize>| at.map(field).filter(|v| !v.is_empty()).map(str::to_string);
        let date = match NaiveDate::parse_from_str(field(date_at), "%Y-%m-%d") {
            // Year 0 and years BC read as dates but cannot be framed as
            // "N years ago" or shown as written.
            Ok(date) if chrono::Datelike::year(&date) < 1 => {
                errors.push(ContentError::new(
                    file,
                    Some(line_no),
                    format!(
                        "date {:?} is before year 1: only dates AD (year 1 onward) are supported",
                        field(date_at)
                    ),
                ));
                continue;
            }
            Ok(date) => date,
            Err(_) => {
                errors.push(ContentError::new(
                    file,
                    Some(line_no),
                    format!(
                        "bad date {:?}: dates are written YYYY-MM-DD, e.g. 1941-06-22",
                        field(date_at)
                    ),
                ));
                continue;
            }
        };
        let (title, description) = (field(title_at), field(description_at));
        if title.is_empty() || description.is_empty() {
            errors.push(ContentError::new(
                file,
                Some(line_no),
                "every event needs a title and a description",
            ));
            continue;
        }
        events.push(DatedEvent {
            date,
            title: title.to_string(),
            description: description.to_string(),
            tags: optional(tags_at)
                .map(|t| {
                    t.split(',')
                        .map(|tag| tag.trim().to_string())
                        .filter(|tag| !tag.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            source: optional(source_at),
            note: optional(note_at),
            line: line_no,
        });
    }
    (events, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "date\ttitle\tdescription\ttags\tsource\tnote\n";

    #[test]
    fn parses_rows_by_header_name() {
        let text = format!(
            "{HEADER}1941-06-22\tGermany invades\tOperation Barbarossa begins.\twar,germany\thttp://example.org\t\n"
        );
        let (events, errors) = parse_events("events.tsv", &text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.date, NaiveDate::from_ymd_opt(1941, 6, 22).unwrap());
        assert_eq!(event.tags, ["war", "germany"]);
        assert_eq!(event.source.as_deref(), Some("http://example.org"));
        assert_eq!(event.note, None);
        assert_eq!(event.line, 2);
    }

    #[test]
    fn finding_19_event_years_0_and_before_are_refused_with_their_line() {
        let text = format!(
            "{HEADER}0000-03-15\tYear zero\tNo such year.\t\t\t\n-0044-03-15\tCaesar\tThe Ides of March.\t\t\t\n"
        );
        let (events, errors) = parse_events("events.tsv", &text);
        assert!(events.is_empty(), "{events:?}");
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "events.tsv:2: date \"0000-03-15\" is before year 1: only dates AD (year 1 onward) are supported",
                "events.tsv:3: date \"-0044-03-15\" is before year 1: only dates AD (year 1 onward) are supported",
            ]
        );
    }

    #[test]
    fn bad_dates_and_missing_fields_name_their_line() {
        let text = format!("{HEADER}1941-13-22\tBad\tMonth 13.\t\t\t\n1941-06-22\t\t\t\t\t\n");
        let (events, errors) = parse_events("events.tsv", &text);
        assert!(events.is_empty());
        assert_eq!(errors.len(), 2);
        assert_eq!(
            errors[0].to_string(),
            "events.tsv:2: bad date \"1941-13-22\": dates are written YYYY-MM-DD, e.g. 1941-06-22"
        );
        assert_eq!(errors[1].line, Some(3));
    }

    #[test]
    fn a_header_without_required_columns_is_refused() {
        let (_, errors) = parse_events("e.tsv", "when\twhat\n1941-06-22\tx\n");
        assert_eq!(errors.len(), 3);
        assert!(
            errors[0]
                .to_string()
                .starts_with("e.tsv:1: the header has no `date` column")
        );
    }
}
