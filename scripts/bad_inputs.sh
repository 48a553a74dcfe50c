#!/usr/bin/env bash
# Tries every kind of bad input on the real binary and prints a Markdown table of what it
# answers (exit code and stderr). docs/RELIABILITY.md embeds its output.
set -u
CMEMS=${CMEMS:-./build/cmems}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$CMEMS" phantom --out "$T/d" --cases 2 --test-cases 1 >/dev/null
S="--data.size 32 --model.width 4 --batch.labeled 2 --batch.unlabeled 2 --iterations 2"
"$CMEMS" train --data "$T/d" --out "$T/run" $S >/dev/null 2>&1
row() {
  local what=$1; shift
  "$@" >/dev/null 2>"$T/err"; local rc=$?
  local msg; msg=$(sed "s#$T#…#g" "$T/err" | tr '\n' ' ' | sed 's/|/\\|/g' | cut -c1-230)
  echo "| $what | $rc | \`$msg\` |"
}
cp -r "$T/d" "$T/m"
echo "| bad input | exit | message |"
echo "|---|---|---|"
row "missing data folder" "$CMEMS" train --data "$T/nope" --out "$T/r1" $S
row "not a dataset folder" "$CMEMS" train --data "$T" --out "$T/r2" $S
cp "$T/m/dataset.json" "$T/dj.bak"; echo '{"labels":' >"$T/m/dataset.json"
row "malformed dataset.json" "$CMEMS" train --data "$T/m" --out "$T/r3" $S
echo '{"channel_names":{"0":"MRI"},"labels":{"background":0,"LV":1},"file_ending":".nii.gz"}' >"$T/m/dataset.json"
row "dataset.json without numTraining" "$CMEMS" train --data "$T/m" --out "$T/r4" $S
cp "$T/dj.bak" "$T/m/dataset.json"
mkdir -p "$T/e/imagesTr"; cp "$T/d/dataset.json" "$T/e/"
row "empty dataset" "$CMEMS" train --data "$T/e" --out "$T/r5" $S
head -c 2000 "$T/d/imagesTr/phantom_001_0000.nii.gz" >"$T/m/imagesTr/phantom_001_0000.nii.gz"
row "truncated NIfTI image" "$CMEMS" train --data "$T/m" --out "$T/r6" $S
printf 'garbage' >"$T/m/imagesTr/phantom_001_0000.nii.gz"
row "corrupt NIfTI (not NIfTI at all)" "$CMEMS" train --data "$T/m" --out "$T/r7" $S
cp "$T/d/imagesTr/phantom_001_0000.nii.gz" "$T/m/imagesTr/"
cp "$T/d/labelsTs/phantom_500.nii.gz" "$T/lab.bak"
cp "$T/d/labelsTr/phantom_001.nii.gz" "$T/m/labelsTs/phantom_500.nii.gz"
row "image/label shape mismatch" "$CMEMS" evaluate --run "$T/run" --data "$T/m" --out "$T/e1.json"
python3 - "$T" <<'PY'
import sys, gzip, struct
t = sys.argv[1]
raw = bytearray(gzip.open(f"{t}/lab.bak").read())
off = int(struct.unpack('<f', raw[108:112])[0])
raw[off + 5] = 9
gzip.open(f"{t}/m/labelsTs/phantom_500.nii.gz", "wb").write(bytes(raw))
img = bytearray(gzip.open(f"{t}/d/imagesTs/phantom_500_0000.nii.gz").read())
off = int(struct.unpack('<f', img[108:112])[0])
img[off:off + 4] = struct.pack('<f', float('nan'))
gzip.open(f"{t}/nan_0000.nii.gz", "wb").write(bytes(img))
PY
row "label value outside the classes" "$CMEMS" evaluate --run "$T/run" --data "$T/m" --out "$T/e2.json"
mkdir -p "$T/nanin"; mv "$T/nan_0000.nii.gz" "$T/nanin/"
row "NaN intensities" "$CMEMS" predict --model "$T/run" -i "$T/nanin" -o "$T/p1"
row "exemplar that does not exist" "$CMEMS" train --data "$T/d" --out "$T/r8" --exemplar phantom_009:3 $S
python3 - "$T" <<'PY'
import sys, gzip, struct
t = sys.argv[1]
raw = bytearray(gzip.open(f"{t}/d/labelsTr/phantom_000.nii.gz").read())
nx, ny = struct.unpack('<hh', raw[42:46])
off = int(struct.unpack('<f', raw[108:112])[0])
raw[off:off + nx * ny] = bytes(nx * ny)
gzip.open(f"{t}/m/labelsTr/phantom_000.nii.gz", "wb").write(bytes(raw))
PY
row "exemplar slice without foreground" "$CMEMS" train --data "$T/m" --out "$T/r9" --exemplar phantom_000:0 $S
row "unknown method" "$CMEMS" train --data "$T/d" --out "$T/r10" --method magic
row "unknown option" "$CMEMS" train --data "$T/d" --out "$T/r11" --synthesis.outsde ignore
row "option out of range" "$CMEMS" train --data "$T/d" --out "$T/r12" --pseudo.threshold 1.5
row "option of the wrong type" "$CMEMS" train --data "$T/d" --out "$T/r13" --iterations many
echo '{"synthesis": {"outside": 3}}' >"$T/c.json"
row "config file with a wrong type" "$CMEMS" train --data "$T/d" --out "$T/r14" --config "$T/c.json"
row "non-empty output folder" "$CMEMS" train --data "$T/d" --out "$T/run" $S
row "predict into its input folder" "$CMEMS" predict --model "$T/run" -i "$T/d/imagesTs" -o "$T/d/imagesTs/seg"
mkdir -p "$T/br"; head -c 64 "$T/run/weights.safetensors" >"$T/br/weights.safetensors"
row "truncated weights file" "$CMEMS" predict --model "$T/br" -i "$T/d/imagesTs" -o "$T/p2"
row "run folder without weights" "$CMEMS" predict --model "$T/d" -i "$T/d/imagesTs" -o "$T/p3"
row "resume without a run" "$CMEMS" train --data "$T/d" --out "$T/r15" --resume $S
printf 'x' >"$T/bad.h5"; mkdir -p "$T/acdc/data"; echo s1 >"$T/acdc/train_slices.list"; cp "$T/bad.h5" "$T/acdc/data/s1.h5"
row "corrupt HDF5 (ACDC layout)" "$CMEMS" train --data "$T/acdc" --out "$T/r16" --exemplar s1 $S
mkdir -p "$T/syn/train_npz" "$T/syn/lists/lists_Synapse"; echo case0001_slice000 >"$T/syn/lists/lists_Synapse/train.txt"
printf 'PK-not-a-zip' >"$T/syn/train_npz/case0001_slice000.npz"
row "corrupt npz (Synapse layout)" "$CMEMS" train --data "$T/syn" --out "$T/r17" $S
row "CUDA requested without a GPU" "$CMEMS" train --data "$T/d" --out "$T/r18" --device cuda $S
