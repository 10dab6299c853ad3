#!/usr/bin/env bash
# The Euclidean loss on tf-idf weights, against scikit-learn's default NMF: scikit-learn's
# NMF(beta_loss='frobenius', solver='cd' and 'mu', init='nndsvda', max_iter=200, tol=0) on the
# TfidfTransformer() weights of the matrix nmf-topics builds, timed; then nmf-topics'
# --loss frobenius --weighting tfidf, --solver cd and --solver mu, from its own NNDSVDa start,
# for ITERATIONS (default 300) iterations, and from their trajectories: each one's time an
# iteration against scikit-learn's (ratio), its loss at 200 iterations against scikit-learn's,
# and the time it took to first reach each of scikit-learn's two 200-iteration losses (ratio to
# scikit-learn's time for it), or that it did not.
#
#   benches/compare-sklearn-frobenius.sh CORPUS [K ...]        (default K: 20)
#
# Environment: THREADS (default 2) for nmf-topics and for scikit-learn's BLAS, ROUNDS (default
# 3) runs of each nmf-topics solver, alternating, whose medians are taken; SEED (default 0),
# the start's seed of both tools; PEER_PYTHON as for compare-sklearn.sh. scikit-learn runs
# once per K and solver. Both sides' clocks cover the start and the iterations (not reading the
# matrix or weighting it); nmf-topics evaluates the loss after every iteration with its clock
# stopped (examples/time_to_loss.rs). scikit-learn's factors are first scored by nmf-topics
# too, to show that both compute the same loss of the same weights. An iteration's time is
# (seconds - the start's seconds) / iterations, for both.
set -euo pipefail
corpus=${1:?usage: benches/compare-sklearn-frobenius.sh CORPUS [K ...]}
shift
ks=${*:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
threads=${THREADS:-2}
rounds=${ROUNDS:-3}
seed=${SEED:-0}
iterations=${ITERATIONS:-300}
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
      "$ttl" "$work/v.mtx" "$k" "$threads" "$solver" 0 "$iterations" "$seed" frobenius tfidf \
        > "$work/ours-$k-$solver-$round.json"
    done
  done
  python3 - "$work" "$k" "$rounds" <<'PY'
import json, statistics, sys
work, k, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
sk = {s: json.load(open(f"{work}/sk-{k}/{s}/fit.json")) for s in ("cd", "mu")}
for s, fit in sk.items():
    score = json.load(open(f"{work}/score-{k}-{s}.json"))
    it = (fit["seconds"] - fit["start_seconds"]) / fit["iterations"]
    print(f"K={k} scikit-learn {fit['version']} solver={s}: {fit['iterations']} iterations in "
          f"{fit['seconds']:.1f} s (start {fit['start_seconds']:.2f} s, {it * 1e3:.0f} ms an "
          f"iteration), squared error {fit['loss']:,.3f}; scored by nmf-topics "
          f"{score[s]:,.3f} (relative difference "
          f"{abs(score[s] - fit['loss_f32']) / fit['loss_f32']:.0e})")
for solver in ("cd", "mu"):
    runs = [json.load(open(f"{work}/ours-{k}-{solver}-{r}.json")) for r in range(1, rounds + 1)]
    steps = runs[0]["steps"]
    at200 = steps[min(200, len(steps)) - 1]["divergence"]
    per_it = statistics.median((r["steps"][-1]["seconds"] - r["start_seconds"]) / len(r["steps"])
                               for r in runs)
    start = statistics.median(r["start_seconds"] for r in runs)
    sk_it = (sk[solver]["seconds"] - sk[solver]["start_seconds"]) / sk[solver]["iterations"]
    print(f"  nmf-topics --solver {solver}: start {start:.2f} s, {per_it * 1e3:.1f} ms an "
          f"iteration (median of {rounds}; scikit-learn's {solver} / ours "
          f"{sk_it / per_it:.1f}x); squared error at 200 iterations {at200:,.3f}, at "
          f"{len(steps)} {steps[-1]['divergence']:,.3f}")
    for target in ("cd", "mu"):
        goal = sk[target]["loss"]
        reached = []
        for r in runs:
            hit = next((s for s in r["steps"] if s["divergence"] <= goal), None)
            reached.append(None if hit is None else (hit["iteration"], hit["seconds"]))
        if any(x is None for x in reached):
            print(f"    to scikit-learn {target}'s {goal:,.3f}: not reached in {len(steps)} iterations")
            continue
        seconds = statistics.median(x[1] for x in reached)
        print(f"    to scikit-learn {target}'s {goal:,.3f}: iteration {reached[0][0]}, "
              f"{seconds:.2f} s (median; range {min(x[1] for x in reached):.2f}-"
              f"{max(x[1] for x in reached):.2f}), scikit-learn {sk[target]['seconds']:.1f} s: "
              f"{sk[target]['seconds'] / seconds:.1f}x")
PY
done
