#!/usr/bin/env bash
# Topic quality of each tool's whole pipeline on the same JSON Lines corpus, as issue 6
# measured it: nmf-topics reads and counts the corpus itself; scikit-learn counts it with its
# own CountVectorizer(stop_words='english') and fits KL-NMF to that matrix. Both are scored by
# nmf-topics' quality code (the score_factors example) on the matrix each tool fitted.
#
#   benches/compare-sklearn-pipeline.sh CORPUS LABEL_FIELD [K ...]      (default K: 20 50)
#
# Environment as for compare-sklearn-quality.sh: MIN_DF (default 5), MAX_DF (default 0.5),
# ITERATIONS, MAX_ITER, INIT (default nndsvda), SEEDS (default 0), PEER_PYTHON; and TEXT_FIELD
# (default text). scikit-learn takes minutes per K and seed on 60,000 documents.
set -euo pipefail
corpus=${1:?usage: benches/compare-sklearn-pipeline.sh CORPUS LABEL_FIELD [K ...]}
label=${2:?usage: benches/compare-sklearn-pipeline.sh CORPUS LABEL_FIELD [K ...]}
shift 2
ks=${*:-20 50}
root=$(cd "$(dirname "$0")/.." && pwd)
text=${TEXT_FIELD:-text}
# shellcheck source=benches/quality_setup.sh
source "$root/benches/quality_setup.sh"
for k in $ks; do
  for seed in $seeds; do
    "$bin" fit "$corpus" --text-field "$text" --min-df "$min_df" --max-df "$max_df" \
      --label-field "$label" -k "$k" ${ours_iter[@]+"${ours_iter[@]}"} --init "$init" \
      --seed "$seed" --quiet --json "$work/ours-$k-$seed.json" > /dev/null
    "$PEER_PYTHON" "$root/benches/sklearn_pipeline.py" "$corpus" "$text" "$label" "$min_df" \
      "$max_df" "$k" "$iterations" "$init" "$work/sk" "$seed"
    "$score" --mtx "$work/sk/V.mtx" "$work/sk/labels.txt" "$work/sk/W.txt" "$work/sk/H.txt" \
      > "$work/theirs-$k-$seed.json"
    cp "$work/sk/fit.json" "$work/theirs-$k-$seed.fit.json"
  done
  python3 "$root/benches/quality_means.py" "$work" "$k" $seeds
done
