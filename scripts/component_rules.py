#!/usr/bin/python3
"""Which connected component to keep per class, measured on saved raw predictions before any
change to the C++ post-processing: raw; the largest (infer.lcc, what the defaults do); the one
with the most face contact with the other foreground classes (falling back to the largest where
none touches); the largest and the most-contact one together; every component at least f x the largest;
union[F]+frac0.3: first the foreground of all classes together, its largest component (or those
of at least F x it), then frac0.3 per class; assembly+frac0.3: first the component of all classes together that
holds the most classes (then the largest), then frac0.3 per class; weakest+frac0.3: the one whose
smallest class is largest. Classes 1..C-1; Dice per class with
"both empty = 1". For ACDC, convert the val volumes to NIfTI first (image and label transposed
to x, y, z; the run's normalisation is as_stored, so predict reads the values as they are) and
predict with --infer.lcc false --infer.opening 0.
Usage: scripts/component_rules.py PRED_DIR LABELS_DIR NUM_CLASSES [OUT.json]"""
import glob, json, os, sys
import numpy as np, nibabel as nib
from scipy import ndimage as ndi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opening_variants import FACE, dice, lcc  # noqa: E402  (the same largest component and Dice)

RULES = ["raw", "largest", "contact", "largest+contact", "frac0.05", "frac0.1", "frac0.2", "frac0.3", "frac0.5",
         "union+frac0.3", "union0.1+frac0.3", "union0.3+frac0.3", "assembly+frac0.3", "weakest+frac0.3"]


def union_first(p, frac):
    """The foreground of every class together (the organ as one assembly, as nnU-Net's
    post-processing treats it first): only its components of at least frac x its largest
    (frac 0: the largest alone) keep their labels."""
    lab, n = ndi.label(p > 0, FACE)
    if n == 0:
        return p
    sz = np.bincount(lab.ravel(), minlength=n + 1); sz[0] = 0
    keep = lab == sz.argmax() if frac == 0 else np.isin(lab, np.nonzero(sz >= frac * sz.max())[0])
    return np.where(keep, p, 0).astype(p.dtype)


def assembly_first(p, weakest=False):
    """The foreground of every class together: only its component that holds the most classes
    (among those, the largest) keeps its labels; weakest: the component whose smallest class
    is largest (a structure made of several parts has all of them; a stray blob is one class),
    the largest where that is 0 everywhere."""
    lab, n = ndi.label(p > 0, FACE)
    if n == 0:
        return p
    sz = np.bincount(lab.ravel(), minlength=n + 1); sz[0] = 0
    m = lab > 0
    present = np.zeros((n + 1, int(p.max()) + 1), bool)
    present[lab[m], p[m]] = True
    if weakest:
        vol = np.zeros((n + 1, int(p.max()) + 1), np.int64)
        np.add.at(vol, (lab[m], p[m]), 1)
        best = max(range(1, n + 1), key=lambda i: (vol[i, 1:].min(), sz[i]))
    else:
        best = max(range(1, n + 1), key=lambda i: (present[i].sum(), sz[i]))
    return np.where(lab == best, p, 0).astype(p.dtype)


def select(p, num_classes, rule):
    if rule.startswith(("assembly", "weakest")):
        p, rule = assembly_first(p, rule.startswith("weakest")), rule.split("+")[1]
    if rule.startswith("union"):
        head, rule = rule.split("+")
        p = union_first(p, float(head[5:] or 0))
    out = np.zeros_like(p)
    for c in range(1, num_classes):
        m = p == c
        if rule == "raw" or not m.any():
            out[m] = c
            continue
        if rule == "largest":
            out[lcc(m)] = c
            continue
        lab, n = ndi.label(m, FACE)
        sz = np.bincount(lab.ravel(), minlength=n + 1); sz[0] = 0
        if rule.startswith("frac"):
            keep = np.isin(lab, np.nonzero(sz >= float(rule[4:]) * sz.max())[0])
        else:  # contact: voxels face-adjacent to another foreground class, counted per component
            near_other = ndi.binary_dilation((p > 0) & (p != c), FACE)
            contact = np.bincount(lab[near_other & m], minlength=n + 1); contact[0] = 0
            keep = lab == (contact.argmax() if contact.max() > 0 else sz.argmax())
            if rule == "largest+contact":  # both: never drops the largest
                keep |= lab == sz.argmax()
        out[keep] = c
    return out


def main():
    pred, labels, num_classes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    res = {r: [] for r in RULES}
    for f in sorted(glob.glob(os.path.join(pred, "*.nii.gz"))):
        if f.endswith(("_qc.nii.gz", "_entropy.nii.gz", "_probabilities.nii.gz")):
            continue
        p = np.asarray(nib.load(f).dataobj).astype(np.uint8)
        t = np.asarray(nib.load(os.path.join(labels, os.path.basename(f))).dataobj)
        for r in RULES:
            s = select(p, num_classes, r)
            res[r].append([dice(s == c, t == c) for c in range(1, num_classes)])
    out = {}
    for r in RULES:
        a = np.array(res[r])
        out[r] = {"mean_dice": round(float(a.mean()), 4), "per_class": [round(float(x), 3) for x in a.mean(0)],
                  "class1_min_case": round(float(a[:, 0].min()), 2), "cases": len(a)}
        print(r, f"mean {a.mean():.4f}", " ".join(f"{x:.3f}" for x in a.mean(0)), "per class; class 1 min", f"{a[:, 0].min():.2f}")
    if len(sys.argv) > 4:
        with open(sys.argv[4], "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
