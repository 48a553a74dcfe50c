#!/usr/bin/python3
"""Summarises runs/fuzz/*.log and artifacts into results/fuzz.json.
crash-*/leak-*/timeout-* artifacts are findings; oom-* artifacts come from the isolated child
process that runs nifti_clib/libhdf5 (core/isolate.hpp): an allocation failure there is
contained and reported to the user as a cmems error, so they are counted separately.
Usage: scripts/fuzz_summary.py SECONDS TARGET..."""
import json, os, platform, re, subprocess, sys

secs, targets = int(sys.argv[1]), sys.argv[2:]
out = {"command": f"scripts/fuzz.sh {secs}", "seconds_per_target": secs,
       "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
       "machine": f"CPU ({os.cpu_count()} cores, {platform.machine()}, Debian 12), clang-14 libFuzzer + ASan + UBSan",
       "targets": {}}
for t in targets:
    log = open(f"runs/fuzz/{t}.log", errors="replace").read()
    arts = os.listdir(f"runs/fuzz/{t}-crashes")
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    secs_run = re.findall(r"Done (\d+) runs in (\d+) second", log)
    out["targets"][t] = {
        "executions": int(execs[-1]) if execs else None,
        "seconds": int(secs_run[-1][1]) if secs_run else None,
        "completed": bool(re.search(r"DONE", log)),
        "crashes": sum(a.startswith(("crash-", "leak-", "timeout-")) for a in arts),
        "contained_child_ooms": sum(a.startswith("oom-") for a in arts),
    }
json.dump(out, open("results/fuzz.json", "w"), indent=2)
print(json.dumps(out, indent=2))
