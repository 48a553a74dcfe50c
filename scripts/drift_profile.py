#!/usr/bin/python3
"""How a binary (one-class) segmentation changes over training: for each folder of PRED_ROOT
(one `cmems predict` of a snapshot, named itNNNNNN, raw labels: --infer.lcc false
--infer.opening 0), pooled over the cases against LABEL_DIR: Dice (mean over cases), precision,
recall, predicted / true volume, the share of false positives in planes without the
structure, the number of planes labelled per case against the true span; and label-free
figures that a user without labels could watch: the predicted foreground share of the
volume, the planes labelled, the models' agreement (qc.json's inter-model Dice, mean over
cases) and the mean entropy over the labelled voxels. Needs python3-nibabel.
Usage: scripts/drift_profile.py PRED_ROOT LABEL_DIR [OUT.json]"""
import glob, json, os, sys
import nibabel as nib
import numpy as np

root, label_dir = sys.argv[1], sys.argv[2]
out = []
for d in sorted(glob.glob(os.path.join(root, "it*"))):
    qc = {c["case"]: c for c in json.load(open(os.path.join(d, "qc.json")))["cases"]}
    tp = fp = fn = fp_empty = 0
    dices, planes, true_planes, fg_share, agree, ent_fg = [], [], [], [], [], []
    for case in sorted(qc):
        g = np.asarray(nib.load(os.path.join(label_dir, case + ".nii.gz")).dataobj) > 0
        p = np.asarray(nib.load(os.path.join(d, case + ".nii.gz")).dataobj) > 0
        e = np.asarray(nib.load(os.path.join(d, case + "_entropy.nii.gz")).dataobj)
        t, f, n = (p & g).sum(), (p & ~g).sum(), (~p & g).sum()
        tp, fp, fn = tp + t, fp + f, fn + n
        has = g.sum((0, 1)) > 0
        fp_empty += (p & ~g)[:, :, ~has].sum()
        dices.append(2 * t / max(1, p.sum() + g.sum()))
        planes.append(int((p.sum((0, 1)) > 0).sum())); true_planes.append(int(has.sum()))
        fg_share.append(float(p.mean())); ent_fg.append(float(e[p].mean()) if p.any() else 0.0)
        agree.append(1 - qc[case]["qc_score"])
    row = {"snapshot": os.path.basename(d), "dice": float(np.mean(dices)),
           "precision": float(tp / max(1, tp + fp)), "recall": float(tp / max(1, tp + fn)),
           "volume_ratio": float((tp + fp) / max(1, tp + fn)),
           "fp_share_in_planes_without_structure": float(fp_empty / max(1, fp)),
           "planes_labelled_mean": float(np.mean(planes)), "true_planes_mean": float(np.mean(true_planes)),
           "label_free": {"foreground_share": float(np.mean(fg_share)), "planes_labelled_mean": float(np.mean(planes)),
                          "inter_model_dice": float(np.mean(agree)), "entropy_labelled": float(np.mean(ent_fg))}}
    out.append(row)
    lf = row["label_free"]
    print(f"{row['snapshot']} dice {row['dice']:.3f} prec {row['precision']:.3f} rec {row['recall']:.3f} "
          f"vol {row['volume_ratio']:.2f} fp_empty {row['fp_share_in_planes_without_structure']:.2f} "
          f"planes {row['planes_labelled_mean']:.1f}/{row['true_planes_mean']:.1f} | fg {lf['foreground_share']*100:.3f}% "
          f"agree {lf['inter_model_dice']:.3f} ent {lf['entropy_labelled']:.3f}")
if len(sys.argv) > 3:
    json.dump({"snapshots": out}, open(sys.argv[3], "w"), indent=1)
