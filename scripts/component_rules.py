#!/usr/bin/python3
"""Which connected component to keep per class, measured on saved raw predictions before any
change to the C++ post-processing: raw; the largest (infer.lcc, what the defaults do); the one
with the most face contact with the other foreground classes (falling back to the largest where
none touches); every component at least f x the largest. Classes 1..C-1; Dice per class with
"both empty = 1". For ACDC, convert the val volumes to NIfTI first (image and label transposed
to x, y, z; the run's normalisation is as_stored, so predict reads the values as they are) and
predict with --infer.lcc false --infer.opening 0.
Usage: scripts/component_rules.py PRED_DIR LABELS_DIR NUM_CLASSES"""
import glob, os, sys, numpy as np, nibabel as nib
from scipy import ndimage as ndi
FACE = ndi.generate_binary_structure(3, 1)
def comps(m):
    lab, n = ndi.label(m, FACE); return lab, n
def select(p, C, rule):
    out = np.zeros_like(p)
    for c in range(1, C):
        m = p == c
        lab, n = comps(m)
        if n == 0: continue
        sz = np.bincount(lab.ravel(), minlength=n+1); sz[0] = 0
        if rule == "raw": keep = m
        elif rule == "largest": keep = lab == sz.argmax()
        elif rule.startswith("frac"):
            f = float(rule[4:]); keep = np.isin(lab, np.nonzero(sz >= f * sz.max())[0])
        elif rule == "contact":
            other = (p > 0) & (p != c)
            nb = ndi.binary_dilation(other, FACE)  # voxels face-adjacent to another class
            contact = np.bincount(lab[nb & m], minlength=n+1); contact[0] = 0
            keep = lab == (contact.argmax() if contact.max() > 0 else sz.argmax())
        out[keep] = c
    return out
def dice(a, b):
    s = a.sum() + b.sum(); return 2*(a&b).sum()/s if s else 1.0  # empty both: 1 (not SSL4MIS's 0)
rules = ["raw", "largest", "contact", "frac0.1", "frac0.3"]
pred, labels, C = sys.argv[1], sys.argv[2], int(sys.argv[3])
res = {r: [] for r in rules}
for f in sorted(glob.glob(pred + "/*.nii.gz")):
    if f.endswith(("_qc.nii.gz", "_entropy.nii.gz")): continue
    p = np.asarray(nib.load(f).dataobj).astype(np.uint8); t = np.asarray(nib.load(os.path.join(labels, os.path.basename(f))).dataobj)
    for r in rules:
        s = select(p, C, r)
        res[r].append([dice(s == c, t == c) for c in range(1, C)])
for r in rules:
    a = np.array(res[r]); print(r, f"mean {a.mean():.4f}", " ".join(f"{x:.3f}" for x in a.mean(0)), "per class; class 1 min", f"{a[:,0].min():.2f}")
