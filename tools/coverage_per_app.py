"""Fail when any app's line coverage drops to 90% or below (reads coverage's JSON report)."""

import json
import sys
from collections import defaultdict

APPS = ["core", "copsite", "members", "communities", "activities", "repertoire", "insights", "integrations"]
THRESHOLD = 90.0


def main(path: str) -> int:
    with open(path) as report:
        files = json.load(report)["files"]
    covered: dict[str, int] = defaultdict(int)
    statements: dict[str, int] = defaultdict(int)
    for filename, data in files.items():
        app = filename.split("/", 1)[0]
        if app in APPS:
            covered[app] += data["summary"]["covered_lines"]
            statements[app] += data["summary"]["num_statements"]
    failed = False
    print("Line coverage per app:")
    for app in APPS:
        if not statements[app]:
            continue
        percent = 100.0 * covered[app] / statements[app]
        verdict = "ok" if percent > THRESHOLD else f"BELOW {THRESHOLD:.0f}%"
        failed |= percent <= THRESHOLD
        print(f"  {app:<12} {percent:6.1f}%  ({covered[app]}/{statements[app]} lines)  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "var/coverage.json"))
