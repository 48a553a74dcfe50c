#!/usr/bin/python3
"""Seed corpus for the fuzz targets (fuzz/corpus/*): small valid files of each format.
Needs Debian's python3-nibabel, python3-h5py, python3-numpy."""
import json, os, struct
import numpy as np
import nibabel as nib
import h5py

root = os.path.join(os.path.dirname(__file__), "..", "fuzz", "corpus")
rng = np.random.default_rng(0)
aff = np.array([[0.7, 0, 0.1, -10], [0, 1.3, 0, 20], [0, 0, 6.5, 3], [0, 0, 0, 1]])
img = nib.Nifti1Image((rng.random((6, 5, 3)) * 100).astype(np.float32), aff)
nib.save(img, f"{root}/nifti/float.nii.gz")
nib.save(nib.Nifti1Image(rng.integers(0, 4, (6, 5, 3)).astype(np.uint8), aff), f"{root}/nifti/labels.nii")
i16 = nib.Nifti1Image(rng.integers(-50, 900, (5, 4, 2)).astype(np.int16), aff)
i16.header.set_slope_inter(0.5, 10)
nib.save(i16, f"{root}/nifti/int16_scaled.nii")
nib.save(nib.Nifti2Image(rng.random((4, 4, 2)).astype(np.float64), aff), f"{root}/nifti/nifti2.nii")
with h5py.File(f"{root}/hdf5/slice.h5", "w") as f:
    f["image"] = rng.random((6, 5)).astype(np.float32)
    f["label"] = rng.integers(0, 4, (6, 5)).astype(np.uint8)
with h5py.File(f"{root}/hdf5/volume.h5", "w") as f:
    f.create_dataset("image", data=rng.random((3, 6, 5)).astype(np.float32), compression="gzip")
    f["label"] = rng.integers(0, 4, (3, 6, 5)).astype(np.uint8)
ds = {"channel_names": {"0": "MRI"}, "labels": {"background": 0, "RV": 1, "Myo": 2, "LV": 3},
      "numTraining": 1, "file_ending": ".nii.gz"}
open(f"{root}/dataset_json/valid.json", "w").write(json.dumps(ds))
open(f"{root}/dataset_json/ct.json", "w").write(json.dumps({**ds, "channel_names": {"0": "CT"}, "labels": {"background": 0, "liver": 1}}))
def safetensors(tensors, meta):
    h, blobs, off = {"__metadata__": meta}, b"", 0
    for name, (dt, shape, raw) in tensors.items():
        h[name] = {"dtype": dt, "shape": shape, "data_offsets": [off, off + len(raw)]}
        off += len(raw); blobs += raw
    hb = json.dumps(h).encode()
    return struct.pack("<Q", len(hb)) + hb + blobs
open(f"{root}/tensor_file/weights.safetensors", "wb").write(safetensors(
    {"a.head.weight": ("F32", [2, 3], np.ones(6, np.float32).tobytes()), "a.bn.num_batches_tracked": ("I64", [], np.zeros(1, np.int64).tobytes())},
    {"format": "cmems-weights-1", "classes": "[\"bg\", \"x\"]", "config": "{}"}))
print("corpus written")
