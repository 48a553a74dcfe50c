#!/usr/bin/python3
"""Label-free case scores against the true Dice, on a folder written by `cmems predict` of a
two-model run (CASE.nii.gz, CASE_entropy.nii.gz, qc.json) and the reference labels: Spearman
rho of each candidate score with the case's mean foreground Dice (a useful score has
rho <= -0.5: higher score, worse case). Candidates:
  qc_score           1 - inter-model Dice (what qc.json holds)
  entropy_fg         mean normalised entropy over the voxels labelled foreground
  entropy_all        mean normalised entropy over the volume
  uncertain_share    share of the foreground voxels whose entropy exceeds 0.5
  planes_labelled    share of the planes (third axis) with any foreground
  foreground_share   share of the volume labelled foreground
and, with RAW_DIR (the same run's predict with --infer.lcc false --infer.opening 0):
  removed_share      share of the raw foreground that the post-processing removed
  qc_score_raw       RAW_DIR's qc_score (the models' raw labels compared)
Needs python3-nibabel. Usage: scripts/qc_candidates.py PRED_DIR LABEL_DIR [OUT.json [RAW_DIR]]"""
import json, os, sys
import nibabel as nib
import numpy as np

pred_dir, label_dir = sys.argv[1], sys.argv[2]
qc = {c["case"]: c for c in json.load(open(os.path.join(pred_dir, "qc.json")))["cases"]}
raw_dir = sys.argv[4] if len(sys.argv) > 4 else None
qc_raw = {c["case"]: c for c in json.load(open(os.path.join(raw_dir, "qc.json")))["cases"]} if raw_dir else {}


def spearman(x, y):
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


rows = []
for case in sorted(qc):
    lab = np.asarray(nib.load(os.path.join(label_dir, case + ".nii.gz")).dataobj)
    pred = np.asarray(nib.load(os.path.join(pred_dir, case + ".nii.gz")).dataobj)
    ent = np.asarray(nib.load(os.path.join(pred_dir, case + "_entropy.nii.gz")).dataobj)
    classes = [c for c in np.unique(np.concatenate([np.unique(lab), np.unique(pred)])) if c > 0]
    dice = np.mean([2 * ((pred == c) & (lab == c)).sum() / max(1, (pred == c).sum() + (lab == c).sum()) for c in classes])
    fg = pred > 0
    rows.append({"case": case, "dice": float(dice), "qc_score": qc[case]["qc_score"],
                 "entropy_fg": float(ent[fg].mean()) if fg.any() else 1.0, "entropy_all": float(ent.mean()),
                 "uncertain_share": float((ent[fg] > 0.5).mean()) if fg.any() else 1.0,
                 "planes_labelled": float((fg.sum((0, 1)) > 0).mean()), "foreground_share": float(fg.mean())})
    if raw_dir:
        raw = np.asarray(nib.load(os.path.join(raw_dir, case + ".nii.gz")).dataobj) > 0
        rows[-1]["removed_share"] = float(1 - fg.sum() / max(1, raw.sum()))
        rows[-1]["qc_score_raw"] = qc_raw[case]["qc_score"]
dice = [r["dice"] for r in rows]
keys = ["qc_score", "entropy_fg", "entropy_all", "uncertain_share", "planes_labelled", "foreground_share"]
keys += ["removed_share", "qc_score_raw"] if raw_dir else []
rho = {k: spearman([r[k] for r in rows], dice) for k in keys}
for r in rows:
    print(f"{r['case'][:16]:16s} dice {r['dice']:.3f} " + " ".join(f"{k} {r[k]:.3f}" for k in rho))
print("Spearman rho with Dice: " + ", ".join(f"{k} {v:.2f}" for k, v in rho.items()))
if len(sys.argv) > 3:
    json.dump({"pred": pred_dir, "labels": label_dir, "cases": rows, "spearman": rho}, open(sys.argv[3], "w"), indent=1)
