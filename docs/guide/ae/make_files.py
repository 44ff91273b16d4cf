"""Make the two files of the guide's statistics examples from the shipped A&E data."""

import csv
import sys

with open(sys.argv[1], newline="") as source:
    rows = [r for r in csv.DictReader(source) if r["type"] == "1"]


def seen(r):
    return int(r["attendances"]) - int(r["breaches"])


with open("ae_type1.csv", "w", newline="") as out:
    w = csv.writer(out)
    w.writerow(["org", "month", "seen", "attendances", "pct"])
    w.writerows(
        sorted(
            (
                r["org_code"],
                r["period"][:7],
                seen(r),
                r["attendances"],
                round(100 * seen(r) / int(r["attendances"]), 2),
            )
            for r in rows
            if r["org_code"] in ("R1H", "RRK")
        )
    )

with open("march2019.csv", "w", newline="") as out:
    w = csv.writer(out)
    w.writerow(["org", "seen", "attendances"])
    w.writerows(
        sorted(
            (r["org_code"], seen(r), r["attendances"]) for r in rows if r["period"] == "2019-03-01"
        )
    )
