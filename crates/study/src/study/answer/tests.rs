//! Tests of the answerer, one per class of question. The documents here are
//! made up for the tests; none of them is an evaluation question.

use super::*;

fn answerer(text: &str) -> Answerer {
    // No cache on disk: unit tests leave the user's cache folder alone.
    Answerer::with_cache(
        &Document::parse(text),
        &[],
        Params::default(),
        &PassageCache::Off,
    )
}

const TEXT: &str = "Stalin fought Trotsky for power. About ten thousand died building the Moscow Metro.\n\nCollectivisation was compulsory. He started executing members of other parties.";

#[test]
fn finds_the_sentence_that_shares_the_question_words() {
    let a = answerer(TEXT).answer("Who did Stalin fight for power?", 3);
    assert!(a.answered(), "{a:?}");
    assert_eq!(a.hits[0].sentence, 0);
    assert_eq!(a.intent, Intent::Person);
}

#[test]
fn tolerates_typos_and_spelling() {
    let answerer = answerer(TEXT);
    assert_eq!(answerer.answer("trotksy power", 1).hits[0].sentence, 0);
    assert_eq!(
        answerer.answer("was collectivization compulsory", 1).hits[0].sentence,
        2
    );
}

#[test]
fn chat_spelling_and_misspelled_question_words_are_read() {
    let answerer = answerer(
        "Orvald Kestrin was born in Tamsford in a house by the mill.\n\n\
         About two thousand people left the valley after the floods.\n\n\
         The dam was rebuilt after the flood of spring.",
    );
    let a = answerer.answer("wher was orvald kestrin born", 3);
    assert!(a.answered(), "{a:?}");
    assert_eq!(a.hits[0].sentence, 0);
    assert_eq!(a.intent, Intent::Place);
    // The question is reported as asked.
    assert_eq!(a.question, "wher was orvald kestrin born");
    let a = answerer.answer("how many ppl left the valley", 3);
    assert!(a.answered(), "{a:?}");
    assert_eq!(a.hits[0].sentence, 1);
}

#[test]
fn pack_related_terms_still_bridge_domain_words() {
    let answerer = Answerer::new(
        &Document::parse("The kolkhoz replaced the village commune."),
        &[vec!["kolkhoz".into(), "collective farm".into()]],
    );
    let a = answerer.answer("what replaced the commune, the collective farm?", 1);
    assert!(a.answered(), "{a:?}");
}

#[test]
fn refuses_questions_the_document_does_not_cover() {
    let answerer = answerer(TEXT);
    let a = answerer.answer("What is the capital of France?", 3);
    assert!(!a.answered(), "{a:?}");
    assert!(a.hits.is_empty());
    assert!(!a.suggestions.is_empty());
    assert_eq!(answerer.answer("", 3).refusal, Some(RefusalReason::Empty));
    assert_eq!(
        answerer
            .answer("When was collectivisation compulsory?", 3)
            .refusal,
        Some(RefusalReason::NoDate)
    );
}

#[test]
fn dangling_sentences_are_quoted_with_their_antecedent_and_matched_words_marked() {
    let answerer = answerer("Stalin feared plots. He started executing rivals.");
    let a = answerer.answer("executing rivals", 1);
    let hit = &a.hits[0];
    assert_eq!(
        hit.text,
        "Stalin feared plots. He started executing rivals."
    );
    let marked: Vec<&str> = hit.matched.iter().map(|&(s, e)| &hit.text[s..e]).collect();
    assert_eq!(marked, ["executing", "rivals"]);
}

#[test]
fn a_sentence_and_its_joined_copy_take_one_slot() {
    let answerer = answerer(
        "The miller ground grain for the village. It fed the village all winter. Bread was baked daily.",
    );
    let a = answerer.answer("what fed the village grain", 3);
    let shown: Vec<usize> = a.hits.iter().map(|h| h.sentence).collect();
    assert!(!a.hits.is_empty());
    assert!(
        !(shown.contains(&0) && shown.contains(&1)),
        "sentence 1 is quoted with sentence 0 already: {shown:?}"
    );
}

#[test]
fn a_count_question_needs_an_amount_the_question_does_not_give() {
    let answerer = answerer(
        "The Five-year Plan built factories. About ten thousand died building the Moscow Metro.",
    );
    let a = answerer.answer("How many factories did the Five-year Plan build?", 3);
    assert_eq!(a.refusal, Some(RefusalReason::NoQuantity), "{a:?}");
    assert!(
        answerer
            .answer("How many died building the metro?", 3)
            .answered()
    );
}

