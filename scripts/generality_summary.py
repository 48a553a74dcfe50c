#!/usr/bin/python3
"""Issue 33's generality table: collects the runs of scripts/generality.sh (one folder per
dataset, runs named METHOD-EXEMPLAR, each scored by scripts/experiment.sh) into one JSON and
prints a Markdown table. Per run: dataset, method, exemplar, Dice per class and mean with the
defaults' post-processing (eval_lcc.json: infer.opening where the volumes' spacing is known,
then per class its largest connected component and those of at least infer.keep_fraction of
it; the infer options it used are kept),
raw (eval.json) and, where scored, with the largest component instead (eval_largest.json),
HD95, the two-model QC's Spearman rho, training seconds, the command and commit that trained it.
Then the issue's acceptance, computed from the runs (with the defaults' post-processing):
  ACDC: cmems mean over the five exemplars >= 0.72, worst >= 0.66, RV >= 0.60 on each, above
        fixmatch on each; LA: cmems mean over three >= 0.80, above fixmatch and supervised-synth
        on each; QC rho <= -0.5 on both (cmems, mean over exemplars).
A row of the previous OUT.json whose run folder is absent (a run of an earlier machine: run
folders live outside the repository and do not survive a new machine) is kept as it was, marked
"kept": so the benchmark can be finished across machines and sessions without editing rows.
Usage: scripts/generality_summary.py ACDC_RUNS LA_RUNS OUT.json "COMMAND" "MACHINE" """
import glob, json, os, statistics, sys

import repo_commit

acdc_dir, la_dir, out_path, command, machine = sys.argv[1:6]


def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


def scores(e):
    return {"mean_dice": e["mean"]["dice"], "mean_hd95": e["mean"]["hd95"],
            "classes": {v["name"]: {"dice": v["dice"], "hd95": v["hd95"]} for v in e["classes"].values()}}


def runs_of(dataset, folder):
    out = []
    for ev in sorted(glob.glob(os.path.join(folder, "*", "eval.json"))):
        run = os.path.dirname(ev)
        cfg = json.load(open(os.path.join(run, "config.json")))
        lcc = load(os.path.join(run, "eval_lcc.json"))
        row = {"dataset": dataset, "run": os.path.basename(run), "method": cfg["method"],
               "exemplar": cfg["exemplar"] or ("(every training label)" if cfg["method"] == "full" else os.path.basename(run).split("-", 1)[1]), "seed": cfg["seed"],
               "iterations": cfg["iterations"], "raw": scores(json.load(open(ev))),
               # the one training default changed while the benchmark was being run (0.4 since
               # 6b35618); a run saved before the option existed trained with 0
               "synthesis_structure_scale": cfg.get("synthesis", {}).get("structure_scale", 0.0)}
        if lcc:
            row["lcc"] = scores(lcc)
            row["lcc_infer"] = lcc.get("evaluated", {}).get("infer")
            if "qc" in lcc:  # two-model runs; null when it is undefined (constant Dice or QC)
                row["qc_spearman_rho"] = lcc["qc"]["spearman_qc_score_vs_case_dice"]
        largest = load(os.path.join(run, "eval_largest.json"))
        if largest:
            row["largest"] = scores(largest)
        t = load(os.path.join(run, "timing.json"))
        if t:
            row["train_seconds"] = round(t["train_seconds"], 1)
        if os.path.exists(os.path.join(run, "command.txt")):
            row["command"] = open(os.path.join(run, "command.txt")).read().strip()
        out.append(row)
    return out


runs = runs_of("acdc", acdc_dir) + runs_of("la", la_dir)
previous = load(out_path) or {}
found = {(r["dataset"], r["run"]) for r in runs}
for r in previous.get("runs", []):  # rows of runs whose folders this machine does not have
    if (r["dataset"], r["run"]) not in found:
        r.setdefault("kept", "from the previous " + os.path.basename(out_path) + "; its run folder is not on the machine that wrote this file")
        runs.append(r)
ORDER = {m: i for i, m in enumerate(["cmems", "fixmatch", "supervised-synth", "full"])}
runs.sort(key=lambda r: (r["dataset"], ORDER.get(r["method"], len(ORDER)), r["run"]))


def dice(r):  # with the defaults' post-processing where scored, else raw
    return r.get("lcc", r["raw"])["mean_dice"]


def by(dataset, method):
    return {r["exemplar"]: r for r in runs if r["dataset"] == dataset and r["method"] == method}


def acceptance():
    out = {}
    for ds, mean_target, worst_target, rivals in (("acdc", 0.72, 0.66, ["fixmatch"]),
                                                  ("la", 0.80, None, ["fixmatch", "supervised-synth"])):
        cm = by(ds, "cmems")
        if not cm:
            continue
        a = {"exemplars": len(cm), "cmems_mean": statistics.mean(dice(r) for r in cm.values()),
             "cmems_worst": min(dice(r) for r in cm.values()), "mean_target": mean_target, "above": {}}
        a["met"] = a["cmems_mean"] >= mean_target
        if worst_target is not None:
            a["worst_target"] = worst_target
            a["met"] &= a["cmems_worst"] >= worst_target
        if ds == "acdc":
            a["rv_min"] = min(r.get("lcc", r["raw"])["classes"]["RV"]["dice"] for r in cm.values())
            a["met"] &= a["rv_min"] >= 0.60
        for m in rivals:
            b = by(ds, m)
            a["above"][m] = {e: dice(cm[e]) > dice(b[e]) for e in cm if e in b}
            a["met"] &= len(a["above"][m]) == len(cm) and all(a["above"][m].values())
        rhos = [r["qc_spearman_rho"] for r in cm.values() if r.get("qc_spearman_rho") is not None]
        if rhos:
            a["qc_rho_mean"] = statistics.mean(rhos)
            a["qc_useful"] = a["qc_rho_mean"] <= -0.5
        full = by(ds, "full")
        if full:
            a["full"] = dice(next(iter(full.values())))
        out[ds] = a
    return out


result = {"command": command, "machine": machine, "commit": repo_commit.commit(),
          "note": "Dice with the defaults' post-processing (infer.opening where the spacing is known, then per class its largest connected component and those of at least lcc_infer's keep_fraction of it; where lcc_infer has no keep_fraction: the largest component alone, or the contact rule where it says component contact) unless 'raw'; 'largest': the largest component alone; "
                  "ACDC scored on val.list, LA on its 10 validation volumes; one seed a run",
          "runs": runs, "acceptance": acceptance()}
json.dump(result, open(out_path, "w"), indent=1)
print("| dataset | method | exemplar | Dice (post-processed) | raw | per class (post-processed) | HD95 | QC rho | s |")
print("|---|---|---|---|---|---|---|---|---|")
for r in runs:
    s = r.get("lcc", r["raw"])
    cls = ", ".join(f"{k} {v['dice']:.3f}" for k, v in s["classes"].items())
    rho = f"{r['qc_spearman_rho']:.2f}" if r.get("qc_spearman_rho") is not None else "–"
    print(f"| {r['dataset']} | `{r['method']}` | {r['exemplar']} | {dice(r):.3f} | {r['raw']['mean_dice']:.3f} | "
          f"{cls} | {s['mean_hd95']:.2f} | {rho} | {r.get('train_seconds', '–')} |")
for ds, a in result["acceptance"].items():
    print(f"acceptance {ds}: cmems mean {a['cmems_mean']:.3f} over {a['exemplars']} exemplar(s) "
          f"(target {a['mean_target']}), worst {a['cmems_worst']:.3f}; met: {a['met']}")
