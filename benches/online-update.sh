#!/usr/bin/env bash
# `update` against a fit of everything: the corpus cut in two halves (first and second half of
# its lines), a model fitted on the first half then updated with the second in batches, and a
# model fitted on the whole. Prints the update's time a batch and documents a second (medians
# over REPEATS updates of the same half model), then the quality of both models over all the
# documents: the mean NPMI of the topics' top 10 words and the NMI of each document's main
# topic with its label, with the divergence and the seconds of fitting.
#
#   benches/online-update.sh CORPUS LABEL_FIELD [K]          (default K: 20)
#
# Environment: BATCH (default 1000), FORGET (default 1), REPEATS (default 3), MIN_DF
# (default 5), MAX_DF (default 0.5), SEED (default 0), THREADS (default 2).
set -euo pipefail
corpus=${1:?usage: benches/online-update.sh CORPUS LABEL_FIELD [K]}
label=${2:?usage: benches/online-update.sh CORPUS LABEL_FIELD [K]}
k=${3:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
batch=${BATCH:-1000}
forget=${FORGET:-1}
repeats=${REPEATS:-3}
threads=${THREADS:-2}
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin nmf-topics
bin=$root/target/release/nmf-topics
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat_corpus() { case "$corpus" in *.gz) gzip -dc "$corpus" ;; *) cat "$corpus" ;; esac; }
cat_corpus > "$work/all.jsonl"
lines=$(wc -l < "$work/all.jsonl")
half=$((lines / 2))
head -n "$half" "$work/all.jsonl" > "$work/first.jsonl"
tail -n +"$((half + 1))" "$work/all.jsonl" > "$work/second.jsonl"
fit() {
  "$bin" fit "$1" --min-df "${MIN_DF:-5}" --max-df "${MAX_DF:-0.5}" --label-field "$label" \
    -k "$k" --seed "${SEED:-0}" --threads "$threads" --quiet --model "$2" --json "$3" > /dev/null
}
fit "$work/all.jsonl" "$work/all.model" "$work/fit-all.json"
fit "$work/first.jsonl" "$work/half.model" "$work/fit-half.json"
for r in $(seq "$repeats"); do
  start=$(date +%s.%N)
  "$bin" update "$work/half.model" "$work/second.jsonl" --label-field "$label" \
    --batch-size "$batch" --forget "$forget" --threads "$threads" --quiet \
    --output "$work/updated.model" --json "$work/update-$r.json" > /dev/null
  end=$(date +%s.%N)
  echo "$start $end" > "$work/wall-$r.txt"
done
for m in all updated; do
  "$bin" topics --model "$work/$m.model" --json "$work/topics-$m.json" > /dev/null
done
python3 - "$work" "$repeats" "$lines" "$half" "$k" "$batch" "$forget" <<'PY'
import json, statistics, sys
work, repeats, lines, half, k, batch, forget = sys.argv[1:]
repeats = int(repeats)
per_batch, docs_per_s, wall, solve = [], [], [], []
for r in range(1, repeats + 1):
    u = json.load(open(f"{work}/update-{r}.json"))["update"]
    seconds = [b["seconds"] for b in u["batches"]]
    per_batch.append(statistics.median(seconds))
    docs_per_s.append(u["documents"] / u["seconds_batches"])
    solve.append(u["transform"]["seconds"])
    start, end = map(float, open(f"{work}/wall-{r}.txt").read().split())
    wall.append(end - start)
print(f"corpus: {lines} documents; fit on the first {half}, updated with the other "
      f"{int(lines) - int(half)} in batches of {batch}, forgetting factor {forget}, K = {k}")
print(f"update, median of {repeats}: {statistics.median(per_batch):.3f} s a batch, "
      f"{statistics.median(docs_per_s):,.0f} documents a second in the batches; "
      f"every document's weights solved again in {statistics.median(solve):.2f} s; "
      f"the whole command {statistics.median(wall):.2f} s")
fit_all = json.load(open(f"{work}/fit-all.json"))
fit_half = json.load(open(f"{work}/fit-half.json"))
# Each model counts over its own vocabulary (pruned on the documents it was fitted to), so
# the divergences are not comparable between the two; NPMI and NMI are.
print(f"{'model':<22} {'NPMI':>8} {'NMI':>8} {'divergence':>14} {'fit s':>8}")
for name, topics, seconds in (
    ("fit all", "all", fit_all["fit"]["seconds"]["fitting"]),
    ("fit half, then update", "updated", fit_half["fit"]["seconds"]["fitting"]),
):
    t = json.load(open(f"{work}/topics-{topics}.json"))
    q = t["quality"]
    print(f"{name:<22} {q['mean_npmi']:8.4f} {q['label_nmi']:8.4f} "
          f"{t['fit']['divergence']:14,.0f} {seconds:8.2f}")
PY
