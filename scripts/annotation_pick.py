#!/usr/bin/python3
"""The next slices to annotate by a fixed rule or at random (issue 36's annotation curve; the
third strategy, `cmems suggest`, needs a trained run). Prints K slice IDs, comma-separated.
Reads no label: the training slice IDs only (ACDC: DATA/train_slices.list; NIfTI: CASE:K for
every plane of imagesTr, from the headers).
  rule:   the start exemplar's own scan, spread over positions and frames: ACDC patient P,
          frame F, slice m: the other frame's middle slice, then this frame's slices at 1/4
          and 3/4 of its range, the other frame's at 1/4 and 3/4, then 1/8, 7/8, ...; NIfTI
          case C, plane m: planes at 1/4, 3/4, 1/8, 7/8, 3/8, 5/8, ... of the volume.
  random: uniform over the training slices not yet chosen, seeded by the chosen list.
Usage: scripts/annotation_pick.py DATA rule|random START CHOSEN K
"""
import gzip, os, random, re, struct, sys

data, how, start, chosen, k = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(','), int(sys.argv[5])


def training_ids():
    lst = os.path.join(data, 'train_slices.list')
    if os.path.exists(lst):
        return [l.strip() for l in open(lst) if l.strip()]
    ids, d = [], os.path.join(data, 'imagesTr')
    for f in sorted(os.listdir(d)):
        if not f.endswith(('_0000.nii.gz', '_0000.nii')):
            continue
        op = gzip.open if f.endswith('.gz') else open
        with op(os.path.join(d, f), 'rb') as h:
            hdr = h.read(348)
        nz = struct.unpack('<8h', hdr[40:56])[3] or 1
        case = f[:f.index('_0000.nii')]
        ids += ['%s:%d' % (case, z) for z in range(nz)]
    return ids


ids = training_ids()
fractions = [0.25, 0.75, 0.125, 0.875, 0.375, 0.625, 0.0625, 0.9375]
picked = []
if how == 'random':
    rng = random.Random(','.join(chosen))
    pool = [i for i in ids if i not in chosen]
    picked = rng.sample(pool, k)
elif how == 'rule':
    m = re.fullmatch(r'(patient\d+)_frame(\d+)_slice_(\d+)', start)
    if m:  # ACDC: this scan's frames and positions
        frames = {}
        for i in ids:
            mm = re.fullmatch(re.escape(m.group(1)) + r'_frame(\d+)_slice_(\d+)', i)
            if mm:
                frames.setdefault(mm.group(1), []).append((int(mm.group(2)), i))
        this = m.group(2)
        other = [f for f in sorted(frames) if f != this]
        by = {f: [i for _, i in sorted(v)] for f, v in frames.items()}
        order = []
        if other:
            order.append(by[other[0]][len(by[other[0]]) // 2])
        for q in fractions:
            for f in [this] + other[:1]:
                s = by[f]
                order.append(s[min(len(s) - 1, int(q * len(s)))])
    else:  # NIfTI: this volume's planes
        case, z = start.rsplit(':', 1)
        planes = [i for i in ids if i.rsplit(':', 1)[0] == case]
        order = [planes[min(len(planes) - 1, int(q * len(planes)))] for q in fractions]
    for i in order:
        if i not in chosen and i not in picked:
            picked.append(i)
        if len(picked) == k:
            break
else:
    sys.exit('annotation_pick.py: rule or random, not ' + how)
if len(picked) < k:
    sys.exit('annotation_pick.py: only %d new slices for %s from %s' % (len(picked), how, start))
print(','.join(picked))
