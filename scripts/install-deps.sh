#!/usr/bin/env bash
# Installs what cmems needs to build, test and run on Debian 12 (as root). Idempotent.
set -euo pipefail
PKGS=(cmake make g++ libtorch-dev libnifti2-dev libhdf5-dev nlohmann-json3-dev libcli11-dev
      libzstd-dev libpng-dev libzip-dev zlib1g-dev libopenblas0-openmp libgtest-dev libbenchmark-dev python3
      procps chromium)  # procps: pgrep/pkill (scripts/gpu_table.sh); chromium: the browser test of `cmems report`
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "cmems dependencies: installed"
