//! Quiz scoring rules: a base for a right answer, a speed bonus that falls
//! linearly over the round, and a streak bonus for consecutive right answers.
//! No penalty for a wrong answer.

use std::time::Duration;

/// The points a quiz awards. The defaults are what `/quiz` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoringRules {
    /// Points for any right answer.
    pub base: u32,
    /// Extra points for an instant answer, falling to 0 at the deadline.
    pub max_speed_bonus: u32,
    /// Extra points per right answer in a row after the first.
    pub streak_step: u32,
    /// Cap on the streak bonus.
    pub max_streak_bonus: u32,
}

impl Default for ScoringRules {
    fn default() -> Self {
        Self {
            base: 100,
            max_speed_bonus: 50,
            streak_step: 10,
            max_streak_bonus: 50,
        }
    }
}

impl ScoringRules {
    /// Points for one answer. `streak` counts right answers in a row
    /// including this one (1 for a first right answer).
    pub fn points(&self, correct: bool, elapsed: Duration, limit: Duration, streak: u32) -> u32 {
        self.points_with_hint(correct, elapsed, limit, streak, false)
    }

    /// Points for one answer; a player who took a hint that round keeps
    /// half their speed bonus (rounded down). The base and the streak bonus
    /// are not touched.
    pub fn points_with_hint(
        &self,
        correct: bool,
        elapsed: Duration,
        limit: Duration,
        streak: u32,
        hinted: bool,
    ) -> u32 {
        if !correct {
            return 0;
        }
        let limit_ms = limit.as_millis().max(1) as f64;
        let left = 1.0 - (elapsed.as_millis() as f64 / limit_ms).clamp(0.0, 1.0);
        let mut speed = (f64::from(self.max_speed_bonus) * left).round() as u32;
        if hinted {
            speed /= 2;
        }
        let streak_bonus = (self.streak_step * streak.saturating_sub(1)).min(self.max_streak_bonus);
        self.base + speed + streak_bonus
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(20);

    #[test]
    fn wrong_answers_score_nothing() {
        assert_eq!(
            ScoringRules::default().points(false, Duration::ZERO, LIMIT, 3),
            0
        );
    }

    #[test]
    fn speed_bonus_falls_linearly_to_zero_at_the_deadline() {
        let rules = ScoringRules::default();
        assert_eq!(rules.points(true, Duration::ZERO, LIMIT, 1), 150);
        assert_eq!(rules.points(true, Duration::from_secs(10), LIMIT, 1), 125);
        assert_eq!(rules.points(true, LIMIT, LIMIT, 1), 100);
        assert_eq!(rules.points(true, LIMIT * 2, LIMIT, 1), 100);
    }

    #[test]
    fn a_hint_halves_the_speed_bonus_only() {
        let rules = ScoringRules::default();
        let half = Duration::from_secs(10);
        assert_eq!(rules.points_with_hint(true, half, LIMIT, 1, true), 112);
        assert_eq!(rules.points_with_hint(true, half, LIMIT, 3, true), 132);
        assert_eq!(rules.points_with_hint(true, half, LIMIT, 1, false), 125);
        assert_eq!(rules.points_with_hint(false, half, LIMIT, 1, true), 0);
    }

    #[test]
    fn streak_bonus_grows_then_caps() {
        let rules = ScoringRules::default();
        assert_eq!(rules.points(true, LIMIT, LIMIT, 2), 110);
        assert_eq!(rules.points(true, LIMIT, LIMIT, 6), 150);
        assert_eq!(rules.points(true, LIMIT, LIMIT, 60), 150);
    }
}
