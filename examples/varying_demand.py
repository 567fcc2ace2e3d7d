"""Simulate demand that varies by weekday, hour and month, and count where it falls.

This is the example of docs/how-to/model-varying-demand.md. Run it from the repository
root (it needs the ``sim`` extra):

    python examples/varying_demand.py

It loads ``docs/examples/varying-demand.yaml`` (183 referrals a month within a referral
calendar, Thursday busiest, mornings after the ward rounds busiest, winter busier),
simulates two years of referrals and prints how many arrived per weekday, per hour and
per month: the shares follow the profile, and the mean stays 183 a month.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pathway

FILE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "varying-demand.yaml"


def main() -> None:
    model = pathway.load(FILE)
    result = pathway.simulate(model, horizon="104w", seed=1)
    arrived = [result.datetime_of(float(m)) for m in result.measures(0)["arrival_minutes"]]
    weekdays = Counter(moment.strftime("%a") for moment in arrived)
    hours = Counter(moment.hour for moment in arrived)
    months = Counter(moment.strftime("%b") for moment in arrived)
    per_month = len(arrived) / (104 * 7 / (365 / 12))  # a month is a twelfth of 365 days
    print(f"{len(arrived)} referrals in 104 weeks: {per_month:.0f} a month (declared 183)")
    print("by weekday:", ", ".join(f"{d} {weekdays[d]}" for d in
                                   ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")))  # fmt: skip
    print("by hour:", ", ".join(f"{h:02d} {hours[h]}" for h in sorted(hours)))
    print("by month:", ", ".join(f"{m} {n}" for m, n in months.items()))


if __name__ == "__main__":
    main()
