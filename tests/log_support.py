"""What the event-log tests share: the case tables of a log and of its round trip."""

from __future__ import annotations

from pathway import EventLog, Pathway
from pathway._analysis._cases import CaseTable, case_table


def aligned_tables(
    original: EventLog, again: EventLog, pathway: Pathway | None = None
) -> tuple[CaseTable, CaseTable, list[int]]:
    """Both logs' case tables, and where each of the original's cases is in ``again``."""
    before, after = case_table(original, pathway), case_table(again, pathway)
    return before, after, [again.case_ids.index(case) for case in original.case_ids]