#[test]
fn a_measurement_question_needs_a_figure_of_that_dimension() {
    let answerer = answerer(
        "The old bridge linked the two halves of the town. About two thousand men died building the bridge.\n\nThe new tower is 120 metres tall. The mayor paid £4,000 for the clock on the tower.",
    );
    // A figure of another kind (men who died) is not a length.
    let a = answerer.answer("how long is the old bridge", 3);
    assert_eq!(a.refusal, Some(RefusalReason::NoQuantity), "{a:?}");
    let a = answerer.answer("how much did the bridge cost", 3);
    assert_eq!(a.refusal, Some(RefusalReason::NoQuantity), "{a:?}");
    let a = answerer.answer("how tall is the new tower?", 3);
    assert!(
        a.answered() && a.hits[0].text.contains("120 metres"),
        "{a:?}"
    );
    let a = answerer.answer("how much did the mayor pay for the clock", 3);
    assert!(a.answered() && a.hits[0].text.contains("£4,000"), "{a:?}");
}

#[test]
fn eras_decades_centuries_and_times_ago_are_dates() {
    assert!(names_a_time("In AD 79 the mountain erupted."));
    assert!(names_a_time("The town fell in 480 BC."));
    assert!(names_a_time("He perfected it in the mid-1770s."));
    assert!(names_a_time(
        "Nobody in the fourteenth century knew about germs."
    ));
    assert!(names_a_time("By the 14th century the city was rich."));
    assert!(names_a_time(
        "It last erupted around 350 million years ago."
    ));
    assert!(!names_a_time("The war went on for centuries."));
    assert!(!names_a_time("The AD campaign sold well."));
    assert!(!names_a_time("It took many years."));
    let answerer = answerer(
        "In AD 79 the mountain erupted and buried the town of Stabiae. Its people had no warning.",
    );
    let a = answerer.answer("when was stabiae buried", 3);
    assert!(a.answered() && a.hits[0].text.contains("AD 79"), "{a:?}");
}

#[test]
fn a_heading_is_never_the_answer() {
    let answerer = answerer(
        "The Great Flood of Riverton, 1921-1922\n\nIn the spring of 1921 heavy rain swept across the valley and the river burst its banks. By the winter the town had been rebuilt.",
    );
    let a = answerer.answer("when did the flood hit riverton", 3);
    assert!(
        a.hits
            .iter()
            .all(|h| !h.text.starts_with("The Great Flood")),
        "{a:?}"
    );
    // Notes made of lines without full stops are the text, not headings.
    let notes = answerer_of_notes();
    let a = notes.answer("what do bees make", 3);
    assert!(a.answered() && a.hits[0].text.contains("honey"), "{a:?}");
}

fn answerer_of_notes() -> Answerer {
    answerer(
        "Bees make honey from nectar\n\nWasps hunt other insects\n\nAnts live in large colonies\n\nTermites eat wood\n\nHornets are large wasps",
    )
}

#[test]
fn a_count_is_answered_by_an_amount_in_words() {
    let answerer = answerer(
        "The weavers lost their looms. Millions of weavers were left without work in the towns.",
    );
    let a = answerer.answer("how many weavers had no work?", 3);
    assert!(a.answered(), "{a:?}");
    assert_eq!(a.hits[0].sentence, 1);
}

#[test]
fn common_words_do_not_decide_coverage_but_rare_unknown_words_do() {
    let answerer = answerer("Stalin was cruel, according to the West. Lenin was practical.");
    let a = answerer.answer("what did the west usually think of stalin", 3);
    assert!(a.answered(), "{a:?}");
    assert_eq!(a.hits[0].sentence, 0);
    let a = answerer.answer("What did the NKVD do to Stalin?", 3);
    assert!(!a.answered(), "{a:?}");
}

#[test]
fn only_common_words_in_common_is_not_an_answer() {
    let answerer = answerer("Stalin was cruel, according to the West.");
    assert!(!answerer.answer("what was usually according", 3).answered());
}

#[test]
fn everyday_words_meet_the_documents_words_with_no_synonym_list() {
    let answerer = answerer(
        "The mill employed many children under ten. The canal carried coal to the town. \
         The owners feared that the workers would strike.",
    );
    let a = answerer.answer("did the mill use kids", 3);
    assert!(a.answered(), "{a:?}");
    assert_eq!(a.hits[0].sentence, 0);
    let a = answerer.answer("what were the owners scared of", 3);
    assert!(a.answered(), "{a:?}");
    assert_eq!(a.hits[0].sentence, 2);
}

