# Shared by the e2e scripts: a temporary folder removed on exit, and pass/fail counting.
#   check NAME 'SHELL CONDITION'   counts ok/FAIL; finish with: [ "$fails" -eq 0 ]
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $1"; }
bad() { fails=$((fails + 1)); echo "FAIL: $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
SMALL="--data.size 32 --model.width 4 --batch.labeled 2 --batch.unlabeled 2 --threads 1"
