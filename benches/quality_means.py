#!/usr/bin/env python3
"""Prints each seed's quality and, with several seeds, the means, for the compare scripts:

    quality_means.py WORK_DIR K SEED...

reads WORK_DIR/ours-K-SEED.json (a fit's JSON report), WORK_DIR/theirs-K-SEED.json
(score_factors' output) and WORK_DIR/theirs-K-SEED.fit.json (scikit-learn's fit record) for
each seed. Each tool stops on its own tolerance, so the iterations each ran are printed too.
"""
import json, sys

FIGURES = ("mean_npmi", "diversity", "label_nmi")


def main():
    work, k, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
    for tool, name in (("nmf-topics", "ours"), ("scikit-learn", "theirs")):
        rows = []
        for seed in seeds:
            with open(f"{work}/{name}-{k}-{seed}.json") as f:
                q = json.load(f)
            if name == "ours":
                iterations = q["fit"]["iterations"]
            else:
                with open(f"{work}/{name}-{k}-{seed}.fit.json") as f:
                    iterations = json.load(f)["iterations"]
            q = q.get("quality", q)
            rows.append([q[f] for f in FIGURES] + [iterations])
            print(f"{tool:<14} {k:>4} {seed:>5} "
                  + " ".join(f"{x:10.3f}" for x in rows[-1][:-1]) + f" {iterations:10d}")
        if len(seeds) > 1:
            means = [sum(r[i] for r in rows) / len(rows) for i in range(len(FIGURES) + 1)]
            print(f"{tool:<14} {k:>4} {'mean':>5} "
                  + " ".join(f"{x:10.4f}" for x in means[:-1]) + f" {means[-1]:10.1f}")


if __name__ == "__main__":
    main()
