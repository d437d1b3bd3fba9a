//! Questions that ask for a measurement, and sentences that give one.
//!
//! "How tall is X", "how hot is Y", "how much did Z cost" ask for a figure
//! of one dimension: a height, a temperature, a sum of money. A sentence
//! that names X but gives no such figure does not answer, however close
//! its words are ("the canal linked two rivers" for "how long is the
//! canal"). The units are general English, the same for every document.

use super::super::text;
use super::intent::question_words;

/// A dimension a question can ask to be measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Length,
    /// "How long is/was X": a length or a time, the question does not say.
    LengthOrTime,
    Temperature,
    Weight,
    Money,
}

/// The dimensions a sentence gives a figure for, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measures(u8);

const LENGTH: u8 = 1;
const TIME: u8 = 2;
const TEMPERATURE: u8 = 4;
const WEIGHT: u8 = 8;
const MONEY: u8 = 16;

const LENGTH_UNITS: &[&str] = &[
    "mile",
    "miles",
    "kilometre",
    "kilometres",
    "kilometer",
    "kilometers",
    "km",
    "metre",
    "metres",
    "meter",
    "meters",
    "foot",
    "feet",
    "ft",
    "yard",
    "yards",
    "inch",
    "inches",
    "centimetre",
    "centimetres",
    "centimeter",
    "centimeters",
    "cm",
    "millimetre",
    "millimetres",
    "mm",
    "league",
    "leagues",
    "fathom",
    "fathoms",
];
const TIME_UNITS: &[&str] = &[
    "second",
    "seconds",
    "minute",
    "minutes",
    "hour",
    "hours",
    "day",
    "days",
    "week",
    "weeks",
    "fortnight",
    "month",
    "months",
    "year",
    "years",
    "decade",
    "decades",
    "century",
    "centuries",
    "millennium",
    "millennia",
];
const TEMPERATURE_UNITS: &[&str] = &["degree", "degrees", "celsius", "centigrade", "fahrenheit"];
const WEIGHT_UNITS: &[&str] = &[
    "ton",
    "tons",
    "tonne",
    "tonnes",
    "kilogram",
    "kilograms",
    "kilo",
    "kilos",
    "kg",
    "pound",
    "pounds",
    "lb",
    "lbs",
    "ounce",
    "ounces",
    "oz",
    "gram",
    "grams",
    "hundredweight",
];
const MONEY_UNITS: &[&str] = &[
    "pound",
    "pounds",
    "penny",
    "pence",
    "shilling",
    "shillings",
    "guinea",
    "guineas",
    "sovereign",
    "sovereigns",
    "dollar",
    "dollars",
    "cent",
    "cents",
    "euro",
    "euros",
    "franc",
    "francs",
    "rouble",
    "roubles",
    "ruble",
    "rubles",
    "florin",
    "florins",
    "ducat",
    "ducats",
    "crown",
    "crowns",
    "lira",
    "lire",
    "yen",
    "fortune",
];
const CURRENCY_SIGNS: &[char] = &['£', '$', '€', '¥'];

/// Words besides the number words that state how many of a unit: "a
/// mile", "half a ton", "dozens of pounds".
const FIGURE_WORDS: &[&str] = &[
    "a", "an", "half", "quarter", "dozen", "dozens", "few", "several", "many",
];

/// "N times hotter", "N times as tall as": a figure by comparison.
const COMPARATIVES: &[(&str, u8)] = &[
    ("longer", LENGTH),
    ("taller", LENGTH),
    ("higher", LENGTH),
    ("deeper", LENGTH),
    ("wider", LENGTH),
    ("thicker", LENGTH),
    ("tall", LENGTH),
    ("high", LENGTH),
    ("long", LENGTH),
    ("deep", LENGTH),
    ("wide", LENGTH),
    ("thick", LENGTH),
    ("hotter", TEMPERATURE),
    ("colder", TEMPERATURE),
    ("warmer", TEMPERATURE),
    ("hot", TEMPERATURE),
    ("heavier", WEIGHT),
    ("heavy", WEIGHT),
    ("dearer", MONEY),
    ("cheaper", MONEY),
    ("expensive", MONEY),
];

/// Words of a "how much" question that make it a question about money.
const MONEY_WORDS: &[&str] = &[
    "cost", "costs", "pay", "paid", "pays", "spend", "spent", "charge", "charged", "earn",
    "earned", "earns", "worth", "price", "money", "sell", "sold", "wage", "wages", "salary", "fee",
    "fees", "fine",
];