#[test]
fn word_families_meet() {
    assert!(base_forms("cruelest").contains(&"cruel".to_string()));
    assert!(base_forms("biggest").contains(&"big".to_string()));
    assert!(base_forms("starvation").contains(&"starve".to_string()));
    let answerer = answerer(
        "The cruel landlord raised the rents. Many tenants began to starve that winter. \
         The region became industrial within a generation.",
    );
    assert_eq!(
        answerer.answer("who was the cruelest", 1).hits[0].sentence,
        0
    );
    assert_eq!(
        answerer.answer("why was there starvation", 1).hits[0].sentence,
        1
    );
    assert_eq!(
        answerer
            .answer("when was the region industrialised", 3)
            .hits
            .len(),
        0,
        "no date: refused"
    );
    assert_eq!(answerer.related("industrialised region", 1)[0].sentence, 2);
}

#[test]
fn yes_no_and_evaluative_questions_are_answered() {
    let answerer = answerer(
        "The flood of that spring was terrible for the farms. The bridge survived the flood.",
    );
    let a = answerer.answer("how bad was the flood", 3);
    assert_eq!(a.intent, Intent::Evaluation);
    assert!(a.answered(), "{a:?}");
    assert_eq!(a.hits[0].sentence, 0);
    let a = answerer.answer("did the bridge survive?", 3);
    assert_eq!(a.intent, Intent::YesNo);
    assert!(a.answered(), "{a:?}");
    assert_eq!(a.hits[0].sentence, 1);
}

#[test]
fn a_negated_word_answers_the_yes_no_question_about_it() {
    let answerer =
        answerer("The kiln fired the pots twice. Basalt ware is an unglazed black stoneware.");
    let a = answerer.answer("is basalt ware glazed", 3);
    assert!(a.answered(), "{a:?}");
    assert_eq!(a.hits[0].sentence, 1);
}

#[test]
fn who_was_x_prefers_the_sentence_that_describes_x() {
    let answerer = answerer(
        "Bentley wrote many letters to Wedgwood about the London shop. \
         Thomas Bentley was a merchant from Liverpool who became his partner.",
    );
    let a = answerer.answer("Who was Bentley?", 3);
    assert_eq!(a.intent, Intent::Definition);
    assert_eq!(a.hits[0].sentence, 1, "{a:?}");
}

#[test]
fn when_did_x_die_needs_the_dying_not_any_date() {
    let answerer = answerer("Josiah Wedgwood opened his works in 1769. He married Sarah in 1764.");
    let a = answerer.answer("When did Wedgwood die?", 3);
    assert!(!a.answered(), "{a:?}");
    let a = answerer.answer("when did wedgwood open his works", 3);
    assert!(a.answered(), "{a:?}");
}

#[test]
fn a_pronoun_inside_a_sentence_points_at_the_person_named_before() {
    let answerer = answerer(
        "Richard Arkwright came from Preston. In 1771 he opened a mill at Cromford. \
         The river there was fast.",
    );
    let a = answerer.answer("where did Arkwright open a mill", 3);
    assert!(a.answered(), "{a:?}");
    assert!(a.hits[0].text.contains("In 1771 he opened a mill"), "{a:?}");
    // With passages of one sentence, the pronoun's sentence is the answer:
    // "he" carries Arkwright's name.
    let document = Document::parse(
        "Richard Arkwright came from Preston. In 1771 he opened a mill at Cromford. \
         The river there was fast.",
    );
    let params = Params {
        next_weight: 0.0,
        ..Params::default()
    };
    let single = Answerer::with_cache(&document, &[], params, &PassageCache::Off);
    let a = single.answer("where did Arkwright open a mill", 3);
    assert!(a.answered(), "{a:?}");
    assert_eq!(a.hits[0].sentence, 1, "{a:?}");
}

#[test]
fn refusals_suggest_phrases_the_document_covers_but_not_the_topic_asked() {
    let answerer = answerer(
        "The famine followed the bad harvest. Collective farms replaced the peasant plots. \
         The Moscow Metro was built by hand.",
    );
    let a = answerer.answer("what did the famine do to the zemstvos", 3);
    assert!(!a.answered(), "{a:?}");
    assert!(!a.suggestions.is_empty());
    assert!(
        !a.suggestions
            .iter()
            .any(|s| s.to_lowercase().contains("famine")),
        "{:?}",
        a.suggestions
    );
}

