//! What sort of thing a name is: a town, a volcano, a country, a disease.
//!
//! Two places (or two terms) can still be of different sorts, and a wrong
//! choice of another sort gives the answer away: a volcano among Roman
//! towns, a continent among countries, a unit among towns. A name's sort
//! comes from, in this order:
//!
//! 1. **The document's own words around it:** "the town of Armero", "the
//!    Roman towns of Pompeii and Herculaneum", "the volcanic island of
//!    Krakatoa", "Krakatoa, a volcanic island", "the volcano Tambora", "X is
//!    a port", and the name's own head word ("Belomor Canal", "River
//!    Thames"). Each mention votes; the most votes win.
//! 2. **What the sentence encoder knows of the name** when the document
//!    says nothing: the nearest sort noun, when it is clearly the nearest
//!    (Indonesia: a country; Europe: a continent; Mars: a planet). Each sort's
//!    mean nearness over the document's names is taken off first, so a sort
//!    noun that is near every name ("city") does not win by default.
//!
//! A name of neither is of unknown sort. Sorts come in families (a town, a
//! city and a port are all settlements), and [`Sorts::compatible`] lets
//! two names be choices together only when both are of one family, or both
//! unknown: a name the document or the encoder places is never offered
//! beside one nobody can place.
//!
//! The sort nouns ([`FAMILIES`]) are general English, the kinds of things
//! that bear proper names; no document's word is in the list because a
//! document used it.

use std::collections::HashMap;
use std::sync::LazyLock;

use lectern_encoder::Encoder;

use super::matcher::Matcher;
use super::prepare::word_spans;
use crate::content::Sentence;
use crate::content::glossary::EntryKind;

/// Families of sort nouns. The first noun of each names the family.
pub const FAMILIES: &[&[&str]] = &[
    &[
        "town",
        "city",
        "village",
        "port",
        "capital",
        "settlement",
        "borough",
    ],
    &[
        "country", "nation", "kingdom", "empire", "republic", "state",
    ],
    &["region", "county", "province", "district", "colony"],
    &["continent"],
    &["island", "archipelago"],
    &["volcano"],
    &["mountain", "peak", "hill", "range"],
    &["river", "stream"],
    &["lake"],
    &["sea", "ocean", "bay", "gulf", "strait"],
    &["desert", "valley", "forest", "plain"],
    &["planet", "moon", "star", "comet"],
    &["ship", "boat", "vessel"],
    &["company", "firm", "business", "bank"],
    &["factory", "works", "mill", "mine", "pottery"],
    &["school", "university", "college", "academy"],
    &[
        "church",
        "cathedral",
        "abbey",
        "monastery",
        "temple",
        "mosque",
    ],
    &["castle", "palace", "fort", "fortress"],
    &["building", "house", "hall", "tower", "museum", "prison"],
    &["bridge"],
    &["canal"],
    &["railway", "road", "street", "route"],
    &["book", "novel", "poem", "play", "report"],
    &["newspaper", "journal", "magazine"],
    &["painting", "sculpture", "statue"],
    &["war", "revolution", "rebellion", "uprising", "invasion"],
    &["battle", "siege"],
    &["treaty", "pact", "agreement", "alliance"],
    &["law", "act", "decree", "policy", "plan"],
    &["party", "movement"],
    &["army", "navy", "regiment"],
    &[
        "organisation",
        "society",
        "association",
        "union",
        "council",
        "committee",
    ],
    &["god", "goddess"],
    &["unit", "scale"],
    &["language"],
    &["religion"],
    &["disease", "plague", "illness", "infection", "bacterium"],
    &["animal", "species"],
    &["plant", "tree", "crop"],
    &["period", "era", "age", "dynasty"],
];

/// Least nearness (less the sort noun's bias) for the encoder to place a
/// name.
const PROBE_FLOOR: f32 = 0.20;
/// Families this close to the nearest are kept as possible too ("Iceland":
/// a country or an island).
const PROBE_LEVEL: f32 = 0.05;

/// Well-known names of many sorts. A sort noun's mean nearness to them is
/// its bias (some nouns are near any name), taken off before the encoder
/// places a name; a fixed set, so the bias does not depend on which sorts
/// a document happens to name most.
const REFERENCE_NAMES: &[&str] = &[
    "London",
    "Paris",
    "Tokyo",
    "France",
    "Brazil",
    "Egypt",
    "Africa",
    "Asia",
    "Texas",
    "Bavaria",
    "Sahara",
    "Thames",
    "Nile",
    "Everest",
    "Alps",
    "Pacific",
    "Jupiter",
    "Titanic",
    "Microsoft",
    "Harvard",
    "Louvre",
    "Parthenon",
    "Bible",
    "Hamlet",
    "Mona Lisa",
    "Waterloo",
    "Magna Carta",
    "NATO",
    "Napoleon",
    "Shakespeare",
    "Buddhism",
    "Latin",
    "Ebola",
    "Renaissance",
    "Zeus",
    "Kelvin",
    "Panama Canal",
    "Golden Gate Bridge",
];

