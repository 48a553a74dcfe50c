#!/usr/bin/python3
"""Where each class's voxels go: the confusion matrix (true class x predicted class, voxel
counts and shares of each true class) of the NIfTI label maps in PRED_DIR against LABEL_DIR
(same file names, as `cmems predict` writes them), pooled over the cases and, with GROUP (a
regular expression whose first group names a case's group, e.g. 'frame(\\d+)'), per group.
So an over-segmented class can be traced to what it takes: another structure, or background;
and, per class, how far its false-positive voxels lie (in-plane, in the volume's units) from the
nearest voxel of any true structure in their plane (bins 0-2, 2-5, 5-10, 10-20, > 20).
Needs python3-nibabel and python3-scipy.
Usage: scripts/confusion.py PRED_DIR LABEL_DIR CLASSES [OUT.json] [GROUP]"""
import glob, json, os, re, sys
import nibabel as nib
import numpy as np
from scipy import ndimage as ndi

BINS = [0, 2, 5, 10, 20, np.inf]

pred_dir, label_dir, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
out_path = sys.argv[4] if len(sys.argv) > 4 else ""
group = re.compile(sys.argv[5]) if len(sys.argv) > 5 else None
mats, cases, n = {}, {}, 0
far = np.zeros((k, len(BINS) - 1))  # per class: its false positives by distance to the true structures
for f in sorted(glob.glob(os.path.join(label_dir, "*.nii*"))):
    p_path = os.path.join(pred_dir, os.path.basename(f))
    if not os.path.exists(p_path):
        continue
    g = np.asarray(nib.load(f).dataobj).astype(np.int64).ravel()
    p = np.asarray(nib.load(p_path).dataobj).astype(np.int64).ravel()
    if g.shape != p.shape or g.max() >= k or p.max() >= k:
        sys.exit(f"confusion.py: {p_path}: shape or labels do not match {f} with {k} classes")
    m = np.bincount(g * k + p, minlength=k * k).reshape(k, k)
    img = nib.load(f)
    g3, p3 = g.reshape(img.shape[:3], order="C"), p.reshape(img.shape[:3], order="C")
    for z in range(g3.shape[2]):
        fp = (p3[:, :, z] > 0) & (p3[:, :, z] != g3[:, :, z])
        if not fp.any():
            continue
        heart = g3[:, :, z] > 0
        dist = ndi.distance_transform_edt(~heart, sampling=img.header.get_zooms()[:2]) if heart.any() \
            else np.full(heart.shape, np.inf)
        for c in range(1, k):
            sel = fp & (p3[:, :, z] == c)
            far[c] += np.histogram(dist[sel], bins=BINS)[0]
    keys = ["all"] + ([group.search(os.path.basename(f)).group(1)] if group and group.search(os.path.basename(f)) else [])
    for key in keys:
        mats[key] = mats.get(key, 0) + m
        cases[key] = cases.get(key, 0) + 1
    n += 1
if not n:
    sys.exit(f"confusion.py: no prediction in {pred_dir} matches a label map of {label_dir}")
result = {"cases": n, "rows_true_columns_predicted": {}}
for key, m in mats.items():
    share = m / np.maximum(m.sum(1, keepdims=True), 1)
    result["rows_true_columns_predicted"][key] = {"cases": cases[key], "voxels": m.tolist(), "share_of_true": np.round(share, 4).tolist(),
                                                  "predicted_over_true_volume": np.round(m.sum(0) / np.maximum(m.sum(1), 1), 3).tolist()}
    print(f"{key} ({cases[key]} cases): share of each true class (rows) by predicted class (columns); predicted/true volume")
    for i in range(k):
        print(f"  true {i}: " + " ".join(f"{v:.3f}" for v in share[i]) + f"   vol {m[:, i].sum() / max(m[i].sum(), 1):.2f}")
labels = [f"{a:g}-{b:g}" if np.isfinite(b) else f"> {a:g}" for a, b in zip(BINS[:-1], BINS[1:])]
result["false_positives_by_distance_to_the_true_structures"] = {
    str(c): {"voxels": int(far[c].sum()), "share": dict(zip(labels, np.round(far[c] / max(far[c].sum(), 1), 4).tolist()))}
    for c in range(1, k)}
for c in range(1, k):
    print(f"class {c} false positives by in-plane distance to the true structures: " +
          ", ".join(f"{l} {v:.3f}" for l, v in zip(labels, far[c] / max(far[c].sum(), 1))))
if out_path:
    json.dump(result, open(out_path, "w"), indent=1)
