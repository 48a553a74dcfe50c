#!/usr/bin/python3
"""Golden Dice/HD95 values with medpy's definitions (medpy.metric.binary.dc / hd95),
re-stated with numpy + scipy (Debian: python3-numpy, python3-scipy):

  surface(X) = X XOR binary_erosion(X, generate_binary_structure(ndim, 1), iterations=1)
  sds(A, B)  = distance_transform_edt(~surface(B), sampling=spacing)[surface(A)]
  hd95       = percentile(hstack(sds(A, B), sds(B, A)), 95)
  dc         = 2|A and B| / (|A| + |B|)

Writes tests/golden/metrics.json: masks flattened x-fastest (C order of [z, y, x]),
dims as [nx, ny, nz], spacing as [sx, sy, sz]. Run: /usr/bin/python3 scripts/make_golden_metrics.py
"""
import json
import os

import numpy as np
from scipy.ndimage import binary_erosion, distance_transform_edt, generate_binary_structure


def surface(x):
    x = x.astype(bool)
    return x ^ binary_erosion(x, structure=generate_binary_structure(x.ndim, 1), iterations=1)


def sds(a, b, spacing):
    return distance_transform_edt(~surface(b), sampling=spacing)[surface(a)]


def hd95(a, b, spacing):
    return float(np.percentile(np.hstack((sds(a, b, spacing), sds(b, a, spacing))), 95))


def dc(a, b):
    a, b = a.astype(bool), b.astype(bool)
    s = a.sum() + b.sum()
    return float(2.0 * (a & b).sum() / s) if s else 0.0


def ellipsoid(shape, c, r):
    z, y, x = np.indices(shape)
    return ((z - c[0]) / r[0]) ** 2 + ((y - c[1]) / r[1]) ** 2 + ((x - c[2]) / r[2]) ** 2 <= 1


def main():
    rng = np.random.default_rng(7)
    cases = []
    shape = (7, 24, 30)  # z, y, x
    spacings = [(1.0, 1.0, 1.0), (6.5, 1.25, 0.8)]  # (sz, sy, sx)
    pairs = [
        ("ellipsoids_shifted", ellipsoid(shape, (3, 11, 14), (2.5, 7, 9)), ellipsoid(shape, (3.4, 12, 16), (2.2, 6, 10))),
        ("ellipsoid_vs_box", ellipsoid(shape, (3, 12, 15), (3, 8, 8)), np.pad(np.ones((3, 10, 12), bool), ((2, 2), (7, 7), (9, 9)))),
        ("random_blobs", rng.random(shape) < 0.08, ellipsoid(shape, (3, 12, 15), (3, 9, 12))),
        ("touching_border", np.pad(np.ones((7, 5, 30), bool), ((0, 0), (0, 19), (0, 0))), ellipsoid(shape, (3, 3, 15), (4, 4, 14))),
    ]
    for name, a, b in pairs:
        for sp in spacings:
            cases.append({
                "name": f"{name}@{sp}",
                "dims": [shape[2], shape[1], shape[0]],
                "spacing": [sp[2], sp[1], sp[0]],
                "pred": a.astype(np.uint8).ravel().tolist(),
                "truth": b.astype(np.uint8).ravel().tolist(),
                "dice": dc(a, b),
                "hd95": hd95(a, b, sp),
            })
    # A 2D case (one slice): axes of size 1 are ignored, as on a squeezed array.
    a2 = ellipsoid((1, 24, 30), (0, 11, 14), (1, 7, 9))
    b2 = ellipsoid((1, 24, 30), (0, 12, 17), (1, 6, 10))
    cases.append({"name": "2d_slice", "dims": [30, 24, 1], "spacing": [0.7, 1.3, 5.0],
                  "pred": a2.astype(np.uint8).ravel().tolist(), "truth": b2.astype(np.uint8).ravel().tolist(),
                  "dice": dc(a2[0], b2[0]), "hd95": hd95(a2[0], b2[0], (1.3, 0.7))})
    out = os.path.join(os.path.dirname(__file__), "..", "tests", "golden", "metrics.json")
    with open(out, "w") as f:
        json.dump({"generator": "scripts/make_golden_metrics.py", "cases": cases}, f)
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