#[test]
fn greetings_and_thanks_are_small_talk_not_refusals() {
    let answerer = answerer(TEXT);
    assert_eq!(
        answerer.answer("hello!", 3).refusal,
        Some(RefusalReason::SmallTalk(SmallTalk::Greeting))
    );
    assert_eq!(
        answerer.answer("thanks", 3).refusal,
        Some(RefusalReason::SmallTalk(SmallTalk::Thanks))
    );
}

#[test]
fn the_documents_main_subject_need_not_be_named_in_the_answer() {
    // A biography calls its subject "she" for sentences on end, and the
    // sentence before may name someone else.
    let text = "Ada Lovelace was a mathematician. Ada Lovelace grew up in London. \
                Ada Lovelace studied with tutors.\n\nIn 1833 Charles Babbage showed her a \
                calculating machine. She later translated an article about his new engine. \
                Her notes on it contained the first published computer program.";
    let answerer = answerer(text);
    let lovelace = &text::tokenize("Lovelace")[0].term;
    assert!(
        answerer.subject.contains(lovelace),
        "{:?}",
        answerer.subject
    );
    let a = answerer.answer("What did Lovelace translate?", 1);
    assert_eq!(a.signals.names, 1.0, "{a:?}");
    // Another person asked about must still be in the answer.
    let a = answerer.answer("What did Babbage translate?", 1);
    assert!(a.signals.names < 1.0, "{a:?}");
}

fn cached_answerer(text: &str, dir: &std::path::Path) -> Answerer {
    let answerer = Answerer::with_cache(
        &Document::parse(text),
        &[],
        Params::default(),
        &PassageCache::At(dir.to_path_buf()),
    );
    answerer.wait_for_passage_vectors();
    answerer
}

fn cache_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn passage_vectors_are_cached_on_disk_and_give_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let first = cached_answerer(TEXT, dir.path());
    assert_eq!(first.passage_vector_source(), VectorSource::Encoded);
    assert!(first.passage_vectors_ready());
    assert_eq!(cache_files(dir.path()).len(), 1, "one file, no temporaries");

    let second = cached_answerer(TEXT, dir.path());
    assert_eq!(second.passage_vector_source(), VectorSource::Cache);
    assert!(second.passage_vectors_ready());
    for question in ["Who did Stalin fight for power?", "was it compulsory"] {
        let (a, b) = (first.answer(question, 3), second.answer(question, 3));
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{question}");
    }
}

#[test]
fn a_corrupt_or_truncated_cache_file_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    drop(cached_answerer(TEXT, dir.path()));
    let file = cache_files(dir.path()).pop().unwrap();
    let good = std::fs::read(&file).unwrap();

    let mut flipped = good.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 0x40;
    let truncated = good[..good.len() - 7].to_vec();
    let mut other_format = good.clone();
    other_format[8] = 99;
    for (what, bytes) in [
        ("a flipped payload bit", flipped),
        ("a truncated file", truncated),
        ("another format", other_format),
        ("an empty file", Vec::new()),
    ] {
        std::fs::write(&file, &bytes).unwrap();
        let answerer = cached_answerer(TEXT, dir.path());
        assert_eq!(
            answerer.passage_vector_source(),
            VectorSource::Encoded,
            "{what} was used"
        );
        assert_eq!(std::fs::read(&file).unwrap(), good, "{what} not rebuilt");
        assert!(
            answerer
                .answer("Who did Stalin fight for power?", 1)
                .answered()
        );
    }
}

#[test]
fn a_cache_file_of_another_document_is_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let other = "Wedgwood opened a factory in 1769. He supported the canal.";
    drop(cached_answerer(TEXT, dir.path()));
    drop(cached_answerer(other, dir.path()));
    let files = cache_files(dir.path());
    assert_eq!(files.len(), 2, "one file per document");
    // One document's vectors put under the other's name: a stale file.
    std::fs::copy(&files[0], &files[1]).unwrap();
    let sources = [
        cached_answerer(TEXT, dir.path()).passage_vector_source(),
        cached_answerer(other, dir.path()).passage_vector_source(),
    ];
    assert_eq!(
        sources
            .iter()
            .filter(|&&s| s == VectorSource::Encoded)
            .count(),
        1,
        "{sources:?}"
    );
    assert_ne!(
        std::fs::read(&files[0]).unwrap(),
        std::fs::read(&files[1]).unwrap(),
        "the stale file was rebuilt"
    );
}

