"""People versus demands: how many people a log's cases (demands) come from.

A case is one demand on the system; its ``case_started`` event may name the person it
is from (:meth:`~pathway._journal._eventlog.EventLog.persons`). From that:

* ``people`` and ``demands`` (cases), and ``cases_per_person``;
* ``repeat_demands``: demands after a person's first (a return, a re-referral, a second
  referral of the same need), and their share of all demands; a concurrent referral
  (a case another case's move opened, ``referred_by``) is not a repeat;
* ``referrals``: concurrent referrals, new value demands of a person already known;
* ``returns``: demands that are themselves failure demand (their ``case_started``
  names a kind: a person coming back after an outcome, a re-referral);
* ``right_first_time``: of the people whose first demand has ended, those whose first
  demand met no failure demand at all and who made no other demand but its own
  concurrent referrals (source 002: "did we solve the reason for calling the first
  time?").

Numbers only; the report says them in words.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from pathway._journal._eventlog import EventLog, kind_code

__all__ = ["REFERRAL", "began_as", "people", "people_of"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
_STARTED = kind_code("case_started")
#: What :func:`began_as` gives a concurrent referral (a new demand another case opened).
REFERRAL = -2


def began_as(log: EventLog) -> I64:
    """Per case, the failure-demand code (into the ``demand`` labels) the case began as,
    -1 for a new demand, :data:`REFERRAL` for a concurrent referral."""
    found = np.full(log.n_cases, -1, dtype=np.int64)
    rows = log.rows_of(_STARTED)[::-1]  # the first case_started wins
    began = log.codes["demand"][rows].astype(np.int64)
    began[log.codes["referred_by"][rows] >= 0] = REFERRAL
    found[log.case[rows]] = began
    return found


def people(log: EventLog, failure: I64, finished: B) -> dict[str, Any]:
    """:func:`people_of` for a log, with each case's failure-demand count (the case's
    own kind included) and whether it has ended."""
    person, _ = log.persons()
    return people_of(person, began_as(log), failure, finished)


def people_of(person: I64, began: I64, failure: I64, finished: B) -> dict[str, Any]:
    """People versus demands from per-case arrays in arrival order: the person index of
    each case, the failure demand it began as (-1 none, :data:`REFERRAL` a concurrent
    referral), its failure-demand count and whether it has ended. Shares are None when
    there is nothing to divide by."""
    demands = len(person)
    if demands == 0:
        return _empty()
    counts = np.bincount(person)
    known = counts > 0
    referral = began == REFERRAL
    own = np.bincount(person[~referral], minlength=len(counts))  # demands not referrals
    _, first = np.unique(person, return_index=True)  # each person's first case
    count = len(first)
    decided = finished[first]
    alone = own[person[first]] <= 1
    right = decided & (failure[first] == 0) & alone
    referrals = int(referral.sum())
    repeat = demands - count - referrals
    return {
        "people": count,
        "demands": demands,
        "cases_per_person": demands / count,
        "most_cases_of_a_person": int(counts[known].max()),
        "repeat_demands": repeat,
        "repeat_share": repeat / demands,
        "returns": int((began >= 0).sum()),
        "referrals": referrals,
        "people_decided": int(decided.sum()),
        "right_first_time": int(right.sum()),
        "right_first_time_share": float(right.sum() / decided.sum()) if decided.any() else None,
    }


def _empty() -> dict[str, Any]:
    return {
        "people": 0,
        "demands": 0,
        "cases_per_person": None,
        "most_cases_of_a_person": 0,
        "repeat_demands": 0,
        "repeat_share": None,
        "returns": 0,
        "referrals": 0,
        "people_decided": 0,
        "right_first_time": 0,
        "right_first_time_share": None,
    }
