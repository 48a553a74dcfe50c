"""The repository's commit for a summary's JSON, wherever the script is run from (the runs'
folder is usually outside the repository): $COMMIT if set, else git's short HEAD of the
scripts' checkout, else "unknown" (no git: a device machine's copy of the tree)."""
import os, subprocess


def commit():
    try:
        return os.environ.get("COMMIT") or subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
            cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip() or "unknown"
    except OSError:
        return "unknown"
