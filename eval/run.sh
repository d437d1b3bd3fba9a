#!/usr/bin/env bash
# Scores `lectern ask` on the question sets: the published dev set, and the
# blind sets' tuning or test halves on both documents.
#
#   eval/run.sh [tune|test|dev] [BINARY] [extra run_eval.py flags]
#
# Prints one run_eval.py line per set. The test halves are for the final
# report (and CI's regression floor), not for tuning.
set -euo pipefail
cd "$(dirname "$0")/.."
part=${1:-tune}
bin=${2:-target/release/lectern}
shift $(( $# > 2 ? 2 : $# )) || true
extra=("$@")
shared=../shared/eval
run() {
  local name=$1 set=$2 pack=$3
  local cmd="$bin ask --json --stdin --top 3"
  [ -n "$pack" ] && cmd="$bin ask --json --stdin --top 3 --pack $pack"
  printf '%-16s ' "$name"
  python3 "$shared/run_eval.py" --set "$set" --cmd "$cmd" --stdin "${extra[@]}" | tail -n 1
}
case $part in
  dev) run dev "$shared/qa-dev.jsonl" "" ;;
  tune|test)
    run "ussr-$part" "eval/blind/ussr-$part.jsonl" ""
    run "wedgwood-$part" "eval/blind/wedgwood-$part.jsonl" eval/packs/wedgwood
    run "volcanoes-$part" "eval/blind/volcanoes-$part.jsonl" eval/packs/volcanoes
    ;;
  test2)
    # The second round's fresh blind test sets (see eval/README.md).
    run "ussr-test2" "eval/blind/ussr-test2.jsonl" ""
    run "volcanoes-test" "eval/blind/volcanoes-test.jsonl" eval/packs/volcanoes
    ;;
  pool)
    # Round 3's tuning pool: every earlier set, by document.
    run "ussr-tune" "eval/blind/ussr-tune.jsonl" ""
    run "ussr-test" "eval/blind/ussr-test.jsonl" ""
    run "ussr-test2" "eval/blind/ussr-test2.jsonl" ""
    run "wedgwood-tune" "eval/blind/wedgwood-tune.jsonl" eval/packs/wedgwood
    run "wedgwood-test" "eval/blind/wedgwood-test.jsonl" eval/packs/wedgwood
    run "volcanoes-tune" "eval/blind/volcanoes-tune.jsonl" eval/packs/volcanoes
    run "volcanoes-test" "eval/blind/volcanoes-test.jsonl" eval/packs/volcanoes
    ;;
  test3)
    # Round 3's fresh blind test sets, one of them on a fourth document
    # nobody tuned on (see eval/README.md): scored once, for the report.
    run "ussr-test3" "eval/blind/ussr-test3.jsonl" ""
    run "wedgwood-test3" "eval/blind/wedgwood-test3.jsonl" eval/packs/wedgwood
    run "volcanoes-test3" "eval/blind/volcanoes-test3.jsonl" eval/packs/volcanoes
    run "blackdeath-test3" "eval/blind/blackdeath-test3.jsonl" eval/packs/blackdeath
    ;;
  pool4)
    # Round 4's tuning pool: round 3's pool and round 3's test sets, on
    # four documents (the sets eval/fit_refusal.py fits on).
    "$0" pool "$bin" "${extra[@]}"
    "$0" test3 "$bin" "${extra[@]}"
    ;;
  test4)
    # Round 4's fresh blind test sets: the essay, and a fifth document
    # nobody tuned /ask on (see eval/README.md). Scored once, for the report.
    run "ussr-test4" "eval/blind/ussr-test4.jsonl" ""
    run "telegraph-test4" "eval/blind/telegraph-test4.jsonl" eval/packs/telegraph
    ;;
  pool5)
    # Round 5's tuning pool: round 4's pool and round 4's test sets.
    "$0" pool4 "$bin" "${extra[@]}"
    "$0" test4 "$bin" "${extra[@]}"
    ;;
  test5)
    # Round 5's fresh blind test sets: the essay, and a sixth document
    # (London's sewers) nobody tuned /ask on. Scored once, for the report.
    run "ussr-test5" "eval/blind/ussr-test5.jsonl" ""
    run "sewers-test5" "eval/blind/sewers-test5.jsonl" eval/packs/sewers
    ;;
  pool6)
    # Round 6's tuning pool: round 5's pool and round 5's test sets.
    "$0" pool5 "$bin" "${extra[@]}"
    "$0" test5 "$bin" "${extra[@]}"
    ;;
  test6)
    # Round 6's fresh blind sets: two documents nobody tuned on (the Dust
    # Bowl, the Rosetta Stone), each with only pack.toml and document.txt.
    # Scored once, for the report.
    run "dustbowl-test6" "eval/blind/dustbowl-test6.jsonl" eval/packs/dustbowl
    run "rosetta-test6" "eval/blind/rosetta-test6.jsonl" eval/packs/rosetta
    ;;
  test7)
    # Round 6's last fresh blind set: Apollo 11, a ninth document, written
    # after test6 had been scored and used for tuning. Scored once.
    run "apollo-test7" "eval/blind/apollo-test7.jsonl" eval/packs/apollo
    ;;
  test9)
    # Round 7's fresh blind sets on three new documents, each only
    # pack.toml + document.txt. Scored once, for the report.
    run "suffrage-test9" "eval/blind/suffrage-test9.jsonl" eval/packs/suffrage
    run "panama-test9" "eval/blind/panama-test9.jsonl" eval/packs/panama
    run "tea-test10" "eval/blind/tea-test10.jsonl" eval/packs/tea
    ;;
  *) echo "usage: eval/run.sh [tune|test|test2|pool|test3|pool4|test4|pool5|test5|pool6|test6|test7|test9|dev] [BINARY]" >&2; exit 2 ;;
esac
