#!/usr/bin/python3
"""The measurement behind `data.propagate_mm` (issue 33): a Python prototype of the label
propagation by registration that src/data/propagate.cpp implements, run on a validation
volume as if its middle plane were the exemplar: each plane is registered to its neighbour
towards the middle (a displacement field on a grid of one control point per 8 pixels, Adam,
60 steps, lr 0.02, squared difference + 0.1 x squared control-point differences), the middle
plane's label is warped outwards plane by plane, and the result (> 0.5) is scored against the
volume's own labels: over the volume and within slabs of +-8/16/24/32 planes. Native plane
size (the C++ works on the training size). Needs python3-nibabel and python3-torch.
Usage: scripts/propagation_prototype.py IMAGE.nii.gz LABEL.nii.gz [ITERATIONS] [SMOOTH]
"""
import sys, time
import nibabel as nib, numpy as np, torch
import torch.nn.functional as F

torch.set_num_threads(1)
img_path, lab_path = sys.argv[1], sys.argv[2]
iters = int(sys.argv[3]) if len(sys.argv) > 3 else 60
lam = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
im = np.asarray(nib.load(img_path).dataobj).astype(np.float32)
gt = np.asarray(nib.load(lab_path).dataobj) > 0
Z = im.shape[2]; m = Z // 2
I = torch.from_numpy(im).permute(2, 0, 1).unsqueeze(1)
I = (I - I.mean()) / I.std()
H, W = I.shape[-2:]
base = F.affine_grid(torch.eye(2, 3).unsqueeze(0), (1, 1, H, W), align_corners=False)


def register(mov, fix):
    u = torch.zeros(1, 2, H // 8, W // 8, requires_grad=True)
    opt = torch.optim.Adam([u], lr=0.02)
    for _ in range(iters):
        d = F.interpolate(u, size=(H, W), mode='bilinear', align_corners=False).permute(0, 2, 3, 1)
        w = F.grid_sample(mov, base + d, align_corners=False, padding_mode='border')
        loss = ((w - fix) ** 2).mean() + lam * ((u[:, :, 1:] - u[:, :, :-1]) ** 2).mean() \
            + lam * ((u[:, :, :, 1:] - u[:, :, :, :-1]) ** 2).mean()
        opt.zero_grad(); loss.backward(); opt.step()
    return (base + F.interpolate(u, size=(H, W), mode='bilinear', align_corners=False).permute(0, 2, 3, 1)).detach()


t0 = time.time()
lab = torch.zeros(Z, 1, H, W); lab[m, 0] = torch.from_numpy(gt[:, :, m].astype(np.float32))
for order in (range(m + 1, Z), range(m - 1, -1, -1)):
    prev = m
    for k in order:
        lab[k] = F.grid_sample(lab[prev:prev + 1], register(I[prev:prev + 1], I[k:k + 1]), align_corners=False)[0]
        prev = k
p = (lab[:, 0] > 0.5).numpy().transpose(1, 2, 0)
i = (p & gt).sum()
print('%s volume: dice %.3f precision %.2f recall %.2f (%.0f s)' % (img_path, 2 * i / (p.sum() + gt.sum()), i / max(p.sum(), 1), i / gt.sum(), time.time() - t0))
for r in (8, 16, 24, 32):
    sl = slice(max(m - r, 0), m + r + 1); a = p[:, :, sl]; b = gt[:, :, sl]; i = (a & b).sum()
    print(' slab +-%d planes: dice %.3f precision %.2f recall %.2f; the slab holds %.0f%% of the structure'
          % (r, 2 * i / (a.sum() + b.sum()), i / max(a.sum(), 1), i / b.sum(), 100 * b.sum() / gt.sum()))
