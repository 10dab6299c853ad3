# Sourced by the two quality compare scripts, with $root set: reads their shared environment
# (MIN_DF, MAX_DF, ITERATIONS, MAX_ITER, INIT, SEEDS), sources peer.sh and prints the header of
# the per-seed table that quality_means.py fills. Sets min_df, max_df, iterations, ours_iter,
# init and seeds, and what peer.sh sets.
min_df=${MIN_DF:-5}
max_df=${MAX_DF:-0.5}
iterations=${ITERATIONS:-200}
# nmf-topics runs to its own --max-iter default unless MAX_ITER is given.
ours_iter=()
[ -z "${MAX_ITER:-}" ] || ours_iter=(--max-iter "$MAX_ITER")
init=${INIT:-nndsvda}
seeds=${SEEDS:-0}
# shellcheck source=benches/peer.sh
source "$root/benches/peer.sh"
printf '%-14s %4s %5s %10s %10s %10s %10s\n' tool K seed "mean NPMI" diversity NMI iterations
