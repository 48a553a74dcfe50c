#!/usr/bin/python3
"""Several seeds of the same runs, side by side: each FOLDER holds runs named METHOD-EXEMPLAR
(scripts/experiment.sh, scored; one folder a seed, e.g. the benchmark's gen_la at seed 1337 and
la_seed2, la_seed3). Per method and exemplar: Dice of each seed with the defaults'
post-processing (eval_lcc.json; raw where absent) and raw, their mean and standard deviation,
the two-model QC's rho; then, for REFERENCE (default cmems) against each other method, on each
exemplar: the difference of the seed means and on how many seeds the reference is above
(paired by seed). Only method-exemplar pairs with the same seeds on both sides are compared.
Writes OUT.json and prints a Markdown table.
Usage: [REFERENCE=cmems] scripts/seeds_summary.py OUT.json "COMMAND" "MACHINE" FOLDER..."""
import glob, json, os, statistics, sys

import repo_commit

out_path, command, machine, folders = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
reference = os.environ.get("REFERENCE", "cmems")


def dice_of(run):
    raw = json.load(open(os.path.join(run, "eval.json")))
    lcc_path = os.path.join(run, "eval_lcc.json")
    lcc = json.load(open(lcc_path)) if os.path.exists(lcc_path) else None
    row = {"raw": raw["mean"]["dice"], "dice": (lcc or raw)["mean"]["dice"]}
    if lcc and "qc" in lcc:
        row["qc_spearman_rho"] = lcc["qc"]["spearman_qc_score_vs_case_dice"]
    return row


cells = {}  # (method, exemplar) -> {seed: row}
for folder in folders:
    for ev in sorted(glob.glob(os.path.join(folder, "*", "eval.json"))):
        run = os.path.dirname(ev)
        cfg = json.load(open(os.path.join(run, "config.json")))
        exemplar = cfg["exemplar"] or "(every training label)"
        row = dice_of(run)
        row["run"] = run
        timing = os.path.join(run, "timing.json")
        if os.path.exists(timing):
            row["train_seconds"] = round(json.load(open(timing))["train_seconds"], 1)
        cell = cells.setdefault((cfg["method"], exemplar), {})
        seed = str(cfg["seed"])
        if seed in cell:
            sys.exit(f"seeds_summary.py: {run} and {cell[seed]['run']}: the same method, exemplar and seed twice")
        cell[seed] = row


def stats(seeds):
    d = [r["dice"] for r in seeds.values()]
    return {"seeds": seeds, "n": len(d), "mean": statistics.mean(d),
            "std": statistics.stdev(d) if len(d) > 1 else None,
            "raw_mean": statistics.mean(r["raw"] for r in seeds.values())}


table = [{"method": m, "exemplar": e, **stats(s)} for (m, e), s in sorted(cells.items())]
comparisons = []
for (m, e), s in sorted(cells.items()):
    ref = cells.get((reference, e))
    if m == reference or not ref:
        continue
    common = sorted(set(ref) & set(s))
    if not common:
        continue
    diffs = [ref[k]["dice"] - s[k]["dice"] for k in common]
    comparisons.append({"exemplar": e, "against": m, "seeds": common, "n": len(common),
                        "mean_difference": statistics.mean(diffs), "differences": diffs,
                        "reference_above_on": sum(x > 0 for x in diffs),
                        "above_on_mean": statistics.mean(diffs) > 0})
json.dump({"command": command, "machine": machine, "commit": repo_commit.commit(), "reference": reference,
           "note": "dice: the defaults' post-processing (eval_lcc.json), raw: none; differences are "
                   "reference minus the other method, seed by seed",
           "table": table, "comparisons": comparisons}, open(out_path, "w"), indent=1)
print("| method | exemplar | seeds | Dice per seed | mean ± std | raw mean |")
print("|---|---|---|---|---|---|")
for r in table:
    per = " / ".join(f"{v['dice']:.3f}" for v in r["seeds"].values())
    std = f" ± {r['std']:.3f}" if r["std"] is not None else ""
    print(f"| `{r['method']}` | {r['exemplar']} | {', '.join(r['seeds'])} | {per} | {r['mean']:.3f}{std} | {r['raw_mean']:.3f} |")
for c in comparisons:
    print(f"{reference} - {c['against']} on {c['exemplar']}: {c['mean_difference']:+.3f} over seeds "
          f"{','.join(c['seeds'])}; above on {c['reference_above_on']} of {c['n']}")
