//! Wrong choices that are wrong, and give nothing away.
//!
//! - Numbers: the right answer's rank among the four is drawn at random, so
//!   "the middle value" or "the largest" is right one time in four; an
//!   approximate figure ("about 20 miles") has neighbours at least 40% away;
//!   no two choices are ten times apart (a "×10 partner" would point at the
//!   answer).
//! - Years stay years: a few years either side, never "1,848".
//! - Names and terms: the same kind, capitalisation and number as the
//!   answer, never another name of it, a synonym or a part of it, and never
//!   one that put into the sentence gives a statement the document (or the
//!   pack's dated events) also makes ([`Support`]).

use std::collections::{HashMap, HashSet};

use crate::study::text;

/// Rounds to `figures` significant figures (2: "23,456" -> "23,000").
fn round_nicely(value: f64, figures: u32) -> u64 {
    if value < 10.0 {
        return value.round().max(1.0) as u64;
    }
    let magnitude = 10f64.powi(value.log10().floor() as i32 + 1 - figures.max(1) as i32);
    ((value / magnitude).round() * magnitude) as u64
}

/// Significant figures of a whole number: "10,000" has 1, "47,000" 2,
/// "1,234" 4. A wrong figure has as many as the answer, so the answer is
/// never the only round one (or the only precise one).
fn significant_figures(value: u64) -> u32 {
    let digits = value.to_string();
    digits.trim_end_matches('0').len().max(1) as u32
}

fn ten_times_apart(a: u64, b: u64) -> bool {
    let (small, large) = (a.min(b) as f64, a.max(b) as f64);
    small > 0.0 && (large / small - 10.0).abs() < 1.0
}

/// Three wrong numbers for `value`. `approximate`: the figure is rough
/// ("about", a round number), so neighbours stay at least 40% away.
pub fn number_distractors(
    value: u64,
    approximate: bool,
    rng: &mut fastrand::Rng,
) -> Option<Vec<u64>> {
    let figures = significant_figures(value).min(4);
    for _ in 0..80 {
        let mut below_count = rng.usize(0..4);
        // Nothing sensible below 2: the answer is the smallest.
        if value < 4 {
            below_count = 0;
        }
        let mut values = Vec::new();
        let step = |current: u64, up: bool, rng: &mut fastrand::Rng| -> u64 {
            if !approximate && value < 20 {
                let delta = (current as f64 * 0.25).ceil().max(1.0) as u64 + rng.u64(0..2);
                if up {
                    current + delta
                } else {
                    current.saturating_sub(delta)
                }
            } else {
                // An exact figure from 20 to 99 (an age, a share, a small
                // count) moves by 15-35% per step, both ways: "21" against
                // 64 and 150, or 6 and 9, was ruled out as no voting age
                // (round-9 audit).
                let factor = if !approximate && value < 100 {
                    1.15 + rng.f64() * 0.2
                } else {
                    1.5 + rng.f64() * 0.8
                };
                if up {
                    round_nicely(current as f64 * factor, figures)
                } else {
                    round_nicely(current as f64 / factor, figures)
                }
            }
        };
        let mut current = value;
        for _ in 0..below_count {
            current = step(current, false, rng);
            values.push(current);
        }
        current = value;
        for _ in below_count..3 {
            current = step(current, true, rng);
            values.push(current);
        }
        let mut all = values.clone();
        all.push(value);
        all.sort_unstable();
        let distinct = all.windows(2).all(|w| w[0] != w[1]);
        // A count of things: at least 2, so no "1 vases".
        let positive = all.iter().all(|v| *v >= 2);
        let far_enough = !approximate || all.windows(2).all(|w| w[1] as f64 >= w[0] as f64 * 1.4);
        let no_tens = all
            .iter()
            .enumerate()
            .all(|(i, a)| all[i + 1..].iter().all(|b| !ten_times_apart(*a, *b)));
        // As round as the answer: "10,000" among "1,200" and "4,400" is
        // the only round figure, and so the answer to an "about".
        let as_round = figures > 2
            || values
                .iter()
                .all(|v| *v < 10 || significant_figures(*v) == figures);
        if distinct && positive && far_enough && no_tens && as_round {
            return Some(values);
        }
    }
    None
}

