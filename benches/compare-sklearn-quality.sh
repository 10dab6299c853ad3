#!/usr/bin/env bash
# Topic quality of nmf-topics and of scikit-learn's KL-NMF fitted to exactly the same count
# matrix, both scored by nmf-topics' quality code (mean NPMI of the top 10 words, diversity, NMI
# of each document's main topic with its label).
#
#   benches/compare-sklearn-quality.sh CORPUS LABEL_FIELD [K ...]      (default K: 20 50)
#
# Environment: MIN_DF (default 5), MAX_DF (default 0.5), ITERATIONS (default 200: scikit-learn's
# max_iter, as issue 6 measured it), MAX_ITER (nmf-topics' --max-iter; default its own), INIT
# (default nndsvda, for both tools), SEEDS (default 0: nmf-topics' --seed and scikit-learn's
# random_state, one fit of each tool a seed; with several, their means are printed too),
# PEER_PYTHON as for compare-sklearn.sh. scikit-learn takes minutes per K and seed on a corpus
# of 60,000 documents.
set -euo pipefail
corpus=${1:?usage: benches/compare-sklearn-quality.sh CORPUS LABEL_FIELD [K ...]}
label=${2:?usage: benches/compare-sklearn-quality.sh CORPUS LABEL_FIELD [K ...]}
shift 2
ks=${*:-20 50}
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=benches/quality_setup.sh
source "$root/benches/quality_setup.sh"
prune=(--min-df "$min_df" --max-df "$max_df")
"$bin" fit "$corpus" "${prune[@]}" -k 1 --max-iter 1 --quiet --export-matrix "$work/v.mtx" > /dev/null
for k in $ks; do
  for seed in $seeds; do
    "$bin" fit "$corpus" "${prune[@]}" --label-field "$label" -k "$k" \
      ${ours_iter[@]+"${ours_iter[@]}"} --init "$init" --seed "$seed" --quiet \
      --json "$work/ours-$k-$seed.json" > /dev/null
    "$PEER_PYTHON" "$root/benches/sklearn_factors.py" "$work/v.mtx" "$k" "$iterations" "$init" \
      "$work/sk" "$seed"
    "$score" "$corpus" "$label" "$min_df" "$max_df" "$work/sk/W.txt" "$work/sk/H.txt" \
      > "$work/theirs-$k-$seed.json"
    cp "$work/sk/fit.json" "$work/theirs-$k-$seed.fit.json"
  done
  python3 "$root/benches/quality_means.py" "$work" "$k" $seeds
done
