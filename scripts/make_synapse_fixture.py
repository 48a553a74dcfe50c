#!/usr/bin/python3
"""A tiny dataset in exactly the Synapse TransUNet layout (tests/fixtures/synapse):
train_npz/caseXXXX_sliceYYY.npz (image float32 in [0,1], label uint8 0..8),
test_vol_h5/caseXXXX.npy.h5 (image, label D×H×W), lists/lists_Synapse/{train,test_vol}.txt.
Real Synapse data cannot be obtained here. Needs python3-numpy and python3-h5py."""
import os
import numpy as np
import h5py

root = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "synapse")
rng = np.random.default_rng(0)
os.makedirs(f"{root}/train_npz", exist_ok=True)
os.makedirs(f"{root}/test_vol_h5", exist_ok=True)
os.makedirs(f"{root}/lists/lists_Synapse", exist_ok=True)
names = []
for case in (5, 6):
    for s in range(3):
        img = rng.random((16, 20)).astype(np.float32)
        lab = np.zeros((16, 20), np.uint8)
        lab[4:10, 5:12] = 5      # liver
        lab[11:14, 2:6] = 1 + s  # another organ
        name = f"case{case:04d}_slice{s:03d}"
        np.savez(f"{root}/train_npz/{name}.npz", image=img, label=lab)
        names.append(name)
open(f"{root}/lists/lists_Synapse/train.txt", "w").write("\n".join(names) + "\n")
with h5py.File(f"{root}/test_vol_h5/case0001.npy.h5", "w") as f:
    f["image"] = (rng.random((3, 16, 20)) * 600 - 300).astype(np.float32)  # raw HU: windowed on read
    lab = np.zeros((3, 16, 20), np.uint8)
    lab[:, 3:9, 4:10] = 8
    f["label"] = lab
open(f"{root}/lists/lists_Synapse/test_vol.txt", "w").write("case0001\n")
print("fixture written to", root)
