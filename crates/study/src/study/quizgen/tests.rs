use super::*;
use crate::content::Document;

fn bundled() -> Pack {
    Pack::bundled().unwrap()
}

/// A pack with only a document (no glossary, no events, no bank).
fn document_only(text_: &str) -> Pack {
    let mut pack = bundled();
    pack.document = Document::parse(text_);
    pack.glossary = Glossary::default();
    pack.events.clear();
    pack.questions.clear();
    pack.synonyms.clear();
    pack
}

const TEACHER_DOC: &str = "Josiah Wedgwood was born in Burslem in 1730, the youngest child of a large family. \
His father died in 1739, when Josiah was only nine, so the boy left school.\n\n\
In 1759 he set up his own business at the Ivy House works in Burslem. \
In 1764 he married Sarah Wedgwood, a distant cousin, and the couple had eight children. \
In 1768 his damaged right leg had to be amputated.\n\n\
Thomas Bentley was a Liverpool merchant who was well educated and deeply interested in art. \
Wedgwood met him in Liverpool in 1762. Bentley moved to London, where he looked after the showroom. \
Bentley died in 1780 in London.\n\n\
The canal was approved by an Act of Parliament in 1766. \
The engineer in charge was James Brindley, who had already built the Bridgewater Canal. \
Brindley died in 1772, before the work was finished, and the route opened in 1777. \
Heavy loads could then be carried by boat far more cheaply than by road because the water was smooth.\n\n\
For wealthy buyers he made black basalt, a hard black stoneware that could be polished. \
His most famous invention was jasperware, which he perfected after thousands of trials. \
Jasperware is an unglazed stoneware, often coloured pale blue with metal oxides. \
The Frog Service for Catherine the Great had more than nine hundred pieces. \
Wedgwood left a fortune of about £500,000, an enormous sum at the time. \
Potters needed to know how hot their kilns were, because ordinary thermometers failed in the heat. \
Wedgwood built a village of cottages for his workers in order to keep skilled potters near the works. \
In 1787 Wedgwood produced a medallion for the Society for the Abolition of the Slave Trade. \
Wedgwood sent a parcel of medallions to Benjamin Franklin in Philadelphia in 1788.";

/// The pack with its automatic glossary saved as the teacher's own, as a
/// teacher would (`lectern content glossary`).
fn with_saved_glossary(mut pack: Pack) -> Pack {
    pack.glossary = Generator::new(&pack).glossary().clone();
    pack
}

fn all_generated(pack: &Pack) -> Vec<Question> {
    let generator = Generator::new(pack);
    let mut all = generator.pool(1);
    for seed in 2..4 {
        all.extend(generator.pool(seed));
    }
    all
}