#[test]
fn a_passage_goes_on_into_the_next_sentence_where_answers_often_are() {
    // The answer is in the sentence after the one that names the volcano,
    // which does not name it again and opens with no pronoun.
    let answerer = answerer(
        "On 18 May 1980 Mount Ember erupted after weeks of small earthquakes. \
         The blast flattened forests and killed 57 people.\n\n\
         Ash from the eruption fell on eleven states.",
    );
    let a = answerer.answer("how many people were killed by mount ember", 3);
    assert!(a.answered(), "{a:?}");
    assert!(a.hits[0].text.contains("killed 57 people"), "{a:?}");
    assert!(a.hits[0].text.contains("Mount Ember"), "{a:?}");
}

#[test]
fn overlapping_passages_never_show_a_sentence_twice() {
    let answerer = answerer(
        "The canal carried clay to the potteries. The canal carried pots to the port. \
         The canal carried coal to the kilns. The canal carried flints to the mills.",
    );
    let a = answerer.answer("what did the canal carry", 3);
    assert!(a.hits.len() >= 2, "{a:?}");
    let sentences = [
        "carried clay",
        "carried pots",
        "carried coal",
        "carried flints",
    ];
    for sentence in sentences {
        let shown = a.hits.iter().filter(|h| h.text.contains(sentence)).count();
        assert!(shown <= 1, "{sentence:?} shown {shown} times: {a:?}");
    }
}

#[test]
fn a_yes_no_question_with_a_when_clause_needs_no_date() {
    let answerer = answerer(
        "Nobody can say exactly when the old dam will break. \
         Engineers inspect the dam every spring.",
    );
    let a = answerer.answer("can engineers tell exactly when the dam will break", 3);
    assert_eq!(a.intent, Intent::YesNo);
    assert!(a.answered(), "{a:?}");
    assert!(a.hits[0].text.contains("Nobody can say"), "{a:?}");
}

#[test]
fn a_when_question_is_answered_by_the_dated_passage_among_the_best() {
    // The first paragraph holds more of the question's words; the dated
    // sentence of the second is the one that answers "when".
    let answerer = answerer(
        "The potter's own business made the potter famous, and his business sold pots \
         across Europe.\n\n\
         He started the business in 1759, in a rented workshop.",
    );
    let a = answerer.answer("when did the potter start his own business", 3);
    assert!(a.answered(), "{a:?}");
    assert!(a.hits[0].text.contains("1759"), "{a:?}");
}

#[test]
fn a_sentence_is_about_the_name_its_paragraph_just_gave() {
    // "Were kids working at Blackmill": the sentence about children does
    // not name the mill; the one before it does.
    let answerer = answerer(
        "Blackmill was the largest cotton mill in the valley. \
         Children worked there for twelve hours a day.\n\n\
         Steam engines came to the valley later.",
    );
    let a = answerer.answer("were kids working at blackmill", 3);
    assert!(a.answered(), "{a:?}");
    assert!(a.hits[0].text.contains("Children worked"), "{a:?}");
}

#[test]
fn a_name_question_needs_a_name_standing_by_the_thing_asked() {
    let answerer = answerer(
        "The harbour master sent the letters across the strait by boat every week. In 1820 the harbour built a new lighthouse.\n\nThe fastest boat on the crossing was the Comet, and its owner was Mary Hale. Her husband kept the accounts of the harbour.",
    );
    // The name given stands by the boat.
    let a = answerer.answer("what was the name of the fastest boat", 3);
    assert!(a.answered() && a.hits[0].text.contains("Comet"), "{a:?}");
    // A passage about the master, naming nothing of him.
    let a = answerer.answer("what was the harbour master called", 3);
    assert_eq!(a.refusal, Some(RefusalReason::NoName), "{a:?}");
    let a = answerer.answer("whats the name of mary hale's husband", 3);
    assert_eq!(a.refusal, Some(RefusalReason::NoName), "{a:?}");
    // "Who was the <role>" asks for the person in it.
    let a = answerer.answer("who was the harbour master", 3);
    assert_eq!(a.refusal, Some(RefusalReason::NoName), "{a:?}");
    let a = answerer.answer("who was the owner of the fastest boat", 3);
    assert!(
        a.answered() && a.hits[0].text.contains("Mary Hale"),
        "{a:?}"
    );
    // "Why is it called" asks for a reason, not a name.
    assert_ne!(
        answerer
            .answer("why was the boat called the comet", 3)
            .refusal,
        Some(RefusalReason::NoName)
    );
}
