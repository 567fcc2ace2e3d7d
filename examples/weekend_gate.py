"""What a weekend acceptance gate costs in acute bed days.

This is the example of docs/how-to/measure-bed-days.md. Run it from the repository
root:

    python examples/weekend_gate.py

Two designs of intermediate care at home differ only in when referrals are accepted:
on weekdays (docs/examples/weekend-gate.yaml) or every day (weekend-open.yaml). A person
waits in an acute bed until their referral is reviewed, so the diff of the two, on the
same simulated people, shows the bed days the gate costs a year.
"""

from __future__ import annotations

from pathlib import Path

import pathway

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def main() -> None:
    """Diff the gated design against the open one; print bed days and utilisation."""
    gate = pathway.load(EXAMPLES / "weekend-gate.yaml")
    open_ = pathway.load(EXAMPLES / "weekend-open.yaml")
    places = pathway.diff(gate, open_, cases=4000, seed=1).behaviour.places
    print(f"cases a year: {places.cases_a_year:,.0f}")
    print(f"bed days per case: gate {places.old_bed_days:.2f}, open {places.new_bed_days:.2f}")
    print(
        f"bed days a year: gate {places.old_bed_days_a_year:,.0f}, "
        f"open {places.new_bed_days_a_year:,.0f}"
    )
    saved = places.old_bed_days_a_year - places.new_bed_days_a_year
    print(f"the weekend gate costs about {saved:,.0f} acute bed days a year")
    for row in places.roles:
        print(f"{row.role}: {row.old.utilisation:.0%} -> {row.new.utilisation:.0%}")


if __name__ == "__main__":
    main()
