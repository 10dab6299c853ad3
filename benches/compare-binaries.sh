#!/usr/bin/env bash
# Per-iteration time of two builds of nmf-topics on exactly the same matrix, run back to back
# (A B A B …), and the ratio NEW / OLD: to check that a change did not slow the updates down on
# a machine whose load comes and goes.
#
#   benches/compare-binaries.sh OLD NEW CORPUS [ROUNDS]      (default ROUNDS: 10)
#
# OLD and NEW are nmf-topics binaries (build the old one from another checkout, or copy
# target/release/nmf-topics aside before the change). Environment: K (default "20,50"), THREADS
# (default: all cores), ITERATIONS (default 10) and REPEATS (default 3) for each `bench` run,
# SOLVER and LOSS (default: each binary's own default) for a NEW that has --solver and --loss.
# The matrix is the one OLD's `fit` builds with its default settings, exported once, so a change
# of the reading or counting does not change what is timed. Prints, for each K and thread
# count, the median and quartiles of the per-round ratios and the ratio of the fastest runs,
# and checks that both binaries reached the same divergence.
set -euo pipefail
old=${1:?usage: benches/compare-binaries.sh OLD NEW CORPUS [ROUNDS]}
new=${2:?usage: benches/compare-binaries.sh OLD NEW CORPUS [ROUNDS]}
corpus=${3:?usage: benches/compare-binaries.sh OLD NEW CORPUS [ROUNDS]}
rounds=${4:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$old" fit "$corpus" -k 1 --max-iter 1 --quiet --export-matrix "$work/v.mtx" > /dev/null
args=(-k "${K:-20,50}" --threads "${THREADS:-$(nproc)}" --iterations "${ITERATIONS:-10}"
  --repeats "${REPEATS:-3}" --compare-portable false --peak-gfma 1)
new_args=()
[ -n "${SOLVER:-}" ] && new_args+=(--solver "$SOLVER")
[ -n "${LOSS:-}" ] && new_args+=(--loss "$LOSS")
for r in $(seq 1 "$rounds"); do
  "$old" bench "$work/v.mtx" "${args[@]}" --json "$work/old-$r.json" > /dev/null 2>&1
  "$new" bench "$work/v.mtx" "${args[@]}" "${new_args[@]}" --json "$work/new-$r.json" > /dev/null 2>&1
done

python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
runs = {}
for which in ("old", "new"):
    for r in range(1, rounds + 1):
        for run in json.load(open(f"{work}/{which}-{r}.json"))["runs"]:
            runs.setdefault((run["topics"], run["threads"]), {}).setdefault(which, []).append(run)
for (k, threads), by in sorted(runs.items()):
    old = [x["seconds_per_iteration"] for x in by["old"]]
    new = [x["seconds_per_iteration"] for x in by["new"]]
    ratios = [n / o for o, n in zip(old, new)]
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    same = {x["divergence"] for x in by["old"]} == {x["divergence"] for x in by["new"]}
    print(f"K = {k}, {threads} thread(s): old {statistics.median(old) * 1e3:.2f} ms, "
          f"new {statistics.median(new) * 1e3:.2f} ms an iteration (medians of {len(old)}); "
          f"new/old {statistics.median(ratios):.3f} (quartiles {q[0]:.3f}-{q[2]:.3f}), "
          f"fastest runs {min(new) / min(old):.3f}; "
          f"{'same divergence' if same else 'DIFFERENT divergences'}")
PY
