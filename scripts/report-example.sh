#!/usr/bin/env bash
# Draws docs/examples/report.png, the example of `lectern report --format
# png` in the README: a made-up class of 24 students over 10 weeks (three
# quizzes a week of 10 rounds on 12 questions, the class getting better
# week by week, some questions much harder than others), written into a
# new SQLite database, then charted by the real command.
#
#   scripts/report-example.sh [OUTPUT.png]
#
# REPORT_EXAMPLE_BIN=path/to/lectern uses that binary instead of `cargo run`
# (not a LECTERN_ name: lectern reads those as configuration).
set -euo pipefail
cd "$(dirname "$0")/.."
output=${1:-docs/examples/report.png}
folder=$(mktemp -d)
trap 'rm -rf "$folder"' EXIT
db="$folder/example.db"
lectern() {
  if [ -n "${REPORT_EXAMPLE_BIN:-}" ]; then "$REPORT_EXAMPLE_BIN" "$@"; else cargo run --quiet --offline -- "$@"; fi
}
lectern db migrate --database "$db" > /dev/null
python3 - "$db" <<'PY'
import random, sqlite3, sys, time

db = sqlite3.connect(sys.argv[1])
random.seed(14)
now = int(time.time() * 1000)
week = 7 * 24 * 3600 * 1000
questions = [
    ("In which year did the October Revolution take place?", "1917", ["1905", "1918"], 0.85),
    ("Who led the Bolsheviks in October 1917?", "Lenin", ["Trotsky", "stalin", "Stalin"], 0.9),
    ("What was the New Economic Policy's main change?", "private trade allowed", ["collective farms", "rationing"], 0.55),
    ("Which treaty took Russia out of the First World War?", "Brest-Litovsk", ["Versailles", "Rapallo"], 0.6),
    ("Who was expelled from the party in 1927?", "Trotsky", ["Bukharin", "Zinoviev"], 0.45),
    ("What were the collective farms called?", "kolkhozes", ["sovkhozes", "mirs"], 0.5),
    ("When did the first Five-Year Plan begin?", "1928", ["1924", "1932"], 0.35),
    ("Which city was besieged for 872 days?", "Leningrad", ["Stalingrad", "Moscow"], 0.8),
    ("Who succeeded Stalin as party leader?", "Khrushchev", ["Malenkov", "Beria"], 0.4),
    ("What was the Gulag?", "the labour camp system", ["the secret police", "a five-year plan"], 0.7),
    ("In which year did the Soviet Union end?", "1991", ["1989", "1990"], 0.75),
    ("Which Soviet leader introduced glasnost?", "Gorbachev", ["Brezhnev", "Andropov"], 0.65),
]
db.execute("INSERT INTO scopes (id, platform, platform_scope_id) VALUES (1, 'discord', 'example')")
names = ["Ada", "Ben", "Cleo", "Dev", "Ema", "Finn", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea",
         "Max", "Nia", "Oli", "Pia", "Quin", "Rae", "Sol", "Tom", "Uma", "Vik", "Wren", "Yan"]
for n, name in enumerate(names, 1):
    db.execute("INSERT INTO users (id, platform, platform_user_id, display_name) VALUES (?, 'discord', ?, ?)",
               (n, str(1000 + n), name))
for i, (prompt, answer, _, _) in enumerate(questions):
    db.execute("INSERT INTO quiz_items (scope_id, item_id, prompt, answer, question_json, first_asked_at_ms)"
               " VALUES (1, ?, ?, ?, '{}', ?)", (f"q{i}", prompt, answer, now - 10 * week))
session = 0
for back in range(9, -1, -1):
    skill = 0.72 + 0.035 * (9 - back)  # the class gets better week by week
    for quiz in range(3):
        session += 1
        started = now - back * week - (quiz * 2 + 1) * 24 * 3600 * 1000
        db.execute("INSERT INTO quiz_sessions (id, scope_id, channel_id, started_by, started_at_ms, rounds)"
                   " VALUES (?, 1, 'class', 1, ?, 10)", (session, started))
        for round_ in range(1, 11):
            i = random.randrange(len(questions))
            prompt, answer, wrong, ease = questions[i]
            for user in random.sample(range(1, len(names) + 1), 18):
                right = random.random() < min(0.97, ease * skill + 0.1)
                choice = answer if right else random.choice(wrong)
                db.execute("INSERT INTO quiz_answers (session_id, round, user_id, scope_id, answered_at_ms,"
                           " correct, points, response_ms, item_id, choice) VALUES (?, ?, ?, 1, ?, ?, ?, 4000, ?, ?)",
                           (session, round_, user, started + round_ * 20000, int(right), 100 * right, f"q{i}", choice))
db.execute("INSERT INTO scores (scope_id, user_id, points, answered, correct, best_streak, updated_at_ms)"
           " SELECT scope_id, user_id, SUM(points), COUNT(*), SUM(correct), 3, MAX(answered_at_ms)"
           " FROM quiz_answers GROUP BY scope_id, user_id")
db.commit()
PY
lectern report --database "$db" --scope discord:example --format png --output "$output"
lectern report --database "$db" --scope discord:example --table questions
echo "wrote $output" >&2
