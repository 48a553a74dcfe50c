#!/usr/bin/env python3
"""Averages the weights of several snapshots of one run (RUN/snapshots/itN/weights.safetensors)
into OUT/weights.safetensors, a folder that `cmems evaluate --run OUT --data D` and
`cmems predict --model OUT` take: the offline check of weight averaging (SWA without the
BatchNorm refresh) on a run's course. Floating tensors are averaged (BatchNorm running
statistics included); integer tensors (num_batches_tracked) come from the last snapshot.
Reads and writes the safetensors layout with numpy (8-byte header length, JSON header, data).
  scripts/average_snapshots.py OUT SNAPSHOT_DIR...
"""
import json
import os
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32,
          "U8": np.uint8, "I8": np.int8, "BOOL": np.bool_}


def read(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", None)
    tensors = {}
    for name, t in header.items():
        a, b = t["data_offsets"]
        tensors[name] = np.frombuffer(data[a:b], dtype=DTYPES[t["dtype"]]).reshape(t["shape"]), t["dtype"]
    return tensors, meta


def write(path, tensors, meta):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        arr, dtype = tensors[name]
        raw = np.ascontiguousarray(arr).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if meta is not None:
        header["__metadata__"] = meta
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, snaps = sys.argv[1], sys.argv[2:]
    loaded = [read(os.path.join(s, "weights.safetensors")) for s in snaps]
    names = set(loaded[0][0])
    for t, _ in loaded[1:]:
        if set(t) != names:
            sys.exit("average_snapshots.py: the snapshots hold different tensors")
    avg = {}
    for name in names:
        arr, dtype = loaded[-1][0][name]
        if np.issubdtype(arr.dtype, np.floating):
            arr = (sum(t[name][0].astype(np.float64) for t, _ in loaded) / len(loaded)).astype(arr.dtype)
        avg[name] = (arr, dtype)
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "weights.safetensors"), avg, loaded[-1][1])
    print(f"{out}: the mean of {len(snaps)} snapshots, {len(names)} tensors")


if __name__ == "__main__":
    main()