/// The family of a sort noun, singular or plural.
pub fn family_of(word: &str) -> Option<usize> {
    let lower = word.to_lowercase();
    let singulars = [
        Some(lower.clone()),
        lower.strip_suffix("ies").map(|s| format!("{s}y")),
        lower.strip_suffix("es").map(str::to_string),
        lower.strip_suffix('s').map(str::to_string),
    ];
    singulars
        .into_iter()
        .flatten()
        .find_map(|w| FAMILIES.iter().position(|f| f.contains(&w.as_str())))
}

/// Per matcher entry, the family of its sort, where it can be told.
#[derive(Debug, Clone, Default)]
pub struct Sorts {
    /// Per entry: the families it may be of (one where the document says;
    /// those the encoder puts nearly level at the top; none when unknown).
    of: Vec<Vec<usize>>,
}

impl Sorts {
    /// The sorts of the matcher's capitalised non-person entries (people
    /// are told apart by other means, and lowercase terms by their
    /// definitions).
    pub fn new(sentences: &[Sentence], matcher: &Matcher) -> Self {
        let sortable: Vec<bool> = matcher
            .entries
            .iter()
            .map(|(kind, name, _)| {
                *kind != EntryKind::Person && name.chars().next().is_some_and(char::is_uppercase)
            })
            .collect();
        let mut votes: Vec<HashMap<usize, usize>> = vec![HashMap::new(); matcher.entries.len()];
        for (entry, (_, _, words)) in matcher.entries.iter().enumerate() {
            if !sortable[entry] {
                continue;
            }
            // The name's own head: "Belomor Canal", "River Thames".
            let head = [words.last(), words.first()]
                .into_iter()
                .flatten()
                .find_map(|w| (words.len() > 1).then(|| family_of(w)).flatten());
            if let Some(family) = head {
                *votes[entry].entry(family).or_default() += 2;
            }
        }
        for sentence in sentences {
            let text_ = sentence.text.as_str();
            let words = word_spans(text_);
            let found = matcher.find(text_);
            // The family the last name got from "the Ns of X", so that "and
            // Y" after it gets it too.
            let mut carried: Option<(usize, usize)> = None;
            for f in &found {
                if !sortable[f.entry] {
                    carried = None;
                    continue;
                }
                let Some(first) = words.iter().position(|w| w.0 == f.start) else {
                    continue;
                };
                let last = words
                    .iter()
                    .rposition(|w| w.1 <= f.end)
                    .unwrap_or(first)
                    .max(first);
                let word = |i: usize| words.get(i).map(|w| w.2.as_str()).unwrap_or("");
                let before = |n: usize| first.checked_sub(n).map(word).unwrap_or("");
                let mut family = None;
                // "the town of Armero", "the Roman towns of Pompeii".
                if before(1) == "of" {
                    family = family_of(before(2));
                }
                // "the volcano Tambora".
                if family.is_none() && matches!(before(2), "the" | "a" | "an") {
                    family = family_of(before(1));
                }
                // "... of Pompeii and Herculaneum".
                if family.is_none()
                    && matches!(before(1), "and" | "or")
                    && let Some((end_word, carried_family)) = carried
                    && end_word + 2 == first
                {
                    family = Some(carried_family);
                }
                // "Krakatoa, a volcanic island", "Naples is a port".
                if family.is_none() {
                    let after = &text_[f.end..];
                    let lead = [
                        ", a ", ", an ", ", the ", " is a ", " was a ", " is an ", " was an ",
                    ]
                    .iter()
                    .find(|lead| after.starts_with(**lead));
                    if lead.is_some() {
                        family = (last + 2..last + 6)
                            .take_while(|&i| {
                                words.get(i).is_some_and(|w| {
                                    // Within the same clause.
                                    !text_[words[i - 1].1..w.0].contains([',', ';', '.'])
                                })
                            })
                            .find_map(|i| family_of(word(i)));
                    }
                }
                carried = family.map(|fam| (last, fam));
                if let Some(family) = family {
                    *votes[f.entry].entry(family).or_default() += 1;
                }
            }
        }
        let mut of: Vec<Vec<usize>> = votes
            .iter()
            .map(|v| {
                let mut ranked: Vec<(usize, usize)> = v.iter().map(|(f, n)| (*f, *n)).collect();
                ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                ranked.first().map(|(f, _)| *f).into_iter().collect()
            })
            .collect();
        let unplaced: Vec<usize> = (0..of.len())
            .filter(|&e| sortable[e] && of[e].is_empty())
            .collect();
        if !unplaced.is_empty() {
            for (entry, families) in probe(matcher, &unplaced) {
                of[entry] = families;
            }
        }
        Self { of }
    }

