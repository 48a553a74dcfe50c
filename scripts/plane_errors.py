#!/usr/bin/python3
"""Where a binary (or one-class) segmentation goes wrong along the slice axis: for each case
of PRED_DIR (NIfTI label maps, as `cmems predict` writes them) against LABEL_DIR (same file
names), precision, recall and Dice of class CLASS, and how the false-positive voxels split
between planes that hold the structure and planes that do not; then, pooled over the cases,
precision, recall and the shares of false positives and of the structure in bands of planes
by distance from each volume's middle plane (where a default exemplar lies). Needs
python3-nibabel.
Usage: scripts/plane_errors.py PRED_DIR LABEL_DIR [CLASS] [OUT.json]"""
import glob, json, os, sys
import nibabel as nib
import numpy as np

pred_dir, label_dir = sys.argv[1], sys.argv[2]
cls = int(sys.argv[3]) if len(sys.argv) > 3 else 1
rows = []
bands = [(0, 8), (8, 16), (16, 24), (24, 32), (32, 10**6)]  # |plane - middle|
band_tp, band_fp, band_fn = np.zeros(len(bands)), np.zeros(len(bands)), np.zeros(len(bands))
for f in sorted(glob.glob(os.path.join(label_dir, "*.nii*"))):
    p_path = os.path.join(pred_dir, os.path.basename(f))
    if not os.path.exists(p_path):
        continue
    g = np.asarray(nib.load(f).dataobj) == cls
    p = np.asarray(nib.load(p_path).dataobj) == cls
    tp, fp, fn = (p & g).sum(), (p & ~g).sum(), (~p & g).sum()
    has = g.sum((0, 1)) > 0  # planes along the third axis that hold the structure
    fp_empty = (p & ~g)[:, :, ~has].sum()
    dist = np.abs(np.arange(p.shape[2]) - p.shape[2] // 2)
    for i, (lo, hi) in enumerate(bands):
        m = (dist >= lo) & (dist < hi)
        pm, gm = p[:, :, m], g[:, :, m]
        band_tp[i] += (pm & gm).sum(); band_fp[i] += (pm & ~gm).sum(); band_fn[i] += (~pm & gm).sum()
    rows.append({"case": os.path.basename(f).split(".")[0], "dice": float(2 * tp / max(1, 2 * tp + fp + fn)),
                 "precision": float(tp / max(1, tp + fp)), "recall": float(tp / max(1, tp + fn)),
                 "planes": int(len(has)), "planes_with_structure": int(has.sum()),
                 "planes_predicted": int((p.sum((0, 1)) > 0).sum()),
                 "fp_share_in_planes_without_structure": float(fp_empty / max(1, fp)),
                 "predicted_over_true_volume": float(p.sum() / max(1, g.sum()))})
mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0] if k != "case"}
print("case  dice  precision  recall  planes(true/pred)  FP share in empty planes  pred/true volume")
for r in rows + [dict(mean, case="mean")]:
    print(f"{r['case'][:14]:14s} {r['dice']:.3f} {r['precision']:.3f} {r['recall']:.3f} "
          f"{r['planes_with_structure']:5.0f}/{r['planes_predicted']:<5.0f} {r['fp_share_in_planes_without_structure']:.2f} "
          f"{r['predicted_over_true_volume']:.2f}")
pooled = {"precision": float(band_tp.sum() / max(1, band_tp.sum() + band_fp.sum())),
          "recall": float(band_tp.sum() / max(1, band_tp.sum() + band_fn.sum()))}
by_band = [{"planes_from_middle": f"{lo}-{hi if hi < 10**6 else 'end'}",
            "precision": float(band_tp[i] / max(1, band_tp[i] + band_fp[i])),
            "recall": float(band_tp[i] / max(1, band_tp[i] + band_fn[i])),
            "fp_share": float(band_fp[i] / max(1, band_fp.sum())),
            "structure_share": float((band_tp[i] + band_fn[i]) / max(1, (band_tp + band_fn).sum()))}
           for i, (lo, hi) in enumerate(bands)]
print(f"pooled: precision {pooled['precision']:.2f} recall {pooled['recall']:.2f}")
for b in by_band:
    print(f"|plane - middle| {b['planes_from_middle']:>7s}: precision {b['precision']:.2f} recall {b['recall']:.2f} "
          f"FP share {b['fp_share']:.2f} structure share {b['structure_share']:.2f}")
if len(sys.argv) > 4:
    json.dump({"pred": pred_dir, "labels": label_dir, "class": cls, "cases": rows, "mean": mean,
               "pooled": pooled, "by_distance_from_middle": by_band},
              open(sys.argv[4], "w"), indent=1)
