#!/usr/bin/python3
"""Label-free case scores against the true Dice, on a folder written by `cmems predict` of a
two-model run (CASE.nii.gz, CASE_entropy.nii.gz, qc.json) and the reference labels: Spearman
rho of each candidate score with the case's mean foreground Dice (a useful score has
rho <= -0.5: higher score, worse case). Candidates:
  qc_score           1 - inter-model Dice (what qc.json holds)
  entropy_fg         mean normalised entropy over the voxels labelled foreground
  entropy_all        mean normalised entropy over the volume
  uncertain_share    share of the foreground voxels whose entropy exceeds 0.5
Needs python3-nibabel. Usage: scripts/qc_candidates.py PRED_DIR LABEL_DIR [OUT.json]"""
import json, os, sys
import nibabel as nib
import numpy as np

pred_dir, label_dir = sys.argv[1], sys.argv[2]
qc = {c["case"]: c for c in json.load(open(os.path.join(pred_dir, "qc.json")))["cases"]}


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
                 "uncertain_share": float((ent[fg] > 0.5).mean()) if fg.any() else 1.0})
dice = [r["dice"] for r in rows]
rho = {k: spearman([r[k] for r in rows], dice) for k in ("qc_score", "entropy_fg", "entropy_all", "uncertain_share")}
for r in rows:
    print(f"{r['case'][:16]:16s} dice {r['dice']:.3f} " + " ".join(f"{k} {r[k]:.3f}" for k in rho))
print("Spearman rho with Dice: " + ", ".join(f"{k} {v:.2f}" for k, v in rho.items()))
if len(sys.argv) > 3:
    json.dump({"pred": pred_dir, "labels": label_dir, "cases": rows, "spearman": rho}, open(sys.argv[3], "w"), indent=1)