    /// The families an entry may be of (empty when unknown).
    pub fn families(&self, entry: usize) -> &[usize] {
        self.of.get(entry).map_or(&[], Vec::as_slice)
    }

    /// The name of an entry's likeliest sort family ("town" for a city or
    /// a port).
    pub fn name(&self, entry: usize) -> Option<&'static str> {
        self.families(entry).first().map(|&f| FAMILIES[f][0])
    }

    /// Whether two entries may be choices together: each may be of the
    /// other's likeliest sort family, or both are of an unknown sort.
    /// Sharing any family is not enough: an island the encoder also finds
    /// near "town" is still first an island, and "Sicily" among three
    /// cities gives the answer away (round-5 audit); "Iceland" (a country,
    /// or an island) still goes with countries.
    pub fn compatible(&self, a: usize, b: usize) -> bool {
        let (a, b) = (self.families(a), self.families(b));
        match (a.first(), b.first()) {
            (None, None) => true,
            (Some(first_a), Some(first_b)) => b.contains(first_a) && a.contains(first_b),
            _ => false,
        }
    }
}

/// The sort nouns' vectors and biases: the same for every document, so
/// made once per process.
struct Nouns {
    family: Vec<usize>,
    vectors: Vec<Vec<f32>>,
    bias: Vec<f32>,
}

static NOUNS: LazyLock<Nouns> = LazyLock::new(|| {
    let encoder = Encoder::global();
    let (family, texts): (Vec<usize>, Vec<&str>) = FAMILIES
        .iter()
        .enumerate()
        .flat_map(|(f, nouns)| nouns.iter().map(move |n| (f, *n)))
        .unzip();
    let vectors = encoder.encode_batch(&texts);
    let reference = encoder.encode_batch(REFERENCE_NAMES);
    let bias = vectors
        .iter()
        .map(|noun| reference.iter().map(|r| dot(r, noun)).sum::<f32>() / reference.len() as f32)
        .collect();
    Nouns {
        family,
        vectors,
        bias,
    }
});

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Least lead of the nearest family over the nearest of another kind for
/// [`world_kinds`] to type a name.
const WORLD_MARGIN: f32 = 0.06;
/// Least nearness for [`world_kinds`].
const WORLD_FLOOR: f32 = 0.25;

/// The glossary kind of a sort family: places, groups of people, terms.
fn kind_of_family(family: usize) -> EntryKind {
    match FAMILIES[family][0] {
        "town" | "country" | "region" | "continent" | "island" | "volcano" | "mountain"
        | "river" | "lake" | "sea" | "desert" | "canal" | "bridge" | "railway" => EntryKind::Place,
        "party" | "army" | "organisation" | "company" => EntryKind::Group,
        _ => EntryKind::Term,
    }
}

/// The kind each name is, by what the encoder knows of it, where it
/// clearly knows: its nearest sort family leads every family of another
/// kind by [`WORLD_MARGIN`]. People are never typed this way (the encoder
/// knows few people), only things a rule may have taken for people.
pub fn world_kinds(names: &[&String]) -> Vec<Option<EntryKind>> {
    let nouns = &*NOUNS;
    let texts: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
    let vectors = Encoder::global().encode_batch(&texts);
    vectors
        .iter()
        .map(|vector| {
            let ranked = ranked_families(nouns, vector);
            let (top, score) = ranked[0];
            let kind = kind_of_family(top);
            let rival = ranked
                .iter()
                .find(|(f, _)| kind_of_family(*f) != kind)
                .map_or(f32::MIN, |r| r.1);
            (score >= WORLD_FLOOR && score - rival >= WORLD_MARGIN).then_some(kind)
        })
        .collect()
}

/// Every family with its nearness to a name's vector (its nearest noun's,
/// less that noun's bias), nearest first.
fn ranked_families(nouns: &Nouns, vector: &[f32]) -> Vec<(usize, f32)> {
    let mut best = vec![f32::MIN; FAMILIES.len()];
    for (j, noun) in nouns.vectors.iter().enumerate() {
        let family = nouns.family[j];
        best[family] = best[family].max(dot(vector, noun) - nouns.bias[j]);
    }
    let mut ranked: Vec<(usize, f32)> = best.into_iter().enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked
}