impl Dimension {
    /// The dimension a question asks to be measured, if it asks for one:
    /// "how tall/high/deep/thick/wide", "how hot/cold", "how heavy", "how
    /// long is X", "how much did it cost", "what was the price of X".
    /// "How long did it take" and "how far did they get" are left alone:
    /// students ask them of answers that give no unit ("after thousands
    /// of trials", "nowhere near").
    pub fn asked(question: &str) -> Option<Dimension> {
        let words = question_words(question);
        let has = |w: &str| words.iter().any(|x| x == w);
        for (i, word) in words.iter().enumerate() {
            if word != "how" {
                continue;
            }
            let next = words.get(i + 1).map(String::as_str);
            let after = words.get(i + 2).map(String::as_str);
            match next {
                Some("tall" | "high" | "deep" | "thick" | "wide" | "broad") => {
                    return Some(Dimension::Length);
                }
                Some("hot" | "cold" | "warm") => return Some(Dimension::Temperature),
                Some("heavy") => return Some(Dimension::Weight),
                Some("long") if matches!(after, Some("is" | "was" | "are" | "were")) => {
                    return Some(Dimension::LengthOrTime);
                }
                Some("much") if MONEY_WORDS.iter().any(|w| has(w)) => {
                    return Some(Dimension::Money);
                }
                Some("much") if has("weigh") || has("weighed") || has("weighs") => {
                    return Some(Dimension::Weight);
                }
                _ => {}
            }
        }
        let what = has("what") || has("whats");
        if what && (has("price") || has("cost")) && !has("why") {
            return Some(Dimension::Money);
        }
        if what && has("temperature") {
            return Some(Dimension::Temperature);
        }
        None
    }

    fn bits(self) -> u8 {
        match self {
            Dimension::Length => LENGTH,
            Dimension::LengthOrTime => LENGTH | TIME,
            Dimension::Temperature => TEMPERATURE,
            Dimension::Weight => WEIGHT,
            Dimension::Money => MONEY,
        }
    }
}

impl Measures {
    /// The dimensions a sentence gives a figure for: a unit after a
    /// figure ("20 miles", "a fortnight", "hundreds of pounds"), a figure
    /// with its unit or sign attached ("400m", "£5", "30°C"), or a
    /// comparison by a figure ("five times hotter than an oven").
    pub fn of(sentence: &str) -> Measures {
        let mut bits = 0;
        let lower = sentence.to_lowercase();
        // Currency signs and degree signs glued to a figure.
        let chars: Vec<char> = lower.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let digit_after = chars.get(i + 1).is_some_and(char::is_ascii_digit);
            let digit_before = i > 0 && chars[i - 1].is_ascii_digit();
            if CURRENCY_SIGNS.contains(&c) && digit_after {
                bits |= MONEY;
            }
            if c == '°' && (digit_before || (i > 1 && chars[i - 2].is_ascii_digit())) {
                bits |= TEMPERATURE;
            }
        }
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric() && c != '.' && c != ',')
            .map(|w| w.trim_matches(|c: char| c == '.' || c == ','))
            .filter(|w| !w.is_empty())
            .collect();
        let is_figure = |w: &str| {
            w.starts_with(|c: char| c.is_ascii_digit())
                || FIGURE_WORDS.contains(&w)
                || text::is_number_word(w)
        };
        for (i, &word) in words.iter().enumerate() {
            // "400m", "5km", "30c": a figure with its unit attached.
            if let Some(at) = word.find(|c: char| !c.is_ascii_digit() && c != '.' && c != ',')
                && at > 0
            {
                bits |= unit_bits(&word[at..]) & !MONEY;
            }
            let unit = unit_bits(word);
            if unit != 0 {
                // A figure within three words before: "20 miles", "two and
                // a half miles", "hundreds of pounds".
                let from = i.saturating_sub(3);
                if words[from..i].iter().any(|w| is_figure(w)) {
                    bits |= unit;
                }
            }
            if word == "times" && i > 0 && is_figure(words[i - 1]) {
                for &next in words.iter().skip(i + 1).take(2) {
                    if let Some(&(_, dim)) = COMPARATIVES.iter().find(|(w, _)| *w == next) {
                        bits |= dim;
                    }
                }
            }
        }
        Measures(bits)
    }

    /// Whether it gives a figure of the dimension asked.
    pub fn gives(self, dimension: Dimension) -> bool {
        self.0 & dimension.bits() != 0
    }
}

