#!/usr/bin/python3
"""Where each class's voxels go: the confusion matrix (true class x predicted class, voxel
counts and shares of each true class) of the NIfTI label maps in PRED_DIR against LABEL_DIR
(same file names, as `cmems predict` writes them), pooled over the cases and, with GROUP (a
regular expression whose first group names a case's group, e.g. 'frame(\\d+)'), per group.
So an over-segmented class can be traced to what it takes: another structure, or background.
Needs python3-nibabel.
Usage: scripts/confusion.py PRED_DIR LABEL_DIR CLASSES [OUT.json] [GROUP]"""
import glob, json, os, re, sys
import nibabel as nib
import numpy as np

pred_dir, label_dir, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
out_path = sys.argv[4] if len(sys.argv) > 4 else ""
group = re.compile(sys.argv[5]) if len(sys.argv) > 5 else None
mats, n = {}, 0
for f in sorted(glob.glob(os.path.join(label_dir, "*.nii*"))):
    p_path = os.path.join(pred_dir, os.path.basename(f))
    if not os.path.exists(p_path):
        continue
    g = np.asarray(nib.load(f).dataobj).astype(np.int64).ravel()
    p = np.asarray(nib.load(p_path).dataobj).astype(np.int64).ravel()
    if g.shape != p.shape or g.max() >= k or p.max() >= k:
        sys.exit(f"confusion.py: {p_path}: shape or labels do not match {f} with {k} classes")
    m = np.bincount(g * k + p, minlength=k * k).reshape(k, k)
    keys = ["all"] + ([group.search(os.path.basename(f)).group(1)] if group and group.search(os.path.basename(f)) else [])
    for key in keys:
        mats[key] = mats.get(key, 0) + m
    n += 1
if not n:
    sys.exit(f"confusion.py: no prediction in {pred_dir} matches a label map of {label_dir}")
result = {"cases": n, "rows_true_columns_predicted": {}}
for key, m in mats.items():
    share = m / np.maximum(m.sum(1, keepdims=True), 1)
    result["rows_true_columns_predicted"][key] = {"voxels": m.tolist(), "share_of_true": np.round(share, 4).tolist(),
                                                  "predicted_over_true_volume": np.round(m.sum(0) / np.maximum(m.sum(1), 1), 3).tolist()}
    print(f"{key} ({n if key == 'all' else ''} cases): share of each true class (rows) by predicted class (columns); predicted/true volume")
    for i in range(k):
        print(f"  true {i}: " + " ".join(f"{v:.3f}" for v in share[i]) + f"   vol {m[:, i].sum() / max(m[i].sum(), 1):.2f}")
if out_path:
    json.dump(result, open(out_path, "w"), indent=1)
