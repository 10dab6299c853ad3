#!/usr/bin/env bash
# The Euclidean loss on tf-idf weights, against scikit-learn's default NMF: scikit-learn's
# NMF(beta_loss='frobenius', solver='cd' and 'mu', init='nndsvda', max_iter=200, tol=0) on the
# TfidfTransformer() weights of the matrix nmf-topics builds, timed, then nmf-topics'
# --loss frobenius --weighting tfidf with the same solver from its own NNDSVDa start until its
# squared error first reaches scikit-learn's, and the ratios: of the time to that loss, and of
# the time an iteration takes.
#
#   benches/compare-sklearn-frobenius.sh CORPUS [K ...]        (default K: 20)
#
# Environment: THREADS (default 2) for nmf-topics and for scikit-learn's BLAS, ROUNDS (default
# 3) runs of each nmf-topics solver, alternating, whose median is taken; SEED (default 0), the
# start's seed of both tools; PEER_PYTHON as for compare-sklearn.sh. scikit-learn runs once per
# K and solver. Both sides' clocks cover the start and the iterations (not reading the matrix
# or weighting it); nmf-topics evaluates the loss after every iteration with its clock stopped
# (examples/time_to_loss.rs). scikit-learn's factors are first scored by nmf-topics too, to
# show that both compute the same loss of the same weights. An iteration's time is, for
# scikit-learn, (its seconds - its start's) / 200, and for nmf-topics (seconds to the target -
# its start's) / iterations to the target.
set -euo pipefail
corpus=${1:?usage: benches/compare-sklearn-frobenius.sh CORPUS [K ...]}
shift
ks=${*:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
threads=${THREADS:-2}
rounds=${ROUNDS:-3}
seed=${SEED:-0}
# shellcheck source=benches/peer.sh
source "$root/benches/peer.sh"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --example time_to_loss
ttl=$root/target/release/examples/time_to_loss
"$bin" fit "$corpus" -k 1 --max-iter 1 --quiet --export-matrix "$work/v.mtx" > /dev/null

for k in $ks; do
  OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads \
    "$PEER_PYTHON" "$root/benches/sklearn_frobenius.py" "$work/v.mtx" "$k" "$seed" "$work/sk-$k"
  for solver in cd mu; do
    "$ttl" "$work/v.mtx" score "$k" "$work/sk-$k/$solver/W.f32" "$work/sk-$k/$solver/H.f32" \
      frobenius tfidf > "$work/score-$k-$solver.json"
  done
  for round in $(seq "$rounds"); do
    for solver in cd mu; do
      target=$(python3 -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["loss"]))' \
        "$work/sk-$k/$solver/fit.json")
      "$ttl" "$work/v.mtx" "$k" "$threads" "$solver" "$target" 2000 "$seed" frobenius tfidf \
        > "$work/ours-$k-$solver-$round.json"
    done
  done
  python3 - "$work" "$k" "$rounds" <<'PY'
import json, statistics, sys
work, k, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
for solver in ("cd", "mu"):
    sk = json.load(open(f"{work}/sk-{k}/{solver}/fit.json"))
    score = json.load(open(f"{work}/score-{k}-{solver}.json"))
    sk_iter = (sk["seconds"] - sk["start_seconds"]) / sk["iterations"]
    print(f"K={k} solver={solver}  scikit-learn {sk['version']}: {sk['iterations']} iterations in "
          f"{sk['seconds']:.1f} s (start {sk['start_seconds']:.2f} s, {sk_iter * 1e3:.0f} ms an "
          f"iteration), squared error {sk['loss']:,.3f}")
    print(f"       the same factors scored by nmf-topics: {score[solver]:,.3f} "
          f"(relative difference {abs(score[solver] - sk['loss_f32']) / sk['loss_f32']:.1e})")
    runs = [json.load(open(f"{work}/ours-{k}-{solver}-{r}.json")) for r in range(1, rounds + 1)]
    if any(r["reached_seconds"] is None for r in runs):
        print(f"       --solver {solver}: did not reach it in 2,000 iterations")
        continue
    seconds = [r["reached_seconds"] for r in runs]
    iterations = [r["reached_iteration"] for r in runs]
    per_iter = [(r["reached_seconds"] - r["start_seconds"]) / r["reached_iteration"] for r in runs]
    start = statistics.median(r["start_seconds"] for r in runs)
    median = statistics.median(seconds)
    it = statistics.median(per_iter)
    print(f"       nmf-topics --solver {solver}: reached it at iteration {iterations[0]} in "
          f"{median:.2f} s (median of {rounds}: {min(seconds):.2f}-{max(seconds):.2f}; "
          f"start {start:.2f} s)  time-to-loss ratio {sk['seconds'] / median:6.1f}x")
    print(f"       an iteration: {it * 1e3:.1f} ms (median of {rounds}), "
          f"scikit-learn / nmf-topics {sk_iter / it:.1f}x")
PY
done
