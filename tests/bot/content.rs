use std::fs;

use lectern::content::Pack;

fn write_pack(dir: &std::path::Path, questions: &str, events: &str) {
    fs::write(
        dir.join("pack.toml"),
        "id = \"t\"\ntitle = \"T\"\nlanguage = \"en\"\ntime_zone = \"Europe/Berlin\"\n[source]\ntitle = \"T\"\n",
    )
    .unwrap();
    fs::write(
        dir.join("document.txt"),
        "Stalin fought Trotsky for power. The metro was built.\n",
    )
    .unwrap();
    fs::write(dir.join("questions.toml"), questions).unwrap();
    fs::write(dir.join("events.tsv"), events).unwrap();
}

const GOOD_QUESTION: &str = "[[question]]\nid = \"a\"\nquestion = \"Who?\"\nchoices = [\"Trotsky\", \"Lenin\"]\nanswer = \"Trotsky\"\nsource = \"fought Trotsky\"\n";
const GOOD_EVENTS: &str = "date\ttitle\tdescription\tsource\n1941-06-22\tInvasion\tGermany invades.\thttp://example.org\n";

#[test]
fn a_valid_pack_on_disk_loads() {
    let dir = tempfile::tempdir().unwrap();
    write_pack(dir.path(), GOOD_QUESTION, GOOD_EVENTS);
    let pack = Pack::load(dir.path()).expect("valid pack");
    assert_eq!(pack.questions.len(), 1);
    assert_eq!(pack.events.len(), 1);
    assert_eq!(pack.document.sentences().len(), 2);
}

#[test]
fn every_bad_file_is_reported_with_file_line_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let questions = format!(
        "{GOOD_QUESTION}\n[[question]]\nid = \"a\"\nquestion = \"Again?\"\nanswer = \"x\"\nsource = \"Bukharin\"\n"
    );
    let events = "date\ttitle\tdescription\n1941-02-30\tBad day\tNo such date.\n";
    write_pack(dir.path(), &questions, events);
    let errors = Pack::load(dir.path()).unwrap_err();
    let lines: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
    let file = |name: &str| dir.path().join(name).display().to_string();
    assert!(
        lines.contains(&format!(
            "{}:2: bad date \"1941-02-30\": dates are written YYYY-MM-DD, e.g. 1941-06-22",
            file("events.tsv")
        )),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&format!(
            "{}:9: duplicate id \"a\" (first used at {}:2)",
            file("questions.toml"),
            file("questions.toml")
        )),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&format!(
            "{}:12: the cited sentence is not in the document: \"Bukharin\"",
            file("questions.toml")
        )),
        "{lines:#?}"
    );
}

#[test]
fn a_bad_time_zone_in_the_manifest_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_pack(dir.path(), GOOD_QUESTION, GOOD_EVENTS);
    let manifest = fs::read_to_string(dir.path().join("pack.toml"))
        .unwrap()
        .replace("Europe/Berlin", "Europe/Berln");
    fs::write(dir.path().join("pack.toml"), manifest).unwrap();
    let errors = Pack::load(dir.path()).unwrap_err().to_string();
    assert!(
        errors.contains("pack.toml:4: \"Europe/Berln\" is not an IANA time zone"),
        "{errors}"
    );
}