/// The dimensions a unit word measures ("pound": weight and money).
fn unit_bits(word: &str) -> u8 {
    let mut bits = 0;
    for (units, bit) in [
        (LENGTH_UNITS, LENGTH),
        (TIME_UNITS, TIME),
        (TEMPERATURE_UNITS, TEMPERATURE),
        (WEIGHT_UNITS, WEIGHT),
        (MONEY_UNITS, MONEY),
    ] {
        if units.contains(&word) {
            bits |= bit;
        }
    }
    // "c" and "f" after a figure are degrees ("30c"), "m" is metres.
    match word {
        "c" | "f" => bits |= TEMPERATURE,
        "m" => bits |= LENGTH,
        _ => {}
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_that_ask_for_a_measurement() {
        assert_eq!(
            Dimension::asked("how tall is the tower"),
            Some(Dimension::Length)
        );
        assert_eq!(
            Dimension::asked("How deep is the lake?"),
            Some(Dimension::Length)
        );
        assert_eq!(
            Dimension::asked("how hot does the oven get"),
            Some(Dimension::Temperature)
        );
        assert_eq!(
            Dimension::asked("how heavy was the bell"),
            Some(Dimension::Weight)
        );
        assert_eq!(
            Dimension::asked("how long is the bridge"),
            Some(Dimension::LengthOrTime)
        );
        assert_eq!(
            Dimension::asked("how much did the king pay for the portrait"),
            Some(Dimension::Money)
        );
        assert_eq!(
            Dimension::asked("how much money did the mill make"),
            Some(Dimension::Money)
        );
        assert_eq!(
            Dimension::asked("what was the price of bread"),
            Some(Dimension::Money)
        );
        assert_eq!(
            Dimension::asked("how much did the statue weigh"),
            Some(Dimension::Weight)
        );
    }

    #[test]
    fn questions_a_sentence_may_answer_without_a_unit_are_left_alone() {
        // Time taken and progress are often answered in words.
        assert_eq!(
            Dimension::asked("how long did it take to finish the road"),
            None
        );
        assert_eq!(Dimension::asked("how far had the reforms got"), None);
        // A degree, not a sum: "how much did they suffer".
        assert_eq!(Dimension::asked("how much did the weavers suffer"), None);
        assert_eq!(Dimension::asked("how big was the army"), None);
        assert_eq!(Dimension::asked("why did the price of bread rise"), None);
        assert_eq!(Dimension::asked("how old was she"), None);
    }

    #[test]
    fn sentences_that_give_a_measurement() {
        let gives = |s: &str, d| Measures::of(s).gives(d);
        assert!(gives(
            "The road stopped about 20 miles from the city.",
            Dimension::Length
        ));
        assert!(gives(
            "The spire reached a height of 400m.",
            Dimension::Length
        ));
        assert!(gives(
            "It is two and a half times as tall as the tower.",
            Dimension::Length
        ));
        assert!(gives(
            "Steel melts at over 1,400 degrees Celsius.",
            Dimension::Temperature
        ));
        assert!(gives("The water was 30°C.", Dimension::Temperature));
        assert!(gives(
            "It is five times hotter than an oven.",
            Dimension::Temperature
        ));
        assert!(gives("The bell weighed two tons.", Dimension::Weight));
        assert!(gives("He paid £500 for the house.", Dimension::Money));
        assert!(gives(
            "She left a fortune of half a million pounds.",
            Dimension::Money
        ));
        assert!(gives(
            "The crossing took ten days.",
            Dimension::LengthOrTime
        ));
        assert!(gives("The tunnel is a mile long.", Dimension::LengthOrTime));
    }

    #[test]
    fn sentences_without_the_measurement_asked() {
        let gives = |s: &str, d| Measures::of(s).gives(d);
        // A figure of another kind is not a length or a price.
        assert!(!gives(
            "About ten thousand men died building the canal.",
            Dimension::LengthOrTime
        ));
        assert!(!gives(
            "The service had more than nine hundred pieces.",
            Dimension::Money
        ));
        assert!(!gives(
            "He made the badges at his own expense.",
            Dimension::Money
        ));
        assert!(!gives(
            "The crust is thin and the mantle thick.",
            Dimension::Length
        ));
        assert!(!gives(
            "It was the hottest summer on record.",
            Dimension::Temperature
        ));
        // Units with no figure give no measurement.
        assert!(!gives("Prices were given in pounds.", Dimension::Money));
    }
}