/// The families the encoder places `unplaced` in, where it can.
fn probe(matcher: &Matcher, unplaced: &[usize]) -> Vec<(usize, Vec<usize>)> {
    let nouns = &*NOUNS;
    let texts: Vec<&str> = unplaced
        .iter()
        .map(|&e| matcher.entries[e].1.as_str())
        .collect();
    let vectors = Encoder::global().encode_batch(&texts);
    let mut placed = Vec::new();
    for (vector, &entry) in vectors.iter().zip(unplaced) {
        let ranked = ranked_families(nouns, vector);
        if ranked[0].1 >= PROBE_FLOOR {
            let top = ranked[0].1;
            let level = ranked
                .iter()
                .take_while(|(_, score)| top - score <= PROBE_LEVEL)
                .map(|(family, _)| *family)
                .collect();
            placed.push((entry, level));
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Document;
    use crate::content::glossary::Glossary;

    #[test]
    fn names_go_together_only_when_each_may_be_of_the_others_likeliest_sort() {
        let family = |w: &str| family_of(w).unwrap();
        let (town, island, country) = (family("town"), family("island"), family("country"));
        let sorts = Sorts {
            of: vec![
                vec![town],            // a city
                vec![island, town],    // an island the encoder also finds near "town"
                vec![country, island], // a country that is an island
                vec![country],
                vec![],
                vec![],
            ],
        };
        assert!(!sorts.compatible(0, 1));
        assert!(sorts.compatible(2, 3));
        assert!(!sorts.compatible(1, 2));
        assert!(sorts.compatible(4, 5));
        assert!(!sorts.compatible(0, 4));
    }

    fn sorts_of(text_: &str, places: &[&str]) -> (Sorts, Matcher) {
        let mut glossary = Glossary::default();
        for place in places {
            glossary.entries.push((EntryKind::Place, place.to_string()));
        }
        let matcher = Matcher::new(&glossary);
        let document = Document::parse(text_);
        (Sorts::new(document.sentences(), &matcher), matcher)
    }

    fn name_of(sorts: &Sorts, matcher: &Matcher, name: &str) -> Option<&'static str> {
        let entry = matcher.entries.iter().position(|e| e.1 == name).unwrap();
        sorts.name(entry)
    }

    #[test]
    fn the_document_words_around_a_name_give_its_sort() {
        let (sorts, matcher) = sorts_of(
            "Ash buried the Roman towns of Zorbal and Quenta. \
             A mudflow buried the town of Vantrell. \
             In 1883 the volcanic island of Merrak was torn apart. \
             Tolvast, a young volcano, grew in a field. \
             The Grand Ossery Canal carried the clay.",
            &[
                "Zorbal",
                "Quenta",
                "Vantrell",
                "Merrak",
                "Tolvast",
                "Grand Ossery Canal",
            ],
        );
        assert_eq!(name_of(&sorts, &matcher, "Zorbal"), Some("town"));
        assert_eq!(name_of(&sorts, &matcher, "Quenta"), Some("town"));
        assert_eq!(name_of(&sorts, &matcher, "Vantrell"), Some("town"));
        assert_eq!(name_of(&sorts, &matcher, "Merrak"), Some("island"));
        assert_eq!(name_of(&sorts, &matcher, "Tolvast"), Some("volcano"));
        assert_eq!(
            name_of(&sorts, &matcher, "Grand Ossery Canal"),
            Some("canal")
        );
        let entry = |n: &str| matcher.entries.iter().position(|e| e.1 == n).unwrap();
        assert!(sorts.compatible(entry("Zorbal"), entry("Vantrell")));
        assert!(!sorts.compatible(entry("Zorbal"), entry("Merrak")));
    }

    #[test]
    fn well_known_names_are_placed_by_the_encoder_and_the_rest_stay_unknown() {
        let (sorts, matcher) = sorts_of(
            "Ash from Iceland reached Japan. Mars has one too, and Vesuvius. \
             Plovdak and Sernit were quiet.",
            &["Iceland", "Japan", "Mars", "Vesuvius", "Plovdak", "Sernit"],
        );
        assert_eq!(name_of(&sorts, &matcher, "Japan"), Some("country"));
        assert_eq!(name_of(&sorts, &matcher, "Mars"), Some("planet"));
        assert_eq!(name_of(&sorts, &matcher, "Vesuvius"), Some("volcano"));
        assert_eq!(name_of(&sorts, &matcher, "Plovdak"), None);
        let entry = |n: &str| matcher.entries.iter().position(|e| e.1 == n).unwrap();
        assert!(sorts.compatible(entry("Iceland"), entry("Japan")));
        assert!(!sorts.compatible(entry("Mars"), entry("Japan")));
        assert!(!sorts.compatible(entry("Vesuvius"), entry("Japan")));
        assert!(sorts.compatible(entry("Plovdak"), entry("Sernit")));
        assert!(!sorts.compatible(entry("Plovdak"), entry("Japan")));
    }
}
