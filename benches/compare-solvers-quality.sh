#!/usr/bin/env bash
# Topic quality of --solver cd against --solver mu (both on the KL divergence), each fitted to
# the corpus with the same settings and seeds, each run to its own --tol: per seed and K, the
# mean NPMI of the topics' top 10 words, the NMI of each document's main topic with its label,
# the divergence, the iterations and the fit's seconds; then the means and the mean of the
# paired differences cd − mu with its standard error.
#
#   benches/compare-solvers-quality.sh CORPUS LABEL_FIELD [K ...]        (default K: 20 50)
#
# Environment: MIN_DF (default 5), MAX_DF (default 0.5), SEEDS (default "0 1 2 3 4"), THREADS
# (default 2).
set -euo pipefail
corpus=${1:?usage: benches/compare-solvers-quality.sh CORPUS LABEL_FIELD [K ...]}
label=${2:?usage: benches/compare-solvers-quality.sh CORPUS LABEL_FIELD [K ...]}
shift 2
ks=${*:-20 50}
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=${SEEDS:-0 1 2 3 4}
threads=${THREADS:-2}
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin nmf-topics
bin=$root/target/release/nmf-topics
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for k in $ks; do
  for seed in $seeds; do
    for solver in cd mu; do
      "$bin" fit "$corpus" --min-df "${MIN_DF:-5}" --max-df "${MAX_DF:-0.5}" \
        --label-field "$label" -k "$k" --seed "$seed" --solver "$solver" --threads "$threads" \
        --quiet --json "$work/$solver-$k-$seed.json" > /dev/null
    done
  done
  python3 - "$work" "$k" $seeds <<'PY'
import json, statistics, sys
work, k, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = {}
print(f"{'solver':<7} {'K':>3} {'seed':>5} {'NPMI':>8} {'NMI':>8} {'divergence':>14} {'iter':>5} {'fit s':>7}")
for solver in ("cd", "mu"):
    for seed in seeds:
        r = json.load(open(f"{work}/{solver}-{k}-{seed}.json"))
        q, f = r["quality"], r["fit"]
        rows[solver, seed] = (q["mean_npmi"], q["label_nmi"], f["divergence"], f["iterations"],
                              f["seconds"]["fitting"])
        print(f"{solver:<7} {k:>3} {seed:>5} {q['mean_npmi']:8.4f} {q['label_nmi']:8.4f} "
              f"{f['divergence']:14,.0f} {f['iterations']:5d} {f['seconds']['fitting']:7.2f}")
for solver in ("cd", "mu"):
    means = [statistics.mean(rows[solver, s][i] for s in seeds) for i in range(5)]
    print(f"{solver:<7} {k:>3} {'mean':>5} {means[0]:8.4f} {means[1]:8.4f} {means[2]:14,.0f} "
          f"{means[3]:5.0f} {means[4]:7.2f}")
if len(seeds) > 1:
    for i, name in ((0, "NPMI"), (1, "NMI")):
        d = [rows["cd", s][i] - rows["mu", s][i] for s in seeds]
        se = statistics.stdev(d) / len(d) ** 0.5
        print(f"cd - mu {k:>3} {name}: {statistics.mean(d):+.4f} (standard error {se:.4f}, "
              f"{len(d)} seeds)")
PY
done
