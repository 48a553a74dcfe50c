#!/usr/bin/python3
"""Independent Python PyTorch reference training on the ACDC layout, with SSL4MIS's 2D recipe.

It exists to check cmems' training against plain PyTorch at the same budget (see
bench/parity.sh, which runs both and prints their val Dice side by side). It shares no
code with cmems: its own data loading, augmentation, network, loss, optimiser and scoring.

Protocols (--protocol):
  full        every training slice with its label (the fully supervised upper bound);
  supervised  the exemplar slice alone (--exemplar NAME; default: cmems' documented rule,
              the lowest-numbered patient's frame01, its median slice).

Recipe [SSL4MIS train_fully_supervised_2D.py, dataloaders/dataset.py, val_2D.py]:
  - RandomGenerator: with p 0.5 a random rot90 (k in 0..3) + flip (axis 0 or 1); otherwise
    with p 0.5 a rotation by an integer angle in [-20, 20) (scipy.ndimage.rotate, order 0,
    reshape False); then zoom to size×size with order 0 (nearest) for image and label;
  - U-Net 16..256, dropout 0.05..0.5, 1×1 conv + bilinear ×2 (align_corners) up, conv3×3 head,
    PyTorch's default initialisation;
  - loss ½ CE + ½ Dice (softmax, all C classes, ε 1e-5, squared denominators);
  - SGD lr 0.01, momentum 0.9, weight decay 1e-4; lr = 0.01·(1 − it/max)^0.9 after each step;
  - test: each slice zoomed to size×size (order 0), eval-mode argmax, zoomed back (order 0);
    per volume and class 1..C−1 medpy Dice and HD95 (spacing 1, so pixels), an empty
    prediction scores 0 and 0 (SSL4MIS convention).

Needs Debian's python3-torch, python3-h5py, python3-scipy, python3-numpy. Prints one JSON
object (also written to --out): per-class and mean Dice/HD95, seconds, and the loss curve.
"""
import argparse
import json
import os
import random
import re
import sys
import time

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy import ndimage
from scipy.ndimage import zoom

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from make_golden_metrics import dc, hd95  # noqa: E402  (medpy's definitions, restated)


# ---- network (SSL4MIS networks/unet.py, UNet) -------------------------------------------
class ConvBlock(nn.Module):
    def __init__(self, cin, cout, p):
        super().__init__()
        self.conv_conv = nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.LeakyReLU(),
            nn.Dropout(p), nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.LeakyReLU())

    def forward(self, x):
        return self.conv_conv(x)


class UpBlock(nn.Module):
    def __init__(self, c1, c2, cout):
        super().__init__()
        self.conv1x1 = nn.Conv2d(c1, c2, 1)
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
        self.conv = ConvBlock(c2 * 2, cout, 0.0)

    def forward(self, x1, x2):
        return self.conv(torch.cat([x2, self.up(self.conv1x1(x1))], 1))


class UNet(nn.Module):
    def __init__(self, in_chns=1, class_num=4, width=16):
        super().__init__()
        ft = [width, 2 * width, 4 * width, 8 * width, 16 * width]
        drop = [0.05, 0.1, 0.2, 0.3, 0.5]
        self.enc = nn.ModuleList([ConvBlock(in_chns if i == 0 else ft[i - 1], ft[i], drop[i]) for i in range(5)])
        self.dec = nn.ModuleList([UpBlock(ft[4 - i], ft[3 - i], ft[3 - i]) for i in range(4)])
        self.out_conv = nn.Conv2d(ft[0], class_num, 3, padding=1)

    def forward(self, x):
        feats = []
        for i, e in enumerate(self.enc):
            x = e(x if i == 0 else F.max_pool2d(x, 2))
            feats.append(x)
        x = feats[4]
        for i, d in enumerate(self.dec):
            x = d(x, feats[3 - i])
        return self.out_conv(x)


# ---- loss (SSL4MIS utils/losses.py DiceLoss + CE) ----------------------------------------
def dice_loss(prob, target, n_classes):
    loss = 0.0
    for c in range(n_classes):
        t = (target == c).float()
        s = prob[:, c]
        inter = (s * t).sum()
        loss += 1 - (2 * inter + 1e-5) / ((s * s).sum() + (t * t).sum() + 1e-5)
    return loss / n_classes


# ---- data (SSL4MIS dataloaders/dataset.py) ------------------------------------------------
def random_rot_flip(image, label):
    k = np.random.randint(0, 4)
    image, label = np.rot90(image, k), np.rot90(label, k)
    axis = np.random.randint(0, 2)
    return np.flip(image, axis=axis).copy(), np.flip(label, axis=axis).copy()


def random_rotate(image, label):
    angle = np.random.randint(-20, 20)
    return (ndimage.rotate(image, angle, order=0, reshape=False),
            ndimage.rotate(label, angle, order=0, reshape=False))