/// Three wrong years for `year`: a few years either side, the answer's
/// rank random, preferring years the document names (`known`) when they
/// are near enough, so "a year seen elsewhere" is no clue either.
pub fn year_distractors(year: i32, known: &[i32], rng: &mut fastrand::Rng) -> Vec<i32> {
    let below_count = rng.usize(0..4);
    let mut chosen: Vec<i32> = Vec::new();
    let ok = |candidate: i32, chosen: &[i32]| {
        candidate != year
            && (candidate - year).abs() >= 2
            && chosen.iter().all(|c| (c - candidate).abs() >= 2)
            && candidate > 0
    };
    // At most one year from the document on each side.
    for (side, count) in [(-1, below_count), (1, 3 - below_count)] {
        if count == 0 {
            continue;
        }
        let mut near: Vec<i32> = known
            .iter()
            .copied()
            .filter(|k| (k - year).signum() == side && (k - year).abs() <= 12 && ok(*k, &chosen))
            .collect();
        near.dedup();
        let mut current = year;
        let mut used_known = false;
        for _ in 0..count {
            let candidate = if !used_known && !near.is_empty() && rng.bool() {
                used_known = true;
                near[rng.usize(..near.len())]
            } else {
                current + side * rng.i32(2..7)
            };
            let candidate = if ok(candidate, &chosen) && (candidate - current).signum() == side {
                candidate
            } else {
                current + side * rng.i32(2..7)
            };
            chosen.push(candidate);
            current = candidate;
        }
    }
    chosen
}

/// A number in words, as a document writes it: "fifty-two thousand",
/// "five thousand six hundred", "one hundred thousand".
pub fn spell_number(value: u64) -> String {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    fn below_thousand(n: u64, out: &mut Vec<String>) {
        let (hundreds, rest) = (n / 100, n % 100);
        if hundreds > 0 {
            out.push(format!("{} hundred", ONES[hundreds as usize]));
        }
        if rest == 0 {
            return;
        }
        if hundreds > 0 {
            out.push("and".into());
        }
        if rest < 20 {
            out.push(ONES[rest as usize].into());
        } else if rest % 10 == 0 {
            out.push(TENS[(rest / 10) as usize].into());
        } else {
            out.push(format!(
                "{}-{}",
                TENS[(rest / 10) as usize],
                ONES[(rest % 10) as usize]
            ));
        }
    }
    if value == 0 {
        return ONES[0].into();
    }
    let mut out: Vec<String> = Vec::new();
    let mut rest = value;
    for (size, name) in [
        (1_000_000_000, "billion"),
        (1_000_000, "million"),
        (1_000, "thousand"),
    ] {
        if rest >= size {
            below_thousand(rest / size, &mut out);
            out.push(name.into());
            rest %= size;
        }
    }
    below_thousand(rest, &mut out);
    out.join(" ")
}