/// Every blank sits between whole words: the text before it ends at a word
/// boundary and the text after starts at one.
fn blank_is_well_formed(prompt: &str) -> bool {
    prompt.match_indices("___").all(|(at, _)| {
        let before = prompt[..at].chars().next_back();
        let after = prompt[at + 3..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn blanks_sit_at_word_boundaries_on_any_document() {
    for pack in [bundled(), document_only(TEACHER_DOC)] {
        for q in all_generated(&pack) {
            assert!(blank_is_well_formed(&q.prompt), "{q:?}");
        }
    }
}

#[test]
fn no_question_opens_with_a_discourse_opener_or_leans_on_an_earlier_sentence() {
    for pack in [bundled(), document_only(TEACHER_DOC)] {
        for q in all_generated(&pack) {
            let first = q
                .prompt
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_lowercase();
            assert!(
                ![
                    "so",
                    "therefore",
                    "however",
                    "but",
                    "and",
                    "for",
                    "by",
                    "this",
                    "it",
                    "they",
                    "he",
                    "she",
                    "his"
                ]
                .contains(&first.as_str()),
                "{q:?}"
            );
            let own = q
                .prompt
                .trim_start_matches("Which of these statements")
                .trim_start_matches("Which of these");
            let words: Vec<String> = prepare::word_spans(own)
                .into_iter()
                .map(|(_, _, w)| w)
                .collect();
            for word in ["this", "these", "those"] {
                assert!(!words.contains(&word.to_string()), "{word}: {q:?}");
            }
        }
    }
}

#[test]
fn years_stay_years_and_numbers_have_no_ten_times_partner() {
    // A teacher's page and a handout, with no glossary: years only of
    // milestones (round-3 audit), so the two together.
    let mut questions = all_generated(&document_only(TEACHER_DOC));
    questions.extend(all_generated(&handout()));
    let years: Vec<&Question> = questions.iter().filter(|q| q.kind == "year").collect();
    // Two since round 8: birth, marriage and death years are not asked.
    assert!(years.len() >= 2, "{questions:#?}");
    for q in years {
        for choice in &q.choices {
            assert!(choice.len() == 4 && choice.parse::<u32>().is_ok(), "{q:?}");
        }
    }
    for q in questions.iter().filter(|q| q.kind == "number") {
        assert!(!q.prompt.contains("1,"), "{q:?}");
        let audit = audit::audit("one", std::slice::from_ref(q));
        let partner = audit
            .guessers
            .iter()
            .find(|g| g.name == "x10 partner")
            .unwrap();
        assert_eq!(partner.applicable, 0, "{q:?}");
    }
}

#[test]
fn wrong_choices_are_of_the_answers_kind_and_never_another_name_of_it() {
    let pack = bundled();
    let people: Vec<&str> = pack.glossary.of_kind(EntryKind::Person).collect();
    let places: Vec<&str> = pack.glossary.of_kind(EntryKind::Place).collect();
    for q in all_generated(&pack) {
        match q.kind.as_str() {
            "person" => assert!(
                q.choices.iter().all(|c| people.contains(&c.as_str())),
                "{q:?}"
            ),
            "place" => {
                assert!(
                    q.choices.iter().all(|c| places.contains(&c.as_str())),
                    "{q:?}"
                );
                for c in &q.choices {
                    if c != q.answer() {
                        assert!(!pack.glossary.same_thing(c, q.answer()), "{q:?}");
                    }
                }
            }
            _ => {}
        }
    }
}

#[test]
fn a_wrong_choice_is_never_a_synonym_from_the_packs_related_terms() {
    let mut pack = document_only(
        "Agricultural output tanked in the villages, leading to famine on a catastrophic scale. \
         Many peasants suffered starvation in the cold winter of the first plan. \
         The regime sent kulaks into exile in the far north of the country. \
         Farmers hid their grain from the officials of the regime in the villages. \
         The government built the Belomor Canal with the labour of prisoners.",
    );
    pack.glossary = Glossary {
        entries: ["famine", "starvation", "exile", "grain", "labour"]
            .iter()
            .map(|t| (EntryKind::Term, t.to_string()))
            .collect(),
        ..Glossary::default()
    };
    pack.synonyms = vec![vec!["famine".into(), "starvation".into()]];
    let questions = all_generated(&pack);
    for q in questions.iter().filter(|q| q.answer() == "famine") {
        assert!(!q.choices.iter().any(|c| c == "starvation"), "{q:?}");
    }
}

#[test]
fn a_wrong_choice_the_document_also_supports_is_never_offered() {
    let pack = document_only(
        "Russia signed a pact with Japan in the spring of that war. \
         Later Russia signed a pact with Germany in the summer before the war. \
         Italy and France watched the talks from a distance in the west. \
         Britain and Poland feared the pact in the east and the west.",
    );
    for q in all_generated(&pack) {
        if q.prompt.contains("signed a pact with ___") {
            let wrong: Vec<&String> = q.choices.iter().filter(|c| *c != q.answer()).collect();
            assert!(
                !wrong.iter().any(|c| *c == "Japan" || *c == "Germany"),
                "{q:?}"
            );
        }
    }
}

#[test]
fn the_automatic_glossary_types_the_teacher_document() {
    let generator = Generator::new(&document_only(TEACHER_DOC));
    assert!(generator.automatic_glossary);
    let glossary = generator.glossary();
    assert_eq!(glossary.kind_of("Thomas Bentley"), Some(EntryKind::Person));
    assert_eq!(glossary.kind_of("Liverpool"), Some(EntryKind::Place));
    assert_eq!(
        glossary.kind_of("Bridgewater Canal"),
        Some(EntryKind::Place)
    );
    assert_eq!(glossary.kind_of("jasperware"), Some(EntryKind::Term));
}

#[test]
fn forms_beyond_the_cloze_are_made_and_held_to_the_rules() {
    // A teacher's short page makes few forms on its own since the round-3
    // rules (wrong choices of the answer's sort only): it and the handout
    // together make every form.
    // Terms and places are blanked only from a teacher's glossary.
    let mut questions = all_generated(&with_saved_glossary(document_only(TEACHER_DOC)));
    questions.extend(all_generated(&with_saved_glossary(handout())));
    let kinds: HashSet<&str> = questions.iter().map(|q| q.kind.as_str()).collect();
    for kind in [
        "statement",
        "chronology",
        "person",
        "year",
        "number",
        "place",
    ] {
        assert!(kinds.contains(kind), "no {kind} question: {kinds:?}");
    }
    for q in &questions {
        assert_eq!(q.choices.len(), 4, "{q:?}");
        let distinct: HashSet<String> = q.choices.iter().map(|c| c.to_lowercase()).collect();
        assert_eq!(distinct.len(), 4, "{q:?}");
        assert!(q.answer_index.is_some(), "{q:?}");
    }
    // The bundled pack's dated events make chronology questions that say
    // the dates in the reveal.
    let chronology = all_generated(&bundled())
        .into_iter()
        .find(|q| q.kind == "chronology")
        .expect("a chronology question");
    assert!(
        chronology
            .explanation
            .as_deref()
            .is_some_and(|e| e.starts_with("In order: "))
    );
}

#[test]
fn a_definition_is_asked_in_reverse_with_terms_as_wrong_choices() {
    let pack = document_only(
        "The first success of the firm was creamware, a pale earthenware that was light and strong. \
         Creamware was sold across Europe by the firm for many years after that. \
         Jasperware is an unglazed stoneware that was often coloured pale blue. \
         Basalt was used for vases, and basalt could be polished by the workers. \
         The pyrometer measured heat, and the pyrometer used small pieces of clay. \
         Stoneware was fired hot, and stoneware was hard enough for the kitchen. \
         Pearlware is a white earthenware with a blue tint that was sold for everyday use.",
    );
    let mut glossary = Glossary::default();
    for term in [
        "creamware",
        "jasperware",
        "basalt",
        "pyrometer",
        "stoneware",
        "pearlware",
    ] {
        glossary.entries.push((EntryKind::Term, term.to_string()));
    }
    let mut pack = pack;
    pack.glossary = glossary;
    let questions = all_generated(&pack);
    let definition = questions
        .iter()
        .find(|q| q.kind == "definition")
        .unwrap_or_else(|| panic!("{questions:#?}"));
    assert_eq!(
        definition.prompt,
        "Which of these does the document describe as a pale earthenware that was light and strong?"
    );
    assert_eq!(definition.answer(), "creamware");
    assert!(
        !definition
            .choices
            .iter()
            .any(|c| c == "stoneware" && definition.prompt.contains("stoneware"))
    );
}

#[test]
fn cause_questions_offer_clauses_of_the_same_shape() {
    let pack = document_only(TEACHER_DOC);
    let questions = all_generated(&pack);
    for q in questions.iter().filter(|q| q.kind == "cause") {
        assert!(q.prompt.ends_with(" ___."), "{q:?}");
        assert!(q.choices.iter().all(|c| !c.contains(". ")), "{q:?}");
    }
}

#[test]
fn a_quiz_spreads_answers_and_topics() {
    // The bundled essay's own sentences make no question that passes the
    // round-3 rules (its few names leave no three wrong choices of the
    // answer's sort), so its quizzes come from the pack's dated events and
    // are checked for answers only; the handout and the teacher's page for
    // passages too.
    for seed in 1..6 {
        let quiz = Generator::new(&bundled()).generate(10, seed);
        assert_eq!(quiz.len(), 10);
        let answers: HashSet<String> = quiz.iter().map(|q| q.answer().to_lowercase()).collect();
        assert_eq!(answers.len(), quiz.len(), "{quiz:#?}");
    }
    for pack in [handout(), document_only(TEACHER_DOC)] {
        let generator = Generator::new(&pack);
        // A quiz asks each fact once (since round 6): a short page fills
        // only as many questions as it has facts to ask.
        let all: Vec<usize> = (0..generator.sentences.len()).collect();
        let facts: HashSet<Fact> = generator
            .candidates(&all, &mut fastrand::Rng::with_seed(1))
            .iter()
            .filter_map(Candidate::asked)
            .collect();
        for seed in 1..6 {
            let quiz = generator.generate(10, seed);
            assert!(
                quiz.len() >= facts.len().min(8) - 1,
                "{} of {}",
                quiz.len(),
                facts.len()
            );
            let mut counts: HashMap<String, usize> = HashMap::new();
            for q in &quiz {
                *counts.entry(q.answer().to_lowercase()).or_default() += 1;
            }
            assert!(counts.values().all(|n| *n <= 1), "{counts:?}");
            let passages: HashSet<usize> = quiz
                .iter()
                .filter_map(|q| q.source_sentence)
                .map(|s| pack.document.sentences()[s].passage)
                .collect();
            // Three passages at least, on the teacher's short page too.
            assert!(passages.len() >= 3, "{passages:?}");
        }
    }
}

#[test]
fn generation_is_deterministic_for_a_seed() {
    let pack = bundled();
    assert_eq!(generate(&pack, 10, 42), generate(&pack, 10, 42));
    assert_ne!(generate(&pack, 10, 42), generate(&pack, 10, 43));
}

#[test]
fn the_pool_holds_at_least_one_and_a_half_questions_per_sentence() {
    for pack in [bundled(), document_only(TEACHER_DOC)] {
        let pool = Generator::new(&pack).pool(1);
        let sentences = pack.document.sentences().len();
        // The target is 1.5 per sentence. A teacher's short page with no glossary or events
        // keeps about half a question per sentence: many sentences lean on
        // the one before, and since the round-3 blind audit a question needs
        // three wrong choices of the answer's own sort from the page itself
        // (the 1.3 it had came from such failures: Philadelphia among
        // Staffordshire towns, a partner's death year). The target is not
        // met there; the floor guards against a collapse.
        // With events, 0.5: since round 4 only events the document
        // discusses are ordered, and since round 5 only events of the
        // answer's era, a third of the events' span (the blind test audit
        // failed the one predecessor's event among the successor's in 23
        // of 80 questions). The target is not met on the essay.
        // With events, 0.45 since round 6: only the events the essay
        // covers are ordered (the round-5 test failed 40 of 80 essay
        // questions as events the essay only mentions or never discusses),
        // each asked both first and last.
        // The teacher's page, 0.15 since round 8: its birth, marriage and
        // death years and places are no longer asked (every blind audit
        // failed them as minor biographical details), and they were most
        // of its questions.
        let floor = if pack.events.is_empty() { 0.15 } else { 0.45 };
        assert!(
            pool.len() as f64 >= sentences as f64 * floor,
            "{} questions for {sentences} sentences",
            pool.len()
        );
    }
}

#[test]
fn no_rule_based_guesser_beats_the_limit_on_the_bundled_pool() {
    let pool = Generator::new(&bundled()).pool(1);
    let audit = audit::audit("bundled", &pool);
    assert!(audit.failing().is_empty(), "{audit}");
}

#[test]
fn sentences_that_read_badly_never_become_questions() {
    let names = Matcher::new(&Glossary {
        entries: vec![
            (EntryKind::Person, "Stalin".into()),
            (EntryKind::Person, "Lenin".into()),
            (EntryKind::Person, "James Brindley".into()),
        ],
        ..Glossary::default()
    });
    for bad in [
        // A run-on: a conjunctive adverb with no punctuation before it.
        "Stalin made a few impacts on Russia but was not as practical as Lenin therefore the impacts he made were long-term.",
        // A dangling participial opener.
        "Although admired by some Russians, most would agree that Stalin was cruel.",
        // An exclamation ("so much" with no "that").
        "Stalin changed so much about the way people worked.",
        // Unresolved time and a concessive "still".
        "Stalin was becoming wary of the army now and was scared.",
        "Stalin still managed to become head of the party after a struggle.",
        // A generic "the" subject with nothing to say which one.
        "The engineer in charge was James Brindley, who built a canal.",
        "James Brindley died young, before the work was finished.",
    ] {
        assert!(prepare::reads_badly(bad, &names, ""), "{bad}");
    }
    // "the canal" right after a sentence about a canal points back at it.
    assert!(prepare::reads_badly(
        "The canal was approved by Parliament in the spring.",
        &names,
        "wedgwood supported the trent and mersey canal."
    ));
    assert_eq!(
        prepare::drop_inner_links("Wedgwood therefore became a supporter of the canal."),
        "Wedgwood became a supporter of the canal."
    );
    for good in [
        "Stalin gathered the tiny farms in each village into one big collective.",
        "She was so pleased that he was allowed to call it Queen's ware.",
        "Wedgwood therefore became one of the leading supporters of the canal.",
        "The regime confiscated grain to sell abroad.",
        "The first success of the firm was creamware, a cream-coloured earthenware.",
    ] {
        assert!(!prepare::reads_badly(good, &names, ""), "{good}");
    }
}

#[test]
fn questions_worth_asking_only() {
    let pack = document_only(
        "Josiah Wedgwood was born in Burslem in 1730, the youngest child of a large family.\n\n\
         Wedgwood opened a works at Etruria in 1769 and built a village for the workers.\n\n\
         Wedgwood met Thomas Bentley in Liverpool in 1762, and Wedgwood admired the merchant.\n\n\
         Wedgwood's eldest daughter, Susannah, married Robert Darwin, a doctor from Shrewsbury.\n\n\
         Wedgwood sold vases in London, and Wedgwood sent wares to Hull and Bristol by canal.\n\n\
         The district was made up of six small towns, including Burslem, Hanley, Stoke and Longton.\n\n\
         In 1782 Wedgwood installed a steam engine at Etruria to grind and mix materials.\n\n\
         Wedgwood died at Etruria in 1795, and Wedgwood was buried in Stoke.\n\n\
         Charles Darwin was born in Shrewsbury in 1809, the son of Robert Darwin.\n\n\
         Wedgwood supported the Trent and Mersey Canal, which linked the River Trent with the River Mersey.",
    );
    let questions = all_generated(&pack);
    for q in questions.iter().filter(|q| q.prompt.contains("___")) {
        let blank_only = true;
        // The main figure is never the answer.
        assert!(!q.answer().contains("Wedgwood"), "{q:?}");
        // A relative's name, a member of an open list, a minor year.
        assert!(!q.prompt.contains("daughter, ___"), "{q:?}");
        assert!(!q.prompt.contains("including Burslem, ___"), "{q:?}");
        assert!(
            !(blank_only && q.prompt.contains("In ___ Wedgwood installed")),
            "{q:?}"
        );
        // The stem does not hold a word of the answer ("Mersey").
        if q.prompt.contains("Trent and Mersey Canal") {
            assert_ne!(q.answer(), "River Mersey", "{q:?}");
        }
        // No year after the death of a person the question names (unless
        // the death is what is asked).
        if q.kind == "year" && q.prompt.contains("Wedgwood") && q.answer() != "1795" {
            for c in &q.choices {
                let y: i32 = c.parse().unwrap();
                assert!(y <= 1795, "{q:?}");
            }
        }
        // No person born after the year the question is about.
        if q.kind == "person" && q.prompt.contains("1762") {
            assert!(!q.choices.iter().any(|c| c == "Charles Darwin"), "{q:?}");
        }
    }
}

#[test]
fn places_are_offered_beside_places_of_their_shape() {
    assert_eq!(place_shape("River Mersey"), "river");
    assert_eq!(place_shape("Bridgewater Canal"), "canal");
    assert_eq!(place_shape("Liverpool"), "");
    let pack = bundled();
    for q in all_generated(&pack) {
        if q.kind == "place" && q.answer() == "Russia" {
            assert!(!q.choices.iter().any(|c| c == "Moscow"), "{q:?}");
        }
    }
}

/// The handout a teacher wrote, with no glossary (as `eval/packs/wedgwood`).
fn handout() -> Pack {
    document_only(include_str!(
        "../../../../../eval/packs/wedgwood/document.txt"
    ))
}

#[test]
fn chronology_never_offers_an_event_whose_order_logic_gives_away() {
    let pack = bundled();
    let dates: HashMap<String, chrono::NaiveDate> = pack
        .events
        .iter()
        .map(|e| (e.title.clone(), e.date))
        .collect();
    let born = pack
        .events
        .iter()
        .find(|e| e.title.contains("Stalin is born"))
        .map(|e| e.date)
        .unwrap();
    let died = pack
        .events
        .iter()
        .find(|e| e.title == "Stalin dies")
        .map(|e| e.date)
        .unwrap();
    let mut asked = 0;
    for q in all_generated(&pack)
        .iter()
        .filter(|q| q.kind == "chronology")
    {
        asked += 1;
        for choice in &q.choices {
            let date = dates[choice];
            // The main figure's birth cannot be "last", their death or a
            // posthumous event "first": neither is offered.
            assert!(date > born && date < died, "{choice} in {q:?}");
            // (Another person's funeral beside other people's events is
            // no give-away: only the main figure's is.)
            assert!(
                !choice.contains("Stalin is born") && !choice.contains("Stalin's funeral"),
                "{q:?}"
            );
        }
        // No two events about the same named thing ("Party decides to
        // build the Moscow Metro", "Moscow Metro opens"): logic orders them.
        for (_, name) in &pack.glossary.entries {
            // Multi-word names ("Moscow Metro"); a city may host two events.
            if !name.contains(' ') || name == "Soviet Union" {
                continue;
            }
            let with = q
                .choices
                .iter()
                .filter(|c| c.contains(name.as_str()))
                .count();
            assert!(with <= 1, "{name} twice in {q:?}");
        }
        // No person's death beside another event of that person.
        let deaths: Vec<&String> = q
            .choices
            .iter()
            .filter(|c| c.contains("dies") || c.contains("executed"))
            .collect();
        for death in deaths {
            let name = death
                .split(|ch: char| !ch.is_alphanumeric())
                .next()
                .unwrap();
            // As a word: "Leningrad" does not name Lenin.
            let with_same = q
                .choices
                .iter()
                .filter(|c| c.split(|ch: char| !ch.is_alphanumeric()).any(|w| w == name))
                .count();
            assert_eq!(with_same, 1, "{name} twice in {q:?}");
        }
    }
    assert!(asked >= 15, "only {asked} chronology questions");
    // The handout: a grandson's marriage after the main figure's death is
    // never one of "his" events.
    for q in all_generated(&handout())
        .iter()
        .filter(|q| q.kind == "chronology")
    {
        assert!(
            !q.choices
                .iter()
                .any(|c| c.contains("1839") || c.contains("married his cousin")),
            "{q:?}"
        );
    }
}

#[test]
fn a_figure_the_document_spells_out_is_changed_in_words() {
    let mut text_ = TEACHER_DOC.to_string();
    text_.push_str(
        "\n\nAbout one hundred thousand prisoners died while the Wedgwood canal was dug through the hills. \
         Wedgwood and Bentley sold about forty thousand vases to buyers in London and Liverpool.",
    );
    let pack = document_only(&text_);
    let mut seen = 0;
    for q in all_generated(&pack)
        .iter()
        .filter(|q| q.kind == "statement")
    {
        for choice in q
            .choices
            .iter()
            .filter(|c| c.contains("prisoners died") || c.contains("vases to buyers"))
        {
            seen += 1;
            assert!(
                !choice.chars().any(|c| c.is_ascii_digit()),
                "{choice} in {q:?}"
            );
        }
    }
    assert!(seen > 0, "no statement used the spelled-out figures");
}

#[test]
fn wrong_places_come_from_the_answers_story_and_its_list() {
    for q in all_generated(&handout())
        .iter()
        .filter(|q| q.kind == "place")
    {
        // A town far from the story, a county among towns, a region for a
        // town that lies in it.
        if ["Burslem", "Stoke", "Hanley", "Etruria", "Longton"].contains(&q.answer()) {
            for wrong in [
                "Philadelphia",
                "Dorset",
                "Devon",
                "Cornwall",
                "North Staffordshire",
            ] {
                assert!(!q.choices.iter().any(|c| c == wrong), "{wrong} in {q:?}");
            }
        }
        assert_ne!(q.answer(), "North Staffordshire", "{q:?}");
    }
}

#[test]
fn bare_first_names_and_bare_heads_are_never_asked_or_offered() {
    for q in all_generated(&handout()) {
        let texts = std::iter::once(&q.prompt).chain(q.choices.iter());
        for text_ in texts {
            // "Charles" or "John" alone, where the document has "Charles
            // Darwin" and "John Flaxman".
            for (_, _, word) in word_spans(text_) {
                assert!(
                    word != "charles" || text_.contains("Charles Darwin"),
                    "{q:?}"
                );
            }
            assert!(
                q.choices.iter().all(|c| c != "John" && c != "Charles"),
                "{q:?}"
            );
            // "the canal" with no canal named.
            if text_.contains("the canal") {
                assert!(text_.contains(" Canal"), "{text_} in {q:?}");
            }
        }
    }
}

#[test]
fn people_are_offered_only_beside_people_of_their_shape_and_time() {
    let handout_questions = all_generated(&handout());
    for q in handout_questions.iter().filter(|q| q.kind == "person") {
        // A title with titles: no daughter as the king's wife.
        if q.answer().starts_with("Queen ") {
            assert!(!q.choices.iter().any(|c| c == "Susannah"), "{q:?}");
        }
        // "told his partner": the partner is not a wrong choice.
        if q.prompt.contains("his partner") {
            assert!(!q.choices.iter().any(|c| c.contains("Wedgwood")), "{q:?}");
        }
    }
    // Someone the essay names only in the war is not offered for the 1920s.
    for q in all_generated(&bundled()) {
        if q.kind == "person" && q.prompt.contains("NEP") {
            assert!(!q.choices.iter().any(|c| c == "Hitler"), "{q:?}");
        }
    }
}

#[test]
fn a_stem_that_spells_part_of_the_answer_is_not_asked() {
    for q in all_generated(&handout()) {
        if q.prompt.contains("cream-coloured") {
            assert_ne!(q.answer(), "creamware", "{q:?}");
        }
    }
    assert!(names_inside("a cream-coloured earthenware", "creamware"));
    assert!(!names_inside("an unglazed stoneware", "jasperware"));
}

#[test]
fn events_that_are_only_someone_speaking_are_not_ordered() {
    let generator = Generator::new(&bundled());
    for word in [
        "article",
        "speaks",
        "addresses",
        "broadcast",
        "speech",
        "invades",
        "signed",
        "opens",
        "executed",
        "congress",
        "plan",
    ] {
        let best = SPOKEN
            .iter()
            .filter_map(|s| english::similarity(word, s))
            .fold(0.0f32, f32::max);
        eprintln!("{word}: {best:.2}");
    }
    for minor in [
        "Stalin's 'Dizzy with Success' article",
        "Stalin speaks on agrarian policy and kulaks",
        "Stalin's 'brothers and sisters' broadcast",
    ] {
        assert!(!generator.worth_ordering(minor), "{minor}");
    }
    for major in [
        "Germany invades the Soviet Union",
        "Nazi-Soviet pact is signed",
        "First Five-Year Plan officially begins",
    ] {
        assert!(generator.worth_ordering(major), "{major}");
    }
}

#[test]
fn finding_7_huge_numbers_in_the_document_do_not_overflow() {
    let pack = document_only(
        "The famine killed 18446744073709551615 people in the Volga region. \
         The debt reached 18446744073709551000 roubles by the end of the war. \
         The army counted 9999999999999999999 soldiers in the winter campaign. \
         About 99999999999 billion rifles were made in the Tula works.",
    );
    let questions = all_generated(&pack);
    for q in questions.iter().filter(|q| q.kind == "number") {
        let distinct: std::collections::HashSet<&String> = q.choices.iter().collect();
        assert_eq!(distinct.len(), q.choices.len(), "{q:?}");
    }
}

#[test]
fn a_stem_with_a_word_of_a_compound_answer_gives_it_away() {
    assert!(compound_part_in(
        "a cream-coloured earthenware",
        "creamware"
    ));
    assert!(compound_part_in(
        "the industrial towns grew during ___",
        "industrialisation"
    ));
    assert!(!compound_part_in("an unglazed stoneware", "jasperware"));
    // A short or common word is no clue ("the" in "theology").
    assert!(!compound_part_in("the study of God", "theology"));
}

#[test]
fn the_documents_kind_of_the_answer_is_never_a_wrong_choice() {
    // "jasperware, an unglazed stoneware": stoneware is not wrong for it.
    for q in all_generated(&handout()) {
        if q.answer() == "jasperware" {
            assert!(!q.choices.iter().any(|c| c == "stoneware"), "{q:?}");
        }
        if q.answer() == "stoneware" {
            assert!(!q.choices.iter().any(|c| c == "jasperware"), "{q:?}");
        }
    }
}

#[test]
fn a_heading_is_not_a_question() {
    let pack = document_only(
        "The Great Flood of Marlow, 1847\n\n\
         In 1847 the river Tamsen burst its banks at Marlow and Henley. \
         The flood destroyed the mill at Marlow, and Henley lost its bridge. \
         Rebuilding the bridge at Henley took the town eleven years. \
         The mill at Marlow was rebuilt by Thomas Acre within two years.",
    );
    for q in all_generated(&pack) {
        assert!(!q.prompt.contains("Flood of"), "{q:?}");
    }
}

#[test]
fn sentences_that_presuppose_an_earlier_one_and_atlas_facts_are_not_asked() {
    let pack = document_only(
        "In 1815 Mount Tambora in Indonesia produced the largest eruption in recorded history. \
         In 1883 the volcanic island of Krakatoa, also in Indonesia, was torn apart by explosions. \
         Mount Fuji in Japan and Mount Vesuvius in Italy are both famous examples. \
         In 1991 Mount Pinatubo in the Philippines threw ash high into the sky, and Manila was covered. \
         In 1902 Mount Pelée destroyed the town of Saint-Pierre on Martinique, killing thousands. \
         In 1980 Mount St Helens in Washington State lost the top of its summit, and ash fell on Yakima.",
    );
    for q in all_generated(&pack) {
        let statement = q.choices.join(" ");
        assert!(
            !q.prompt.contains("also") && !statement.contains("also"),
            "{q:?}"
        );
        assert!(
            !statement.contains("examples") && !q.prompt.contains("examples"),
            "{q:?}"
        );
        for located in ["Tambora in ___", "Pinatubo in ___", "Helens in ___"] {
            assert!(!q.prompt.contains(located), "{q:?}");
        }
    }
    let reads_badly = |t: &str| prepare::reads_badly(t, &Matcher::default(), "");
    assert!(reads_badly("Another eruption followed in the same year."));
    assert!(reads_badly("The town was rebuilt, too."));
    assert!(!reads_badly("The ash was too thick to breathe through."));
}

#[test]
fn a_marriage_and_another_persons_death_are_not_milestone_years() {
    let pack = document_only(
        "Josiah Wedgwood was born in Burslem in 1730 and became a famous potter. \
         Josiah Wedgwood married Sarah Wedgwood in 1764 at the church in Astbury. \
         Thomas Bentley died in 1780, and Josiah Wedgwood was deeply saddened by it. \
         Josiah Wedgwood opened the Etruria works in 1769 near the new canal. \
         Josiah Wedgwood sold creamware to Queen Charlotte in 1765 with great success. \
         Josiah Wedgwood died at Etruria Hall in 1795 after a long illness.",
    );
    for q in all_generated(&pack) {
        assert!(!(q.kind == "year" && q.answer() == "1764"), "{q:?}");
        assert!(!(q.kind == "year" && q.answer() == "1780"), "{q:?}");
    }
}

#[test]
fn key_nouns_are_asked_with_the_documents_other_nouns_of_their_count() {
    let pack = document_only(
        "In some places the rock of the upper mantle partly melts to form magma. \
         Because magma is lighter than the rock around it, the magma slowly rises. \
         When the pressure becomes too great, the magma forces its way up through the crust. \
         Once magma reaches the surface it is called lava, and the lava flows downhill. \
         The crust is thin under the oceans, and the mantle below the crust is hot. \
         An eruption of a volcano can bury a town, and eruptions shake the ground. \
         The eruption of a volcano is often preceded by an earthquake, and earthquakes warn scientists. \
         Each eruption throws a plume of ash into the sky, and the plume can drift far.",
    );
    let generator = Generator::new(&pack);
    // Terms are blanked only from a teacher's glossary.
    let pack = with_saved_glossary(pack);
    assert_eq!(
        generator.glossary().kind_of("crust"),
        Some(EntryKind::Term),
        "{:?}",
        generator.glossary()
    );
    let mass = ["magma", "lava", "crust", "mantle", "rock"];
    let countable = ["eruption", "earthquake", "plume", "volcano"];
    let mut asked = 0;
    for q in all_generated(&pack) {
        let has = |set: &[&str]| {
            q.choices
                .iter()
                .any(|c| set.contains(&c.trim_start_matches("a ").trim_start_matches("an ")))
        };
        if q.kind == "term" && (has(&mass) || has(&countable)) {
            asked += 1;
            assert!(!(has(&mass) && has(&countable)), "{q:?}");
        }
    }
    assert!(asked > 0, "no question on the key nouns");
}

#[test]
fn the_documents_setting_is_not_asked() {
    let pack = document_only(
        "The plague reached Europe in 1347 on ships from the Black Sea.\n\n\
         Within four years it had killed a third of the people of Europe, from Genoa to Bergen.\n\n\
         Europe's population did not recover for about 150 years after the plague.\n\n\
         Venice appointed three officials in 1348 to guard public health against ships from Genoa.\n\n\
         Florence lost more than half of its people, and Venice built hospitals on islands.",
    );
    let mut asked = 0;
    for q in all_generated(&pack) {
        asked += 1;
        assert_ne!(q.answer(), "Europe", "{q:?}");
    }
    assert!(asked > 0);
}

/// A made-up question on sentence facts, for the quiz drawing rules.
fn candidate_on(id: &str, answer: &str, facts: &[Fact]) -> Candidate {
    let mut rng = fastrand::Rng::with_seed(1);
    let question = make_question(
        id.into(),
        format!("{id} ___."),
        answer.into(),
        vec![answer.into()],
        vec!["w1".into(), "w2".into(), "w3".into()],
        match facts.first() {
            Some(Fact::Sentence(s)) => Some(*s),
            _ => None,
        },
        "term",
        None,
        &mut rng,
    );
    Candidate::on(question, facts.to_vec())
}

#[test]
fn a_quiz_never_asks_a_fact_twice_nor_one_it_has_stated() {
    let sentences: Vec<Sentence> =
        Document::parse("Alpha one. Alpha two.\n\nBeta one. Beta two.\n\nGamma one. Gamma two.")
            .sentences()
            .to_vec();
    let centrality = vec![0.5; sentences.len()];
    let glossary = Glossary::default();
    let s = Fact::Sentence;
    let pool = || {
        vec![
            // Two questions on sentence 0 (a name and a year of it).
            candidate_on("a", "A", &[s(0)]),
            candidate_on("b", "B", &[s(0)]),
            // A "does NOT support" on sentence 2 stating 0 and 4 truly.
            Candidate {
                stated: vec![s(0), s(4)],
                ..candidate_on("c", "C", &[s(2), s(0), s(4)])
            },
            candidate_on("d", "D", &[s(4)]),
            candidate_on("e", "E", &[s(5)]),
            candidate_on("f", "F", &[s(1)]),
            candidate_on("g", "G", &[s(3)]),
        ]
    };
    for seed in 0..30 {
        // A quiz the pool fills with fresh facts shows each fact once.
        let mut rng = fastrand::Rng::with_seed(seed);
        let quiz = select(pool(), 4, &sentences, &centrality, &glossary, &mut rng);
        assert_eq!(quiz.len(), 4);
        let mut shown: Vec<usize> = Vec::new();
        for q in &quiz {
            let facts = match q.id.as_str() {
                "a" | "b" => vec![0],
                "c" => vec![2, 0, 4],
                "d" => vec![4],
                "e" => vec![5],
                "f" => vec![1],
                _ => vec![3],
            };
            for f in facts {
                assert!(
                    !shown.contains(&f),
                    "{:?}",
                    quiz.iter().map(|q| &q.id).collect::<Vec<_>>()
                );
                shown.push(f);
            }
        }
        // Asked for more than the pool holds fresh: facts come back among
        // the choices, but none is asked twice.
        let mut rng = fastrand::Rng::with_seed(seed);
        let quiz = select(pool(), 7, &sentences, &centrality, &glossary, &mut rng);
        let ids: Vec<&str> = quiz.iter().map(|q| q.id.as_str()).collect();
        assert!(!(ids.contains(&"a") && ids.contains(&"b")), "{ids:?}");
        assert_eq!(quiz.len(), 6, "{ids:?}");
    }
}

#[test]
fn a_word_that_never_heads_its_phrase_is_no_noun() {
    use super::prepare::heads_phrase;
    let at = |sentence: &str, word: &str| {
        let start = sentence.find(word).unwrap();
        heads_phrase(sentence, start + word.len())
    };
    assert!(!at("A tiny current ran through the wire.", "tiny"));
    assert!(!at("The stronger, better-wound spring held.", "stronger"));
    assert!(at("It flowed from the vent.", "vent"));
    assert!(at("The glaze is fired twice.", "glaze"));
    assert!(at("They mixed the glaze, the clay and the sand.", "glaze"));
    // Nouns of the document, not adjectives, are a term's wrong choices.
    let pack = document_only(
        "A tiny furnace heated the slag. The slag is poured into a mould. \
         A weak furnace made poor slag. The mould was filled with slag and left to cool. \
         Workers broke the mould when the slag had set.",
    );
    let generator = Generator::new(&pack);
    assert!(
        generator.nouns.contains(&"mould".to_string()),
        "{:?}",
        generator.nouns
    );
    assert!(
        !generator.nouns.contains(&"tiny".to_string()),
        "{:?}",
        generator.nouns
    );
    assert!(
        !generator.nouns.contains(&"weak".to_string()),
        "{:?}",
        generator.nouns
    );
}

#[test]
fn a_place_the_sentence_itself_locates_is_never_swapped_in_a_statement() {
    let pack = document_only(
        "In 1402 the bishop Aldric moved his court to Norhaven in northern Valmark, far from the sea.\n\n\
         Merchants from Castelmar brought salt to Norhaven every spring by river barge.\n\n\
         In 1410 a fire destroyed half of Castelmar, and the merchants moved to Dunmere.\n\n\
         The bishop Aldric built a library at Dunmere in 1415 with money from the salt trade.\n\n\
         Pilgrims walked from Dunmere to Castelmar and Norhaven along the old road in summer.\n\n\
         The road from Castelmar to Dunmere was paved in 1431 by order of the bishop Aldric.",
    );
    let generator = Generator::new(&pack);
    let mut rng = fastrand::Rng::with_seed(3);
    let index = generator
        .sentences
        .iter()
        .position(|s| s.text.contains("northern Valmark"))
        .unwrap();
    let prepared = generator.prepared[index].clone().unwrap();
    let spans = generator.spans(&prepared.text);
    let located = spans
        .iter()
        .find(|s| &prepared.text[s.start..s.end] == "Norhaven")
        .unwrap();
    assert!(generator.located_here(&prepared.text, located));
    for _ in 0..10 {
        for c in generator.corruptions(&prepared, &spans, &mut rng) {
            assert_ne!(c.original, "Norhaven", "{c:?}");
        }
    }
}

#[test]
fn only_events_the_document_covers_are_ordered() {
    let mut pack = document_only(
        "The Harwick Canal Company was founded by coal merchants who wanted cheap transport for their coal.\n\n\
         The company dug the canal across the moor with gangs of navvies. \
         The navvies cut locks and tunnels, and many navvies died in the tunnels.\n\n\
         Coal barges reached the town of Tollbridge, and the price of coal in Tollbridge fell by half. \
         The company later built warehouses for coal beside the canal.\n\n\
         Railways took the coal trade from the canal, and the company failed.",
    );
    let event = |year: i32, title: &str, description: &str| crate::content::DatedEvent {
        date: chrono::NaiveDate::from_ymd_opt(year, 5, 1).unwrap(),
        title: title.into(),
        description: description.into(),
        tags: Vec::new(),
        source: None,
        note: None,
        line: 0,
    };
    pack.events = vec![
        event(
            1790,
            "Harwick Canal Company is founded",
            "Coal merchants found the Harwick Canal Company to carry coal cheaply by barge.",
        ),
        event(
            1792,
            "Navvies begin digging the canal",
            "Gangs of navvies begin cutting the canal, its locks and tunnels across the moor.",
        ),
        event(
            1794,
            "Tollbridge mayor hosts a regatta",
            "The mayor of Tollbridge holds a boating regatta with brass bands and fireworks.",
        ),
        event(
            1796,
            "First coal barges reach Tollbridge",
            "Barges of coal reach Tollbridge and the price of coal falls by half.",
        ),
        event(
            1798,
            "Tollbridge cathedral spire is restored",
            "Stonemasons restore the cathedral spire of Tollbridge after a lightning strike.",
        ),
        event(
            1800,
            "Canal warehouses are built",
            "The company builds coal warehouses beside the canal.",
        ),
        event(
            1802,
            "Tollbridge football club is formed",
            "Local shopkeepers form a football club in Tollbridge and play on the common.",
        ),
        event(
            1806,
            "Navvies strike in the tunnels",
            "Navvies digging the tunnels strike after many die in a flood.",
        ),
        event(
            1810,
            "Railway takes the coal trade",
            "A railway opens beside the canal and takes the coal trade; the company fails.",
        ),
    ];
    let generator = Generator::new(&pack);
    let coverage = |title: &str| {
        let at = generator
            .events
            .iter()
            .position(|(_, t)| t == title)
            .unwrap();
        generator.event_coverage[at]
    };
    for minor in [
        "Tollbridge mayor hosts a regatta",
        "Tollbridge cathedral spire is restored",
        "Tollbridge football club is formed",
    ] {
        assert!(
            coverage(minor) < EVENT_COVERAGE,
            "{minor}: {}",
            coverage(minor)
        );
        for q in all_generated(&pack) {
            assert!(!q.choices.iter().any(|c| c == minor), "{q:?}");
        }
    }
    for central in [
        "Harwick Canal Company is founded",
        "Navvies begin digging the canal",
        "First coal barges reach Tollbridge",
        "Railway takes the coal trade",
    ] {
        assert!(
            coverage(central) >= EVENT_COVERAGE,
            "{central}: {}",
            coverage(central)
        );
    }
}

#[test]
fn a_chronology_answer_never_stands_apart_in_time() {
    let years = [1929, 1930, 1932, 1941, 1925];
    let year_of = |i: usize| years[i];
    // 1923 against 1929-1932: the only choice of its period.
    assert!(stands_apart(1923, &[0, 1, 2], year_of));
    // 1941 against 1929-1932: the same, last.
    assert!(stands_apart(1941, &[0, 1, 2], year_of));
    // 1927 against 1925, 1929, 1932: among them.
    assert!(!stands_apart(1927, &[4, 0, 2], year_of));
    // A few years from close neighbours is still a fair question.
    assert!(!stands_apart(1926, &[0, 1, 2], year_of));
    for q in all_generated(&bundled()) {
        if q.kind != "chronology" {
            continue;
        }
        let dates: Vec<i32> = q
            .explanation
            .as_deref()
            .unwrap_or("")
            .trim_start_matches("In order: ")
            .split("; ")
            .filter_map(|d| d.get(..4)?.parse().ok())
            .collect();
        let answer_at = if q.prompt.contains("first") {
            0
        } else {
            dates.len() - 1
        };
        let answer = dates[answer_at];
        let others: Vec<i32> = dates
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != answer_at)
            .map(|(_, y)| *y)
            .collect();
        let nearest = others.iter().map(|y| (y - answer).abs()).min().unwrap();
        let spread = others.iter().max().unwrap() - others.iter().min().unwrap();
        assert!(nearest <= spread.max(APART_YEARS), "{q:?}");
    }
}

#[test]
fn a_coordinated_adjective_is_no_key_noun_but_a_noun_before_its_verb_is() {
    let pack = document_only(
        "The first rope snapped in the storm. The tougher, tarred rope held for a week. \
         Sailors said tougher ropes were worth the cost. \
         The brine forces its way into every strand. A brine bath preserved the hemp. \
         Brine rots untarred hemp within a season.",
    );
    let generator = Generator::new(&pack);
    assert_ne!(
        generator.glossary().kind_of("tougher"),
        Some(EntryKind::Term)
    );
    assert_eq!(generator.glossary().kind_of("brine"), Some(EntryKind::Term));
}

#[test]
fn naming_also_and_one_another_need_no_earlier_sentence() {
    let matcher = Matcher::new(&Glossary::default());
    assert!(!prepare::reads_badly(
        "Composite cones, also called stratocones, are steep.",
        &matcher,
        ""
    ));
    assert!(!prepare::reads_badly(
        "At the margin one plate sinks beneath another in a process called subduction.",
        &matcher,
        ""
    ));
    assert!(prepare::reads_badly(
        "Ash clouds also close airports.",
        &matcher,
        ""
    ));
    assert!(prepare::reads_badly(
        "Lahars are another danger.",
        &matcher,
        ""
    ));
}

#[test]
fn the_true_statement_is_not_the_longest_choice_more_than_by_chance() {
    let pack = handout();
    let mut longest = 0;
    let mut statements = 0;
    for seed in 1..8 {
        for q in Generator::new(&pack).pool(seed) {
            if q.kind != "statement" || q.prompt.contains("NOT") {
                continue;
            }
            statements += 1;
            let answer = q.answer().chars().count();
            if q.choices.iter().all(|c| c.chars().count() <= answer) {
                longest += 1;
            }
        }
    }
    assert!(statements >= 10, "{statements}");
    assert!(
        (longest as f64) / (statements as f64) <= 0.4,
        "{longest} of {statements}"
    );
}

#[test]
fn a_persons_own_life_story_is_not_asked() {
    // Every blind audit failed the year or place of a birth, a marriage or
    // a death as a minor biographical detail, the main figure's included.
    let pack = document_only(TEACHER_DOC);
    let questions = all_generated(&pack);
    assert!(!questions.is_empty());
    let sentences: Vec<&str> = pack
        .document
        .sentences()
        .iter()
        .map(|s| s.text.as_str())
        .collect();
    for q in &questions {
        if q.kind == "year" {
            assert!(
                !["1730", "1739", "1764", "1772", "1780"].contains(&q.answer()),
                "{q:?}"
            );
        }
        if q.kind == "statement" {
            // A changed statement is never about a birth, marriage or death.
            for choice in q
                .choices
                .iter()
                .filter(|c| !sentences.contains(&c.as_str()))
            {
                let lower = choice.to_lowercase();
                for word in [" born ", " died ", " married "] {
                    assert!(!lower.contains(word), "{word}: {q:?}");
                }
            }
        }
    }
}

#[test]
fn a_person_described_in_apposition_is_neither_blanked_nor_swapped() {
    // "was ___, a retired sea captain": the description says which of the
    // people it is, and another name in it reads as absurd.
    let doc = "Marta Quell ran the laboratory at Dunmore for many years. \
Marta Quell tested the new serum on mice in the spring of 1931. \
Oskar Venn grew the mould in hundreds of bottles and bedpans. \
Oskar Venn built a machine that extracted the serum from the broth. \
Ida Frant measured how strong each batch of the serum was. \
Ida Frant wrote the report that the journal printed in 1932. \
The first patient to be treated was Tom Ridley, a retired sea captain. \
Marta Quell and Oskar Venn watched the patient recover for five days. \
Ida Frant and Marta Quell later travelled to Halden to ask for money. \
Oskar Venn stayed at Dunmore and improved the machine.";
    let questions = all_generated(&document_only(doc));
    assert!(!questions.is_empty());
    // Asking which of the people the document describes so is the point of
    // a reverse definition; a blank or a swap inside the description is not.
    for q in questions.iter().filter(|q| q.kind != "definition") {
        let described = q.prompt.contains("a retired sea captain")
            || q.choices.iter().any(|c| {
                c.contains("a retired sea captain")
                    && !c.starts_with("The first patient to be treated was Tom Ridley")
            });
        assert!(!described, "{q:?}");
    }
}

#[test]
fn terms_and_places_of_the_automatic_glossary_are_never_blanked() {
    let mut all: HashSet<String> = HashSet::new();
    for pack in [document_only(TEACHER_DOC), handout()] {
        let questions = all_generated(&pack);
        assert!(questions.len() >= 10, "{}", questions.len());
        let kinds: HashSet<&str> = questions.iter().map(|q| q.kind.as_str()).collect();
        for kind in ["term", "place", "group", "definition"] {
            assert!(!kinds.contains(kind), "a {kind} question: {kinds:?}");
        }
        all.extend(kinds.into_iter().map(str::to_string));
    }
    // People, figures and statements are still asked.
    for kind in ["statement", "person", "number"] {
        assert!(all.contains(kind), "{all:?}");
    }
}

/// A made-up mission history: craft named with a number after them, and
/// people written in full and by one name only.
const MISSIONS: &str = "The Corvid programme was run by the space agency at Larkfield from 1961 to 1972. \
     Corvid 7 lifted off from Larkfield in July 1969 with three crew aboard. \
     The commander of Corvid 7 was Hal Brenner, and the pilot was Joan Marsh. \
     Hal Brenner had flown on Corvid 4 in 1966, when he spent nine days in orbit. \
     Joan Marsh trained as a test pilot before she joined the programme in 1963.\n\n\
     In the control room at Larkfield, the flight director was Reyes. \
     Reyes gave the order to land when the fuel was almost gone. \
     Reyes later said that the landing was the hardest moment of his career. \
     Hal Brenner stepped onto the surface first, and Joan Marsh followed him. \
     Joan Marsh collected forty kilograms of rock during the walk.\n\n\
     Corvid 9 carried Hal Brenner back into orbit in 1971 to repair a satellite. \
     Reyes retired in 1975 and wrote a history of the programme. \
     Joan Marsh became the head of the astronaut office in 1974. \
     Hal Brenner died in 1990 at his home near Larkfield.";

#[test]
fn a_blank_or_a_swap_never_cuts_a_name_before_its_number() {
    let questions = all_generated(&document_only(MISSIONS));
    assert!(!questions.is_empty());
    let mut seen = 0;
    for q in &questions {
        for text_ in std::iter::once(&q.prompt).chain(&q.choices) {
            assert!(
                !text_.contains("___ 7") && !text_.contains("___ 9"),
                "{q:?}"
            );
            for (at, _) in text_.match_indices(" 7").chain(text_.match_indices(" 9")) {
                let before = text_[..at].split_whitespace().next_back().unwrap_or("");
                if before.starts_with(char::is_uppercase) {
                    seen += 1;
                    assert_eq!(before, "Corvid", "{q:?}");
                }
            }
        }
    }
    assert!(seen > 0, "no question shows a numbered craft");
}

#[test]
fn a_one_word_person_is_offered_against_one_word_names() {
    let generator = Generator::new(&document_only(MISSIONS));
    let prepared = generator
        .prepared
        .iter()
        .flatten()
        .find(|p| p.text.starts_with("Reyes "))
        .expect("a sentence about Reyes")
        .clone();
    let spans = generator.spans(&prepared.text);
    let reyes = spans
        .iter()
        .find(|s| &prepared.text[s.start..s.end] == "Reyes")
        .expect("Reyes is a name");
    assert_eq!(reyes.kind, AnswerKind::Person);
    let question = format!("___{}", &prepared.text[reyes.end..]);
    let mut rng = fastrand::Rng::with_seed(5);
    let wrong = generator
        .wrong_choices(&prepared, reyes, &question, &mut rng, 1)
        .expect("another man of the story");
    // "Hal Brenner" in the document; Joan Marsh is a woman ("his career").
    assert_eq!(wrong, ["Brenner"]);
}
