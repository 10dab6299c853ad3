#!/usr/bin/env bash
# Per-iteration time of nmf-topics and of scikit-learn's KL multiplicative updates on exactly
# the same matrix, measured back to back on this machine, and their ratio.
#
#   benches/compare-sklearn.sh CORPUS [K ...]          (default K: 20 50)
#
# Environment: ITERATIONS (default 10) iterations timed per run, THREADS (default: all cores)
# for nmf-topics, PEER_PYTHON a python with numpy, scipy and scikit-learn (default: the one
# ../shared/bench/setup.sh prepares). The matrix is the one `nmf-topics fit` builds with its
# default settings, exported with --export-matrix.
set -euo pipefail
corpus=${1:?usage: benches/compare-sklearn.sh CORPUS [K ...]}
shift
ks=${*:-20 50}
root=$(cd "$(dirname "$0")/.." && pwd)
iterations=${ITERATIONS:-10}
threads=${THREADS:-$(nproc)}
# shellcheck source=benches/peer.sh
source "$root/benches/peer.sh"
"$bin" fit "$corpus" -k 1 --max-iter 1 --quiet --export-matrix "$work/v.mtx" > /dev/null

for k in $ks; do
  "$bin" bench "$work/v.mtx" -k "$k" --threads "$threads" --iterations "$iterations" --repeats 3 \
    --compare-portable false --json "$work/ours.json" > /dev/null 2>&1
  "$PEER_PYTHON" "$peer_dir/sklearn_kl_mu.py" "$work/v.mtx" --topics "$k" --iterations "$iterations" \
    > "$work/theirs.json"
  python3 - "$work/ours.json" "$work/theirs.json" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
run = ours["runs"][0]
theirs = json.load(open(sys.argv[2]))
print(f"K={run['topics']:>3}  matrix {ours['words']} words x {ours['documents']} documents, {ours['nonzeros']} non-zeros")
print(f"       nmf-topics   {run['seconds_per_iteration']*1e3:9.1f} ms/iteration  ({run['threads']} threads, {run['kernel']}, {run['gfma_per_second']:.1f} GFMA/s)")
print(f"       scikit-learn {theirs['wall_s_per_iteration']*1e3:9.1f} ms/iteration  (wall; {theirs['cpu_s_per_iteration']*1e3:.1f} ms CPU, version {theirs['version']})")
print(f"       ratio        {theirs['wall_s_per_iteration']/run['seconds_per_iteration']:9.1f}x faster")
PY
done
