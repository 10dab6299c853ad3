# Sourced by the compare scripts, with $root set to the project: builds nmf-topics and the
# score_factors example, finds a python with scikit-learn (PEER_PYTHON, else the one that
# ../shared/bench/setup.sh prepares) and makes a work directory that is removed on exit.
# Sets peer_dir, bin, score, PEER_PYTHON and work.
peer_dir=$root/../shared/bench
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin nmf-topics --example score_factors
bin=$root/target/release/nmf-topics
score=$root/target/release/examples/score_factors
if [ -z "${PEER_PYTHON:-}" ]; then
  [ -x "$peer_dir/setup.sh" ] || { echo "set PEER_PYTHON to a python with scikit-learn" >&2; exit 2; }
  PEER_PYTHON=$(bash "$peer_dir/setup.sh" | tail -n 1)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
