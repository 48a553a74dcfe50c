#!/usr/bin/python3
"""Scores saved raw predictions (cmems predict --infer.lcc false --infer.opening 0) under
post-processing variants, to measure a change to the defaults' post-processing before building
it: raw, the largest component (LCC), the relative opening + LCC as Predictor::post_process does
it (open_largest_components, src/eval/metrics.cpp: reproduces the C++ figures), and the opening
with the removed pieces smaller than beta x the kept volume put back. Foreground = label 1.
Usage: scripts/opening_variants.py LABELS_DIR PRED_DIR...  (prints mean 3-D Dice per variant)
(scripts/component_rules.py imports its helpers: FACE, lcc, dice.)"""
import glob, os, sys
import numpy as np, nibabel as nib
from scipy import ndimage as ndi

FACE = ndi.generate_binary_structure(3, 1)


def lcc(m):
    lab, n = ndi.label(m, FACE)
    if n <= 1:
        return m
    sz = np.bincount(lab.ravel()); sz[0] = 0
    return lab == sz.argmax()


def opening(m, sp, alpha, beta=None):
    if not m.any():
        return m
    depth = ndi.distance_transform_edt(m, sampling=sp)
    r = alpha * depth.max()
    if r < 2 * max(sp):
        return m
    core = lcc(depth > r)
    keep = m & (ndi.distance_transform_edt(~core, sampling=sp) <= r)
    if beta is not None:  # put back the removed pieces smaller than beta x the kept volume
        lab, n = ndi.label(m & ~keep, FACE)
        if n:
            sz = np.bincount(lab.ravel()); sz[0] = 0
            keep = keep | np.isin(lab, np.nonzero((sz > 0) & (sz < beta * keep.sum()))[0])
    return keep


def dice(a, b):
    s = a.sum() + b.sum()
    return 2 * (a & b).sum() / s if s else 1.0


def main():
    variants = {"raw": lambda m, sp: m, "lcc": lambda m, sp: lcc(m), "open0.5+lcc": lambda m, sp: lcc(opening(m, sp, .5))}
    for beta in (0.02, 0.05, 0.1, 0.2):
        variants[f"open0.5+back{beta}+lcc"] = (lambda b: lambda m, sp: lcc(opening(m, sp, .5, b)))(beta)
    labels = sys.argv[1]
    for d in sys.argv[2:]:
        res = {k: [] for k in variants}
        for f in sorted(glob.glob(os.path.join(d, "*.nii.gz"))):
            if f.endswith(("_qc.nii.gz", "_entropy.nii.gz", "_probabilities.nii.gz")):
                continue
            img = nib.load(f)
            p = np.asarray(img.dataobj) == 1
            sp = tuple(float(x) for x in img.header.get_zooms()[:3])
            t = np.asarray(nib.load(os.path.join(labels, os.path.basename(f))).dataobj) == 1
            for k, fn in variants.items():
                res[k].append(dice(fn(p, sp), t))
        print(os.path.basename(d.rstrip("/")), " ".join(f"{k} {np.mean(v):.3f}" for k, v in res.items()), flush=True)


if __name__ == "__main__":
    main()