/// "100,000" with thousands separators.
pub fn format_number(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the document (and the pack's events) state, as sets of terms, to
/// check that a wrong choice really is wrong.
#[derive(Debug, Default)]
pub struct Support {
    texts: Vec<HashSet<String>>,
    /// The sentence each text is (None for events).
    sentence: Vec<Option<usize>>,
    postings: HashMap<String, Vec<usize>>,
}

/// A statement to check: its names (each with its other names) and its
/// other content terms.
#[derive(Debug, Default, Clone)]
pub struct Claim {
    /// Each name as alternative term lists: any one of them may appear.
    pub names: Vec<Vec<Vec<String>>>,
    pub terms: Vec<String>,
}

impl Support {
    pub fn new<'a>(
        sentences: impl Iterator<Item = &'a str>,
        events: impl Iterator<Item = String>,
    ) -> Self {
        let mut support = Self::default();
        for (index, sentence) in sentences.enumerate() {
            support.add(sentence, Some(index));
        }
        for event in events {
            support.add(&event, None);
        }
        support
    }

    fn add(&mut self, text_: &str, sentence: Option<usize>) {
        let id = self.texts.len();
        let terms: HashSet<String> = text::tokenize(text_)
            .into_iter()
            .filter(|t| !t.is_stopword)
            .map(|t| t.term)
            .collect();
        // Ids grow, so every posting list stays sorted.
        for term in &terms {
            self.postings.entry(term.clone()).or_default().push(id);
        }
        self.texts.push(terms);
        self.sentence.push(sentence);
    }

    /// Whether a sentence of the document (not only an event) has this
    /// term.
    pub fn knows(&self, term: &str) -> bool {
        self.postings
            .get(term)
            .is_some_and(|ids| ids.iter().any(|&id| self.sentence[id].is_some()))
    }

    /// Whether a text other than sentence `except` states `candidate` (its
    /// terms) together with the claim: every name of the claim (in any of
    /// its forms) and at least half of its other terms.
    pub fn supports(&self, candidate: &[String], claim: &Claim, except: Option<usize>) -> bool {
        self.supports_in(candidate, claim, &self.naming(claim), except)
    }

    /// The texts that name everything a claim names (in some form), found
    /// once per claim and reused for every candidate: sorted id lists
    /// intersected, so a large document checks only the few texts that
    /// could support the claim. None when the claim names nothing.
    pub fn naming(&self, claim: &Claim) -> Option<Vec<usize>> {
        let postings = |term: &String| self.postings.get(term).map_or(&[][..], Vec::as_slice);
        let mut lists: Vec<Vec<usize>> = Vec::new();
        for forms in &claim.names {
            let mut any: Vec<usize> = Vec::new();
            for form in forms.iter().filter(|f| !f.is_empty()) {
                let mut holding: Vec<usize> = postings(&form[0]).to_vec();
                for term in &form[1..] {
                    holding = intersect(&holding, postings(term));
                }
                any = union(&any, &holding);
            }
            lists.push(any);
        }
        lists.sort_by_key(Vec::len);
        let mut lists = lists.into_iter();
        let mut naming = lists.next()?;
        for list in lists {
            naming = intersect(&naming, &list);
        }
        Some(naming)
    }

    /// [`Support::supports`] with the claim's [`Support::naming`] texts.
    pub fn supports_in(
        &self,
        candidate: &[String],
        claim: &Claim,
        naming: &Option<Vec<usize>>,
        except: Option<usize>,
    ) -> bool {
        if candidate.is_empty() {
            return false;
        }
        let needed = claim.terms.len().div_ceil(2).max(1);
        let holds = |id: &usize| {
            if except.is_some() && self.sentence[*id] == except {
                return false;
            }
            let text = &self.texts[*id];
            candidate.iter().all(|t| text.contains(t))
                && (claim.terms.is_empty() && !claim.names.is_empty()
                    || claim.terms.iter().filter(|t| text.contains(*t)).count() >= needed)
        };
        match naming {
            Some(ids) => ids.iter().any(holds),
            None => {
                let rarest = candidate
                    .iter()
                    .min_by_key(|t| self.postings.get(*t).map_or(0, Vec::len));
                rarest
                    .and_then(|t| self.postings.get(t))
                    .is_some_and(|ids| ids.iter().any(holds))
            }
        }
    }
}

/// Ids in both sorted lists.
fn intersect(a: &[usize], b: &[usize]) -> Vec<usize> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Ids in either sorted list, sorted.
fn union(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = a.iter().chain(b).copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The content terms of a phrase (stems, numbers as digits).
pub fn terms(phrase: &str) -> Vec<String> {
    text::content_terms(phrase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_choices_are_far_apart_random_in_rank_and_never_ten_times() {
        let mut rng = fastrand::Rng::with_seed(3);
        let mut ranks = [0usize; 4];
        for value in [20u64, 50, 100_000, 10_000, 900, 1_200] {
            for _ in 0..50 {
                let wrong = number_distractors(value, true, &mut rng).unwrap();
                let mut all = wrong.clone();
                all.push(value);
                all.sort_unstable();
                for w in all.windows(2) {
                    assert!(w[1] as f64 >= w[0] as f64 * 1.4, "{all:?}");
                }
                for (i, a) in all.iter().enumerate() {
                    for b in &all[i + 1..] {
                        assert!(!ten_times_apart(*a, *b), "{all:?}");
                    }
                }
                ranks[all.iter().position(|v| *v == value).unwrap()] += 1;
            }
        }
        // Each rank at least a sixth of the time (a quarter expected).
        assert!(ranks.iter().all(|r| *r >= 50), "{ranks:?}");
    }

    #[test]
    fn small_exact_counts_get_near_but_distinct_neighbours() {
        let mut rng = fastrand::Rng::with_seed(1);
        let wrong = number_distractors(8, false, &mut rng).unwrap();
        assert_eq!(wrong.len(), 3);
        assert!(
            wrong.iter().all(|w| *w != 8 && *w >= 1 && *w <= 20),
            "{wrong:?}"
        );
    }

    #[test]
    fn an_exact_figure_under_a_hundred_keeps_to_its_range() {
        // "Over the age of 21": 64 and 150 are no voting ages.
        let mut rng = fastrand::Rng::with_seed(9);
        for value in [21u64, 34] {
            for _ in 0..50 {
                let wrong = number_distractors(value, false, &mut rng).unwrap();
                assert!(
                    wrong
                        .iter()
                        .all(|w| *w * 4 >= value && *w <= value * 7 / 2 && *w != value),
                    "{value}: {wrong:?}"
                );
            }
        }
    }

    #[test]
    fn wrong_figures_are_as_round_as_the_answer() {
        let mut rng = fastrand::Rng::with_seed(5);
        for (value, figures) in [(10_000u64, 1), (20, 1), (47_000, 2), (150, 2)] {
            for _ in 0..30 {
                let wrong = number_distractors(value, true, &mut rng).unwrap();
                for w in wrong {
                    assert_eq!(significant_figures(w), figures, "{value}: {w}");
                }
            }
        }
    }

    #[test]
    fn numbers_are_spelled_as_a_document_spells_them() {
        assert_eq!(spell_number(52_000), "fifty-two thousand");
        assert_eq!(spell_number(100_000), "one hundred thousand");
        assert_eq!(spell_number(5_600), "five thousand six hundred");
        assert_eq!(spell_number(64), "sixty-four");
        assert_eq!(spell_number(900), "nine hundred");
        assert_eq!(spell_number(1_500_000), "one million five hundred thousand");
    }

    #[test]
    fn years_stay_years_a_few_apart() {
        let mut rng = fastrand::Rng::with_seed(2);
        for _ in 0..100 {
            let wrong = year_distractors(1759, &[1762, 1764, 1730], &mut rng);
            assert_eq!(wrong.len(), 3);
            let mut all = wrong.clone();
            all.push(1759);
            all.sort_unstable();
            assert!(all.windows(2).all(|w| w[1] - w[0] >= 2), "{all:?}");
            assert!(all.iter().all(|y| (1700..1800).contains(y)), "{all:?}");
        }
        assert_eq!(format_number(100_000), "100,000");
    }

    #[test]
    fn a_candidate_the_document_also_states_is_supported() {
        let support = Support::new(
            [
                "About 100,000 died building the Belomor Canal.",
                "Russia signed a pact with Japan.",
            ]
            .into_iter(),
            ["Nazi-Soviet pact is signed: Germany and the Soviet Union sign a pact.".to_string()]
                .into_iter(),
        );
        let russia = vec![terms("Russia"), terms("Soviet Union")];
        let claim = Claim {
            names: vec![russia],
            terms: terms("signed a pact with"),
        };
        assert!(support.supports(&terms("Germany"), &claim, Some(1)));
        assert!(!support.supports(&terms("France"), &claim, Some(1)));
        let canal = Claim {
            names: vec![vec![terms("Moscow Metro")]],
            terms: terms("died building"),
        };
        assert!(!support.supports(&terms("100,000"), &canal, None));
    }
}