def random_generator(image, label, size):
    if random.random() > 0.5:
        image, label = random_rot_flip(image, label)
    elif random.random() > 0.5:
        image, label = random_rotate(image, label)
    x, y = image.shape
    image = zoom(image, (size / x, size / y), order=0)
    label = zoom(label, (size / x, size / y), order=0)
    return image, label


def default_exemplar(names):
    """cmems' documented rule: lowest-numbered patient's frame01, its median slice number."""
    rows = []
    for n in names:
        m = re.fullmatch(r"patient(\d+)_frame(\d+)_slice_(\d+)", n)
        if m:
            rows.append((int(m[1]), int(m[2]), int(m[3]), n))
    rows.sort()
    p, f = rows[0][0], rows[0][1]
    same = [r[3] for r in rows if r[0] == p and r[1] == f]
    return same[len(same) // 2]


def read_list(path):
    with open(path) as f:
        return [ln.strip() for ln in f if ln.strip()]


def load_slices(root, names):
    out = []
    for n in names:
        with h5py.File(os.path.join(root, "data", n + ".h5"), "r") as h:
            out.append((h["image"][:].astype(np.float32), h["label"][:].astype(np.uint8)))
    return out


# ---- evaluation (SSL4MIS val_2D.py test_single_volume) ------------------------------------
@torch.no_grad()
def predict_volume(net, image, size):
    pred = np.zeros_like(image, dtype=np.uint8)
    for d in range(image.shape[0]):
        sl = image[d]
        x, y = sl.shape
        inp = torch.from_numpy(zoom(sl, (size / x, size / y), order=0)).float()[None, None]
        out = net(inp).argmax(1)[0].numpy().astype(np.uint8)
        pred[d] = zoom(out, (x / size, y / size), order=0)
    return pred


def score_case(pred, label, n_classes):
    rows = []
    for c in range(1, n_classes):
        p, g = pred == c, label == c
        if p.sum() > 0:
            rows.append((dc(p, g), hd95(p, g, (1.0, 1.0, 1.0)) if g.sum() > 0 else 0.0))
        else:
            rows.append((0.0, 0.0))
    return rows


def evaluate(net, root, split, size, n_classes):
    net.eval()
    per_case = []
    for name in read_list(os.path.join(root, split + ".list")):
        with h5py.File(os.path.join(root, "data", name + ".h5"), "r") as h:
            image, label = h["image"][:], h["label"][:]
        per_case.append(score_case(predict_volume(net, image, size), label, n_classes))
    a = np.array(per_case)  # [cases, classes, 2]
    return {"cases": len(per_case), "dice": a[:, :, 0].mean(0).tolist(), "hd95": a[:, :, 1].mean(0).tolist(),
            "mean_dice": float(a[:, :, 0].mean()), "mean_hd95": float(a[:, :, 1].mean())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="ACDC folder: train_slices.list, val.list, data/*.h5")
    ap.add_argument("--protocol", choices=["full", "supervised"], default="full")
    ap.add_argument("--exemplar", default="", help="exemplar slice name (protocol supervised)")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--iterations", type=int, default=1500)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--split", default="val")
    ap.add_argument("--log-every", type=int, default=10)
    ap.add_argument("--out", default="", help="write the JSON result here too")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    random.seed(a.seed), np.random.seed(a.seed), torch.manual_seed(a.seed)
    n_classes = 4
    names = read_list(os.path.join(a.data, "train_slices.list"))
    exemplar = ""
    if a.protocol == "supervised":
        exemplar = a.exemplar or default_exemplar(names)
        names = [exemplar]
    t0 = time.time()
    data = load_slices(a.data, names)
    load_s = time.time() - t0

    net = UNet(1, n_classes)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9, weight_decay=1e-4)
    curve = []
    t0 = time.time()
    for it in range(a.iterations):
        batch = [random_generator(*data[random.randrange(len(data))], a.size) for _ in range(a.batch)]
        x = torch.from_numpy(np.stack([b[0] for b in batch])).float().unsqueeze(1)
        y = torch.from_numpy(np.stack([b[1] for b in batch])).long()
        out = net(x)
        loss = 0.5 * (F.cross_entropy(out, y) + dice_loss(torch.softmax(out, 1), y, n_classes))
        opt.zero_grad()
        loss.backward()
        opt.step()
        for g in opt.param_groups:  # SSL4MIS sets the next iteration's lr after the step
            g["lr"] = a.lr * (1.0 - (it + 1) / a.iterations) ** 0.9
        if (it + 1) % a.log_every == 0:
            curve.append([it + 1, float(loss)])
    train_s = time.time() - t0
    res = {"implementation": "python-reference", "protocol": a.protocol, "exemplar": exemplar,
           "size": a.size, "batch": a.batch, "iterations": a.iterations, "threads": a.threads, "seed": a.seed,
           "torch": torch.__version__, "load_seconds": round(load_s, 1), "train_seconds": round(train_s, 1),
           "loss_curve": curve}
    res["val"] = evaluate(net, a.data, a.split, a.size, n_classes)
    text = json.dumps(res)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
