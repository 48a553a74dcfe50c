#!/usr/bin/python3
"""Side-by-side table of option variants: each NAME=DIR is an experiment folder of
scripts/experiment.sh holding one run per (method, exemplar); writes OUT.json with every
run's scores, per class, model a alone, training time, command and validation curve, and
prints a Markdown table. Usage: scripts/summarise_variants.py OUT.json "MACHINE" NAME=DIR ..."""
import glob, json, os, sys

out_path, machine, *pairs = sys.argv[1:]
variants = []
for pair in pairs:
    name, exp = pair.split("=", 1)
    for ev in sorted(glob.glob(os.path.join(exp, "*", "eval.json"))):
        run = os.path.dirname(ev)
        e = json.load(open(ev))
        cfg = json.load(open(os.path.join(run, "config.json")))
        v = {"variant": name, "run": run, "method": cfg["method"], "exemplar": cfg["exemplar"],
             "iterations": cfg["iterations"], "mean_dice": e["mean"]["dice"], "mean_hd95": e["mean"]["hd95"],
             "classes": {c["name"]: {"dice": c["dice"], "hd95": c["hd95"]} for c in e["classes"].values()}}
        if "qc" in e:
            v["qc_spearman"] = e["qc"]["spearman_qc_score_vs_case_dice"]
        for f, key in (("eval_a.json", "model_a_mean_dice"),):
            p = os.path.join(run, f)
            if os.path.exists(p):
                v[key] = json.load(open(p))["mean"]["dice"]
        p = os.path.join(run, "timing.json")
        if os.path.exists(p):
            v["train_seconds"] = round(json.load(open(p))["train_seconds"], 1)
        p = os.path.join(run, "command.txt")
        if os.path.exists(p):
            v["command"] = open(p).read().strip()
        v["val_curve"] = [[j["iteration"], j["val_dice"]] for j in map(json.loads, open(os.path.join(run, "metrics.jsonl")))
                          if "val_dice" in j]
        variants.append(v)
json.dump({"machine": machine, "variants": variants}, open(out_path, "w"), indent=1)
names = list(variants[0]["classes"]) if variants else []
print("| variant | " + " | ".join(names) + " | mean Dice | model a | HD95 | val Dice during training | training |")
print("|---" * (len(names) + 6) + "|")
for v in variants:
    curve = ", ".join(f"{i}: {d:.3f}" for i, d in v["val_curve"])
    print(f"| {v['variant']} | " + " | ".join(f"{v['classes'][n]['dice']:.3f}" for n in names) +
          f" | **{v['mean_dice']:.3f}** | {v.get('model_a_mean_dice', float('nan')):.3f} | {v['mean_hd95']:.2f} | {curve} | {v.get('train_seconds', 0):.0f} s |")
