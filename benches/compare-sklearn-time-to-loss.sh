#!/usr/bin/env bash
# Wall time to scikit-learn's divergence: scikit-learn's NMF(beta_loss='kullback-leibler',
# solver='mu', init='nndsvda', max_iter=200, tol=0) on the matrix nmf-topics builds, timed, then
# nmf-topics' --solver cd --extrapolate, --solver cd and --solver mu from their own NNDSVDa start
# until their divergence first reaches scikit-learn's, and the ratios of scikit-learn's time to
# theirs.
#
#   benches/compare-sklearn-time-to-loss.sh CORPUS [K ...]        (default K: 20 50)
#
# Environment: THREADS (default 2) for nmf-topics and for scikit-learn's BLAS, ROUNDS (default
# 3) runs of each nmf-topics solver, alternating, whose median is taken; SEED (default 0), the
# start's seed of both tools; PEER_PYTHON as for compare-sklearn.sh. scikit-learn runs once per
# K (minutes). Both sides' clocks cover the start and the iterations (not reading the matrix);
# nmf-topics evaluates the divergence after every iteration with its clock stopped
# (examples/time_to_loss.rs). First the divergence of scikit-learn's factors is computed by
# both tools, to show that they compute the same divergence of the same matrix. Last, for each
# round, `nmf-topics bench` times an iteration of each solver from the same random start, cd
# then mu, and the median of the rounds' ratios cd / mu is printed.
set -euo pipefail
corpus=${1:?usage: benches/compare-sklearn-time-to-loss.sh CORPUS [K ...]}
shift
ks=${*:-20 50}
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
    "$PEER_PYTHON" "$root/benches/sklearn_time_to_loss.py" "$work/v.mtx" "$k" "$seed" "$work/sk-$k"
  "$ttl" "$work/v.mtx" score "$k" "$work/sk-$k/W.f32" "$work/sk-$k/H.f32" > "$work/score-$k.json"
  target=$(python3 -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["divergence"]))' \
    "$work/sk-$k/fit.json")
  for round in $(seq "$rounds"); do
    for solver in cdx cd mu; do
      if [ "$solver" = cdx ]; then set -- cd --extrapolate; else set -- "$solver"; fi
      "$ttl" "$work/v.mtx" "$k" "$threads" "$1" "$target" 2000 "$seed" "${@:2}" \
        > "$work/ours-$k-$solver-$round.json"
    done
    for solver in cd mu; do
      "$bin" bench "$work/v.mtx" -k "$k" --threads "$threads" --solver "$solver" --seed "$seed" \
        --compare-portable false --json "$work/bench-$k-$solver-$round.json" > /dev/null 2>&1
    done
  done
  python3 - "$work" "$k" "$rounds" <<'PY'
import json, statistics, sys
work, k, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
sk = json.load(open(f"{work}/sk-{k}/fit.json"))
score = json.load(open(f"{work}/score-{k}.json"))
print(f"K={k}  scikit-learn {sk['version']}: {sk['iterations']} iterations in {sk['seconds']:.1f} s, "
      f"divergence {sk['divergence']:,.1f}")
print(f"       the same factors scored by nmf-topics: {score['mu']:,.1f} "
      f"(relative difference {abs(score['mu'] - sk['divergence_f32']) / sk['divergence_f32']:.1e})")
names = {"cdx": "cd --extrapolate", "cd": "cd", "mu": "mu"}
for solver in ("cdx", "cd", "mu"):
    runs = [json.load(open(f"{work}/ours-{k}-{solver}-{r}.json")) for r in range(1, rounds + 1)]
    if any(r["reached_seconds"] is None for r in runs):
        print(f"       --solver {names[solver]}: did not reach it in 2,000 iterations")
        continue
    seconds = [r["reached_seconds"] for r in runs]
    iterations = [r["reached_iteration"] for r in runs]
    start = statistics.median(r["start_seconds"] for r in runs)
    median = statistics.median(seconds)
    print(f"       --solver {names[solver]}: reached it at iteration {iterations[0]} in "
          f"{median:.2f} s (median of {rounds}: {min(seconds):.2f}-{max(seconds):.2f}; "
          f"start {start:.2f} s)  ratio {sk['seconds'] / median:6.1f}x")
ms = {s: [json.load(open(f"{work}/bench-{k}-{s}-{r}.json"))["runs"][0]["seconds_per_iteration"] * 1e3
          for r in range(1, rounds + 1)] for s in ("cd", "mu")}
ratios = [c / m for c, m in zip(ms["cd"], ms["mu"])]
print(f"       an iteration (nmf-topics bench, same start): cd {statistics.median(ms['cd']):.1f} ms, "
      f"mu {statistics.median(ms['mu']):.1f} ms; cd / mu {statistics.median(ratios):.2f} "
      f"(rounds {min(ratios):.2f}-{max(ratios):.2f})")
PY
done
