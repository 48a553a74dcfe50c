#!/usr/bin/env bash
# Compile check against LibTorch 2.x on a machine that has only Debian 12's LibTorch 1.13:
# fetches Debian trixie's libtorch-dev (2.6) with `apt-get download` through a private apt
# list folder (the system's sources and lists stay untouched), unpacks it into the ignored
# build-libtorch2/ (not .deps/, which travels to the GPU machine), and compiles every C++
# source of the project against those headers with -fsyntax-only; the files that use the
# CUDA allocator are also checked with CMEMS_WITH_CUDA. Exit status 0 when all compile.
# LibTorch's headers are parsed once into a precompiled header (build-libtorch2/pch/, made
# again when the flags or the LibTorch version change) that every check includes first: about 3x faster
# per file than parsing them each time (docs/gpu.md). PCH=0 parses them in every file.
#
#   [PCH=0] scripts/check-libtorch2.sh [-jN] [FILE.cpp ...]     (default: every source, -j2)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=2
files=()
for a in "$@"; do
  case $a in -j*) jobs=${a#-j} ;; *) files+=("$a") ;; esac
done
root=$PWD/build-libtorch2
apt_dir=$root/apt
hdr=$root/root/usr/include
if [ ! -f "$hdr/torch/csrc/api/include/torch/torch.h" ]; then
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$root/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    > "$apt_dir/sources.list"
  A=(-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Etc::SourceList=$apt_dir/sources.list"
     -o "Dir::Etc::SourceParts=/dev/null" -o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root")
  apt-get "${A[@]}" -qq update
  (cd "$root/debs" && apt-get "${A[@]}" -qq download libtorch-dev)
  for d in "$root"/debs/*.deb; do dpkg-deb -x "$d" "$root/root"; done
fi
v=$hdr/torch/csrc/api/include/torch/version.h
version=$(for k in MAJOR MINOR PATCH; do sed -n "s/^#define TORCH_VERSION_$k \([0-9]*\)/\1/p" "$v"; done | paste -sd.)
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(git ls-files 'src/*.cpp' 'tests/*.cpp' 'fuzz/*.cpp')
base=(-std=c++17 -I"$hdr" -I"$hdr/torch/csrc/api/include" -Isrc -Itests -Ifuzz
       -I/usr/include/hdf5/serial -I/usr/include/nifti -DCMEMS_SOURCE_DIR=\"$PWD\" -DCMEMS_HAVE_LIBZIP=1)
flags=(-fsyntax-only "${base[@]}")
echo "LibTorch ${version:-2.x} headers from $hdr; ${#files[@]} files, $jobs at a time"
start=$(date +%s)
if [ "${PCH:-1}" != 0 ]; then
  # the headers every torch source includes, parsed once with the checks' own flags; a stamp
  # of the flags and the version decides when to make it again
  pch=$root/pch/cmems_torch.hpp
  stamp="${base[*]} $version"
  if [ ! -f "$pch.gch" ] || [ "$(cat "$pch.stamp" 2>/dev/null)" != "$stamp" ]; then
    mkdir -p "$root/pch"
    printf '#include <torch/torch.h>\n#include <ATen/record_function.h>\n' > "$pch"
    echo "making the precompiled header $pch.gch"
    g++ "${base[@]}" -x c++-header "$pch" -o "$pch.gch"
    echo "$stamp" > "$pch.stamp"
  fi
  flags+=(-include "$pch")
fi
printf '%s\n' "${files[@]}" | xargs -P "$jobs" -I{} sh -c 'g++ "$@" {} 2> "$0/$(echo {} | tr / _).log" && echo "ok   {}" || echo "FAIL {}"' "$root" "${flags[@]}" \
  | tee "$root/result.txt"
cuda_files=(src/cli/bench_cmd.cpp src/train/static_step.cpp)  # the CUDA-only branches (CMEMS_WITH_CUDA)
for f in "${cuda_files[@]}"; do
  [ ${#files[@]} -gt 1 ] || [ "${files[0]}" = "$f" ] || continue
  cuda_inc=${CUDA_HOME:-/usr/local/cuda}/include  # c10/cuda includes the CUDA runtime's headers
  if [ -f "$cuda_inc/cuda_runtime_api.h" ]; then
    # Debian's CPU-only package lacks the one header a CUDA build generates; for a syntax
    # check its content is known: the library is shared.
    mkdir -p "$root/stub/c10/cuda/impl"
    printf '#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n' > "$root/stub/c10/cuda/impl/cuda_cmake_macros.h"
    g++ "${flags[@]}" -I"$root/stub" -I"$cuda_inc" -DCMEMS_WITH_CUDA=1 "$f" 2>"$root/$(echo "$f" | tr / _).cuda.log" \
      && echo "ok   $f.cuda" || echo "FAIL $f.cuda"
  else
    echo "skip $f.cuda (no CUDA headers at $cuda_inc)"
  fi
done | tee -a "$root/result.txt"
fails=$(grep -c '^FAIL' "$root/result.txt" || true)
checked=$(grep -c '^ok\|^FAIL' "$root/result.txt" || true)
echo "$((checked - fails)) of $checked compile checks pass against LibTorch ${version:-2.x} ($(( $(date +%s) - start )) s)"
if [ "$fails" -gt 0 ]; then
  for f in $(sed -n 's/^FAIL //p' "$root/result.txt"); do
    log=$root/$(echo "${f%.cuda}" | tr / _).log; [ "$f" = "${f%.cuda}" ] || log=${log%.log}.cuda.log
    echo "== $f"; grep -m5 error "$log" || true
  done
  exit 1
fi
