"""The simulator's event loop: one kernel over numpy arrays, pure Python or numba-compiled.

Everything here is written in the subset of Python that numba compiles: numpy arrays,
ints and floats; no Python objects, no generators, no allocation per event.
:func:`run_kernel` is the reference path as written; :mod:`pathway._sim._fast` compiles
copies of these same functions with numba, and a test runs both on small cohorts and
checks they agree event for event.

Memory (see :mod:`pathway._sim._layout`): two flat arrays ``im`` (int64) and ``fm``
(float64) hold every table and all state; ``CF``, ``M32``, ``MI`` and ``CB`` are the
per-case arrays (arrival and end times, minutes, counts, guard and automatic-answer
results). Small accessor functions (``step_get``, ``slot_get``...) read the sections;
the compiler inlines them.

The kernel runs until the heap is empty or the next event is past the horizon, or until
Python must act (flush the event buffer, grow the case slots, report progress); it then
returns a status and is simply called again to resume.

Time is float minutes since 00:00 (local wall time) on the start date. Events at equal
times are processed in the order they were scheduled (a sequence number breaks ties), so
a run is a pure function of its inputs.
"""

from __future__ import annotations

import math
from typing import Any

from pathway._sim._layout import (
    CAL_CLOS_N,
    CAL_CLOS_OFF,
    CAL_WIN_N,
    CAL_WIN_OFF,
    CAUSE_CALENDAR,
    CAUSE_CAPACITY,
    CAUSE_CLIENT,
    CAUSE_CONTINUITY,
    CI_LAPSE,
    CI_NQ,
    CI_PERSIST,
    CI_ROUNDS,
    CI_TABLE,
    D_EXPONENTIAL,
    D_FIXED,
    D_LOGNORMAL,
    D_TRIANGULAR,
    D_UNIFORM,
    DAY,
    E_A1,
    E_A2,
    E_A3,
    E_A4,
    E_CASE,
    E_KIND,
    E_STEP,
    EF_AT,
    EF_STARTED,
    EV_CASE_STARTED,
    EV_DECISION,
    EV_FAILURE_DEMAND,
    EV_HANDOFF,
    EV_OUTCOME_REACHED,
    EV_STEP_COMPLETED,
    EV_STEP_STARTED,
    EV_TRANSITIONED,
    EV_VISIT_ATTENDED,
    EV_VISIT_MISSED,
    EV_WAITED,
    FD_CHASE,
    FD_REBOOK,
    H_AUX,
    H_KIND,
    H_SLOT,
    HF_CQ,
    HF_DIST,
    HF_EMPC,
    HF_EMPV,
    HF_EV,
    HF_HEAP,
    HF_SCF,
    HF_SLOT,
    HF_TR,
    HF_WIN,
    HI_ALSO,
    HI_BUSY,
    HI_CAL,
    HI_CLOS,
    HI_CP,
    HI_CQ,
    HI_DISTK,
    HI_EV,
    HI_FREE,
    HI_GUARDS,
    HI_HEAP,
    HI_MASK,
    HI_NCP,
    HI_OUT,
    HI_REC,
    HI_RECFREE,
    HI_ROLE,
    HI_ROLES,
    HI_ROLESTATE,
    HI_ROUTE,
    HI_SC,
    HI_SLOT,
    HI_SLOTCOL,
    HI_SLOTCP,
    HI_SLOTOCC,
    HI_SLOTRW,
    HI_STEP,
    HI_STEPS,
    HI_TR,
    HI_WORDS,
    K_ARRIVAL,
    K_CHASE,
    K_DONE,
    K_GATE,
    K_LAPSE,
    K_MISS,
    K_READY,
    K_REFER,
    K_RETURN,
    K_WAKE,
    M_MILESTONE,
    M_WAIT,
    M_WORK,
    MAX_CASE_STEPS,
    MAX_QUESTIONS,
    MF_ARRIVAL,
    MF_END,
    MF_PERSON,
    MF_REFERRED,
    MF_WORKER,
    MI_APPOINTMENTS,
    MI_DECISIONS,
    MI_DNAS,
    MI_FAILURE,
    MI_HANDOFF,
    MI_OUTCOME,
    MI_REPEATED,
    MI_STEPS,
    MI_VISITS,
    MI_VISITS_CLIENT,
    MI_VISITS_SERVICE,
    N_CAL,
    N_CI,
    N_DISTF,
    N_E,
    N_H,
    N_RI,
    N_RS,
    N_S,
    N_SCP,
    N_SF,
    N_SI,
    N_TF,
    N_TI,
    NOTE_MOVE,
    NOTE_REBOOK,
    OUTCOME_STUCK,
    REC_BITS,
    REC_MASK,
    REFER_SHIFT,
    REQ_CLIENT,
    REQ_SERVICE,
    RET_SCALE,
    RI_CAP,
    RI_NAMED,
    RI_W0,
    RI_WITHIN,
    RS_FREE,
    RS_HEAD,
    RS_TAIL,
    S_ATTEMPT,
    S_ATTEND,
    S_BY_CLIENT,
    S_CASE,
    S_CHASE_DUE,
    S_HAS_VISIT,
    S_LANEA,
    S_LANEB,
    S_OCC,
    S_PREV_STEP,
    S_PREV_WORKER,
    S_QNEXT,
    S_QPREV,
    S_QUEUED,
    S_SEGCAUSE,
    S_STEP,
    S_TR,
    S_WAITID,
    S_WAITOCC,
    S_WORKER,
    SC_ALSOMAX,
    SC_ARRIVED,
    SC_BUFCAP,
    SC_CASEROWS,
    SC_EMIT,
    SC_FINISHED,
    SC_INITA,
    SC_INITB,
    SC_NBUF,
    SC_NCASES,
    SC_NFREE,
    SC_NHEAP,
    SC_NRECFREE,
    SC_NROWS,
    SC_PAUSE_AT,
    SC_PENDRET,
    SC_PRODUCED,
    SC_REFERRED,
    SC_RESERVE,
    SC_RETROOM,
    SC_RETURNED,
    SC_SEQ,
    SC_START_STEP,
    SC_STUCK,
    SC_WAITID,
    SCF_HORIZON,
    SCF_NOW,
    SCF_SAMEVISIT,
    SCF_WEEKOFF,
    SCP_HELD,
    SCP_NOT_BEFORE,
    SF_LASTVISIT,
    SF_SEGT,
    SF_STARTED,
    SF_T0,
    SF_WAKE,
    SI_CP,
    SI_DUR,
    SI_GATE,
    SI_KEY,
    SI_MILESTONE,
    SI_OUT_END,
    SI_OUT_START,
    SI_OUTCOME,
    SI_OUTCOME_IDX,
    SI_REQ,
    SI_RET_DEMAND,
    SI_RET_DIST,
    SI_RET_P,
    SI_RET_SAME,
    SI_ROLE,
    SI_VISIT,
    SI_WORK,
    ST_CASES,
    ST_DONE,
    ST_FLUSH,
    ST_PAUSE,
    ST_SLOTS,
    TF_CHASE,
    TF_DNA,
    TF_REBOOK,
    TF_WEIGHT,
    TI_ALSO_END,
    TI_ALSO_START,
    TI_BOOKED,
    TI_CAUSE,
    TI_DEMAND,
    TI_DNA_LATER,
    TI_GUARD,
    TI_HANDOFF,
    TI_KEY,
    TI_REBOOK_WAIT,
    TI_TARGET,
    TI_WAIT,
    WEEK,
)
from pathway._sim._rng import (
    PURPOSE_ANSWER,
    PURPOSE_BRANCH,
    PURPOSE_DNA,
    PURPOSE_DURATION,
    PURPOSE_REBOOK,
    PURPOSE_REBOOKER,
    PURPOSE_RETURN,
    PURPOSE_RETURN_DELAY,
    PURPOSE_WAIT,
    case_lanes,
    draw,
    ppnd,
)

__all__ = ["KERNEL_FUNCTIONS", "run_kernel"]

# ---------------------------------------------------------------------------- access


def step_get(im: Any, step: int, column: int) -> int:
    """A column of the step table."""
    return int(im[im[HI_STEP] + step * N_SI + column])


def tr_get(im: Any, transition: int, column: int) -> int:
    """An integer column of the transition table."""
    return int(im[im[HI_TR] + transition * N_TI + column])


def trf_get(im: Any, fm: Any, transition: int, column: int) -> float:
    """A float column of the transition table."""
    return float(fm[im[HF_TR] + transition * N_TF + column])


def slot_get(im: Any, slot: int, column: int) -> int:
    """An integer field of a case slot."""
    return int(im[im[HI_SLOT] + slot * N_S + column])


def slot_set(im: Any, slot: int, column: int, value: int) -> None:
    """Set an integer field of a case slot."""
    im[im[HI_SLOT] + slot * N_S + column] = value


def slotf_get(im: Any, fm: Any, slot: int, column: int) -> float:
    """A float field of a case slot."""
    return float(fm[im[HF_SLOT] + slot * N_SF + column])


def slotf_set(im: Any, fm: Any, slot: int, column: int, value: float) -> None:
    """Set a float field of a case slot."""
    fm[im[HF_SLOT] + slot * N_SF + column] = value


def sc_get(im: Any, which: int) -> int:
    """An integer scalar of the run."""
    return int(im[im[HI_SC] + which])


def sc_add(im: Any, which: int, amount: int) -> None:
    """Add to an integer scalar of the run."""
    im[im[HI_SC] + which] += amount


def scf_get(im: Any, fm: Any, which: int) -> float:
    """A float scalar of the run."""
    return float(fm[im[HF_SCF] + which])


def add_minutes(M32: Any, case: int, column: int, minutes: float) -> None:
    """Add to a float32 measure, summing in float64 on both paths (numpy alone would
    add a Python float to a float32 in float32; numba adds in float64)."""
    M32[case, column] = float(M32[case, column]) + minutes


def role_state(im: Any, role: int, column: int) -> int:
    """A role's queue head, tail or free-worker count."""
    return int(im[im[HI_ROLESTATE] + role * N_RS + column])


def role_state_set(im: Any, role: int, column: int, value: int) -> None:
    """Set a role's queue head, tail or free-worker count."""
    im[im[HI_ROLESTATE] + role * N_RS + column] = value


# ------------------------------------------------------------------------------ heap


def heap_push(im: Any, fm: Any, t: float, kind: int, slot: int, aux: int) -> None:
    """Schedule an event; ties in time keep scheduling order (sequence numbers)."""
    scalars, keys, times = im[HI_SC], im[HI_HEAP], im[HF_HEAP]
    spare = im[scalars + SC_NRECFREE] - 1
    im[scalars + SC_NRECFREE] = spare
    record = im[im[HI_RECFREE] + spare]
    row = im[HI_REC] + record * N_H
    im[row + H_KIND] = kind
    im[row + H_SLOT] = slot
    im[row + H_AUX] = aux
    key = (im[scalars + SC_SEQ] << REC_BITS) | record
    im[scalars + SC_SEQ] += 1
    i = im[scalars + SC_NHEAP]
    im[scalars + SC_NHEAP] = i + 1
    while i > 0:
        parent = (i - 1) >> 1
        before = fm[times + parent]
        if before < t or (before == t and im[keys + parent] < key):
            break
        fm[times + i] = before
        im[keys + i] = im[keys + parent]
        i = parent
    fm[times + i] = t
    im[keys + i] = key


def heap_pop(im: Any, fm: Any) -> None:
    """Remove the earliest event (the caller has read it) and free its record."""
    scalars, keys, times = im[HI_SC], im[HI_HEAP], im[HF_HEAP]
    spare = im[scalars + SC_NRECFREE]
    im[im[HI_RECFREE] + spare] = im[keys] & REC_MASK
    im[scalars + SC_NRECFREE] = spare + 1
    n = im[scalars + SC_NHEAP] - 1
    im[scalars + SC_NHEAP] = n
    if n == 0:
        return
    t, key = fm[times + n], im[keys + n]
    fm[times + n] = math.inf  # sentinel: a missing right child never wins
    i = 0
    child = 1
    while child < n:
        left_t, right_t = fm[times + child], fm[times + child + 1]
        left_key, right_key = im[keys + child], im[keys + child + 1]
        right = (right_t < left_t) | ((right_t == left_t) & (right_key < left_key))
        child += int(right)
        child_t, child_key = fm[times + child], im[keys + child]
        if child_t > t or (child_t == t and child_key > key):
            break
        fm[times + i] = child_t
        im[keys + i] = child_key
        i = child
        child = 2 * i + 1
    fm[times + i] = t
    im[keys + i] = key


# -------------------------------------------------------------------------- calendar


def _closed_day(im: Any, first: int, count: int, day: int) -> bool:
    """Binary search of a calendar's sorted closure days."""
    low, high = first, first + count
    while low < high:
        middle = (low + high) >> 1
        if im[middle] < day:
            low = middle + 1
        else:
            high = middle
    return low < first + count and im[low] == day


def next_open(im: Any, fm: Any, calendar: int, t: float) -> float:
    """``t`` if ``calendar`` is open at ``t``, else when it next opens (-1: always open).

    Windows are minute-of-week ``[start, end)`` intervals from Monday 00:00, shifted by
    the start date's minutes after its Monday. Closure days (days since the start date)
    close whole days. Calendars are checked to have open time before a run.
    """
    if calendar < 0:
        return t
    weekoff = scf_get(im, fm, SCF_WEEKOFF)
    row = im[HI_CAL] + calendar * N_CAL
    w0 = im[HF_WIN] + 2 * im[row + CAL_WIN_OFF]
    nw = im[row + CAL_WIN_N]
    c0 = im[HI_CLOS] + im[row + CAL_CLOS_OFF]
    nc = im[row + CAL_CLOS_N]
    candidate = t
    while True:
        shifted = candidate + weekoff
        week = math.floor(shifted / WEEK)
        minute = shifted - week * WEEK
        found = candidate
        placed = False
        for j in range(nw):
            if fm[w0 + 2 * j + 1] > minute:
                if fm[w0 + 2 * j] > minute:
                    found = week * WEEK + fm[w0 + 2 * j] - weekoff
                placed = True
                break
        if not placed:
            found = (week + 1) * WEEK + fm[w0] - weekoff
        if nc == 0:
            return found
        day = math.floor(found / DAY)
        if not _closed_day(im, c0, nc, day):
            return found
        candidate = (day + 1) * DAY


# ----------------------------------------------------------------------- distributions


def sample(im: Any, fm: Any, dist: int, u: float) -> float:
    """A draw from distribution ``dist`` by inversion of the uniform ``u`` (-1: zero)."""
    if dist < 0:
        return 0.0
    kind = im[im[HI_DISTK] + dist]
    params = im[HF_DIST] + dist * N_DISTF
    a = fm[params]
    if kind == D_FIXED:
        return float(a)
    b = fm[params + 1]
    if kind == D_UNIFORM:
        return float(a + u * (b - a))
    if kind == D_EXPONENTIAL:
        return float(-a * math.log(1.0 - u))
    if kind == D_LOGNORMAL:
        return float(math.exp(a + b * ppnd(u)))
    if kind == D_TRIANGULAR:
        return _triangular(a, b, fm[params + 2], u)
    first, count = im[HF_EMPC] + int(a), int(b)
    target = u * fm[first + count - 1]
    offset = im[HF_EMPV] - im[HF_EMPC]
    for j in range(first, first + count):
        if target < fm[j]:
            return float(fm[j + offset])
    return float(fm[first + count - 1 + offset])


def _triangular(low: float, mode: float, high: float, u: float) -> float:
    """Inverse CDF of the triangular distribution."""
    span = high - low
    if span <= 0.0:
        return low
    if u * span < mode - low:
        return low + math.sqrt(u * span * (mode - low))
    return high - math.sqrt((1.0 - u) * span * (high - mode))


def slot_draw(im: Any, slot: int, purpose: int, key: int, occurrence: int) -> float:
    """The case's uniform for ``(purpose, key, occurrence)``."""
    lane_a, lane_b = slot_get(im, slot, S_LANEA), slot_get(im, slot, S_LANEB)
    return float(draw(lane_a, lane_b, purpose, key, occurrence))


# ------------------------------------------------------------------------------ events


def emit(
    im: Any,
    fm: Any,
    kind: int,
    case: int,
    step: int,
    a1: int,
    a2: int,
    a3: int,
    a4: int,
    at: float,
    started: float,
) -> None:
    """Count an event and, when the log is wanted, append it to the buffer."""
    sc_add(im, SC_PRODUCED, 1)
    if sc_get(im, SC_EMIT) == 0:
        return
    n = sc_get(im, SC_NBUF)
    row = im[HI_EV] + n * N_E
    im[row + E_KIND] = kind
    im[row + E_CASE] = case
    im[row + E_STEP] = step
    im[row + E_A1] = a1
    im[row + E_A2] = a2
    im[row + E_A3] = a3
    im[row + E_A4] = a4
    fm[im[HF_EV] + 2 * n + EF_AT] = at
    fm[im[HF_EV] + 2 * n + EF_STARTED] = started
    sc_add(im, SC_NBUF, 1)


def close_segment(im: Any, fm: Any, M32: Any, slot: int, t: float) -> None:
    """End the open wait segment at ``t``: add it to the case's waits and log it."""
    cause = slot_get(im, slot, S_SEGCAUSE)
    if cause < 0:
        return
    began = slotf_get(im, fm, slot, SF_SEGT)
    if t > began:
        case = slot_get(im, slot, S_CASE)
        add_minutes(M32, case, M_WAIT + cause, t - began)
        emit(im, fm, EV_WAITED, case, slot_get(im, slot, S_STEP), cause, 0, 0, 0, t, began)
    slot_set(im, slot, S_SEGCAUSE, -1)


def begin_segment(im: Any, fm: Any, slot: int, cause: int, t: float) -> None:
    """Open a wait segment of ``cause`` at ``t``."""
    slot_set(im, slot, S_SEGCAUSE, cause)
    slotf_set(im, fm, slot, SF_SEGT, t)


def new_wait(im: Any, fm: Any, slot: int) -> int:
    """Give the case a new wait id (pending chase and wake-up events become stale)."""
    slot_set(im, slot, S_CHASE_DUE, 0)
    sc_add(im, SC_WAITID, 1)
    wait_id = sc_get(im, SC_WAITID)
    slot_set(im, slot, S_WAITID, wait_id)
    slotf_set(im, fm, slot, SF_WAKE, -1.0)
    return wait_id


# ------------------------------------------------------------------------------ queues


def enqueue(im: Any, role: int, slot: int) -> None:
    """Append a case to its role's FIFO queue."""
    tail = role_state(im, role, RS_TAIL)
    slot_set(im, slot, S_QUEUED, 1)
    slot_set(im, slot, S_QPREV, tail)
    slot_set(im, slot, S_QNEXT, -1)
    if tail >= 0:
        slot_set(im, tail, S_QNEXT, slot)
    else:
        role_state_set(im, role, RS_HEAD, slot)
    role_state_set(im, role, RS_TAIL, slot)


def dequeue(im: Any, role: int, slot: int) -> None:
    """Take a case out of its role's queue, wherever it is."""
    before, after = slot_get(im, slot, S_QPREV), slot_get(im, slot, S_QNEXT)
    if before >= 0:
        slot_set(im, before, S_QNEXT, after)
    else:
        role_state_set(im, role, RS_HEAD, after)
    if after >= 0:
        slot_set(im, after, S_QPREV, before)
    else:
        role_state_set(im, role, RS_TAIL, before)
    slot_set(im, slot, S_QUEUED, 0)


def pick_worker(im: Any, fm: Any, role: int, slot: int, t: float) -> int:
    """The worker who last served this case in this role if free, else the lowest free;
    -1 when the role keeps a named worker (``continuity: named``) who is busy and the
    case has not yet waited ``named_within`` at its step."""
    busy = im[HI_BUSY]
    preferred = im[im[HI_SLOTRW] + slot * im[HI_ROLES] + role]
    if preferred >= 0 and im[busy + preferred] == 0:
        return int(preferred)
    row = im[HI_ROLE] + role * N_RI
    if preferred >= 0 and im[row + RI_NAMED] != 0 and not _named_expired(im, fm, role, slot, t):
        return -1
    first = im[row + RI_W0]
    for worker in range(first, first + im[row + RI_CAP]):
        if im[busy + worker] == 0:
            return int(worker)
    return -1


def dispatch(im: Any, fm: Any, CF: Any, M32: Any, MI: Any, role: int, t: float) -> None:
    """Give free workers of ``role`` the earliest queued cases whose step can start now.

    A case whose start gate is shut is passed over (it does not block those behind it)
    and gets a wake-up at its gate's next opening.
    """
    slot = role_state(im, role, RS_HEAD)
    while slot >= 0 and role_state(im, role, RS_FREE) > 0:
        following = slot_get(im, slot, S_QNEXT)
        opens = gate_opens(im, fm, slot, slot_get(im, slot, S_STEP), t)
        worker = pick_worker(im, fm, role, slot, t) if opens == t else -1
        if worker >= 0:
            dequeue(im, role, slot)
            start_step(im, fm, CF, M32, MI, slot, worker, t)
        elif opens == t:
            _await_named(im, fm, M32, slot, t)
        elif slotf_get(im, fm, slot, SF_WAKE) <= t:
            slotf_set(im, fm, slot, SF_WAKE, opens)
            heap_push(im, fm, opens, K_WAKE, slot, slot_get(im, slot, S_WAITID))
        slot = following


def _named_expired(im: Any, fm: Any, role: int, slot: int, t: float) -> bool:
    """Whether the case has waited its role's ``named_within`` at its step (from the
    end of the step before), so any worker of the role may take it."""
    within = im[im[HI_ROLE] + role * N_RI + RI_WITHIN]
    return bool(within >= 0 and t - slotf_get(im, fm, slot, SF_T0) >= within / 60.0)


def _await_named(im: Any, fm: Any, M32: Any, slot: int, t: float) -> None:
    """Another worker is free but the case waits for its busy named worker: from now the
    wait's cause is continuity."""
    if slot_get(im, slot, S_SEGCAUSE) != CAUSE_CONTINUITY:
        close_segment(im, fm, M32, slot, t)
        begin_segment(im, fm, slot, CAUSE_CONTINUITY, t)


def _named_deadline(im: Any, fm: Any, role: int, slot: int, t: float) -> None:
    """Wake a queued case when its ``named_within`` runs out (a role keeping a named
    worker, with a limit, and a named worker already)."""
    row = im[HI_ROLE] + role * N_RI
    within = im[row + RI_WITHIN]
    if im[row + RI_NAMED] == 0 or within < 0:
        return
    if im[im[HI_SLOTRW] + slot * im[HI_ROLES] + role] < 0:
        return
    deadline = slotf_get(im, fm, slot, SF_T0) + within / 60.0
    if deadline > t:
        heap_push(im, fm, deadline, K_WAKE, slot, slot_get(im, slot, S_WAITID))


# ------------------------------------------------------------------------------- steps


def _repeated(im: Any, slot: int, step: int) -> int:
    """Items the step collects that this case has given before; marks them given."""
    words = im[HI_WORDS]
    given = im[HI_SLOTCOL] + slot * words
    asked = im[HI_MASK] + step * words
    repeated = 0
    for word in range(words):
        overlap = im[given + word] & im[asked + word]
        while overlap != 0:
            overlap &= overlap - 1
            repeated += 1
        im[given + word] |= im[asked + word]
    return repeated


def start_step(
    im: Any, fm: Any, CF: Any, M32: Any, MI: Any, slot: int, worker: int, t: float
) -> None:
    """Work on the case's step begins: close the wait, count the visit and hand-off."""
    close_segment(im, fm, M32, slot, t)
    new_wait(im, fm, slot)
    case, step = slot_get(im, slot, S_CASE), slot_get(im, slot, S_STEP)
    role = step_get(im, step, SI_ROLE)
    counter = im[HI_SLOTOCC] + slot * im[HI_STEPS] + step
    occurrence = int(im[counter])
    im[counter] = occurrence + 1
    slot_set(im, slot, S_OCC, occurrence)
    if step_get(im, step, SI_VISIT) != 0:
        _attend(im, fm, MI, slot, case, step, t)
    _handoff_at(im, fm, MI, slot, case, step, worker, t)
    MI[case, MI_REPEATED] += _repeated(im, slot, step)
    milestone = step_get(im, step, SI_MILESTONE)
    if milestone >= 0 and math.isnan(M32[case, M_MILESTONE + milestone]):
        M32[case, M_MILESTONE + milestone] = t - CF[case, MF_ARRIVAL]
    emit(im, fm, EV_STEP_STARTED, case, step, worker, role, 0, 0, t, t)
    if worker >= 0:
        im[im[HI_BUSY] + worker] = 1
        role_state_set(im, role, RS_FREE, role_state(im, role, RS_FREE) - 1)
        im[im[HI_SLOTRW] + slot * im[HI_ROLES] + role] = worker
    slot_set(im, slot, S_WORKER, worker)
    u = slot_draw(im, slot, PURPOSE_DURATION, step_get(im, step, SI_KEY), occurrence)
    duration = sample(im, fm, step_get(im, step, SI_DUR), u)
    slotf_set(im, fm, slot, SF_STARTED, t)
    closes = lapse_time(im, fm, step, t, t + duration)
    if closes >= 0.0:
        heap_push(im, fm, closes, K_LAPSE, slot, 0)
    else:
        heap_push(im, fm, t + duration, K_DONE, slot, 0)


def _handoff_at(
    im: Any, fm: Any, MI: Any, slot: int, case: int, step: int, worker: int, t: float
) -> None:
    """Count and log the hand-off into this step, if any (worker level within a role)."""
    transition = slot_get(im, slot, S_TR)
    if transition < 0:
        return
    level = tr_get(im, transition, TI_HANDOFF)
    previous = slot_get(im, slot, S_PREV_WORKER)
    if level == 0 and worker >= 0 and previous >= 0 and worker != previous:
        level = 1
    if level > 0:
        MI[case, MI_HANDOFF + level - 1] += 1
        from_step = slot_get(im, slot, S_PREV_STEP)
        emit(im, fm, EV_HANDOFF, case, step, from_step, previous, worker, level, t, t)


def _attend(im: Any, fm: Any, MI: Any, slot: int, case: int, step: int, t: float) -> None:
    """A visit step starts: a new attendance unless the person is still on site."""
    gap = t - slotf_get(im, fm, slot, SF_LASTVISIT)
    if slot_get(im, slot, S_HAS_VISIT) != 0 and gap <= scf_get(im, fm, SCF_SAMEVISIT):
        return
    attendance = slot_get(im, slot, S_ATTEND) + 1
    slot_set(im, slot, S_ATTEND, attendance)
    requested = _requested(im, slot, step)
    MI[case, MI_VISITS] += 1
    if requested == REQ_SERVICE:
        MI[case, MI_VISITS_SERVICE] += 1
    elif requested == REQ_CLIENT:
        MI[case, MI_VISITS_CLIENT] += 1
    transition = slot_get(im, slot, S_TR)
    if transition >= 0 and tr_get(im, transition, TI_BOOKED) != 0:
        MI[case, MI_APPOINTMENTS] += 1
    emit(im, fm, EV_VISIT_ATTENDED, case, step, attendance, requested, 0, 0, t, t)


def _requested(im: Any, slot: int, step: int) -> int:
    """Who asked for the pending visit: the client if they rebooked it after a DNA,
    else whoever the step says."""
    if slot_get(im, slot, S_BY_CLIENT) != 0:
        return REQ_CLIENT
    return int(step_get(im, step, SI_REQ))


def arm_chase(im: Any, fm: Any, slot: int) -> None:
    """Schedule the first chase of a wait longer than its declared part (deferred until
    the declared wait ends, so cases that start at once leave nothing on the heap)."""
    if slot_get(im, slot, S_CHASE_DUE) == 0:
        return
    slot_set(im, slot, S_CHASE_DUE, 0)
    chase = trf_get(im, fm, slot_get(im, slot, S_TR), TF_CHASE)
    due = slotf_get(im, fm, slot, SF_T0) + chase
    heap_push(im, fm, due, K_CHASE, slot, slot_get(im, slot, S_WAITID))


def reach_outcome(im: Any, fm: Any, CF: Any, MI: Any, slot: int, t: float) -> None:
    """The case reaches its outcome step: the journey ends (the person may come back)
    and the slot is freed."""
    case, step = slot_get(im, slot, S_CASE), slot_get(im, slot, S_STEP)
    emit(im, fm, EV_OUTCOME_REACHED, case, step, 0, 0, 0, 0, t, t)
    CF[case, MF_END] = t
    MI[case, MI_OUTCOME] = step_get(im, step, SI_OUTCOME_IDX)
    sc_add(im, SC_FINISHED, 1)
    schedule_return(im, fm, CF, slot, case, step, t)
    free_slot(im, slot)


def schedule_return(im: Any, fm: Any, CF: Any, slot: int, case: int, step: int, t: float) -> None:
    """With the outcome's ``returns`` chance, the person comes back after its delay: a
    new demand (of the same person) is put on the heap, holding where it came from."""
    chance = step_get(im, step, SI_RET_P)
    if chance <= 0 or CF[case, MF_REFERRED] >= 0.0:
        return  # a referral's outcome brings no return: its person's own demands do
    key = step_get(im, step, SI_KEY)
    if slot_draw(im, slot, PURPOSE_RETURN, key, 0) * RET_SCALE >= chance:
        return
    u = slot_draw(im, slot, PURPOSE_RETURN_DELAY, key, 0)
    delay = sample(im, fm, step_get(im, step, SI_RET_DIST), u)
    same = step_get(im, step, SI_RET_SAME) != 0
    CF[case, MF_WORKER] = slot_get(im, slot, S_PREV_WORKER) if same else -1
    sc_add(im, SC_PENDRET, 1)
    heap_push(im, fm, t + delay, K_RETURN, -1, case * 4 + step_get(im, step, SI_RET_DEMAND))


def ready(im: Any, fm: Any, CF: Any, M32: Any, MI: Any, slot: int, t: float) -> None:
    """The declared wait is over: the case wants its step (DNA, calendar, then queue);
    an outcome step is reached at once (after the wait on the move into it)."""
    close_segment(im, fm, M32, slot, t)
    step = slot_get(im, slot, S_STEP)
    if step_get(im, step, SI_OUTCOME) != 0:
        reach_outcome(im, fm, CF, MI, slot, t)
        return
    opens = gate_opens(im, fm, slot, step, t)
    transition = slot_get(im, slot, S_TR)
    if step_get(im, step, SI_VISIT) != 0 and transition >= 0:
        dna = trf_get(im, fm, transition, TF_DNA)
        if dna > 0.0 and booked(im, fm, slot, transition, opens):
            occurrence = slot_get(im, slot, S_WAITOCC) * 4096 + slot_get(im, slot, S_ATTEMPT)
            key = tr_get(im, transition, TI_KEY)
            if slot_draw(im, slot, PURPOSE_DNA, key, occurrence) < dna:
                arm_chase(im, fm, slot)
                if opens > t:
                    begin_segment(im, fm, slot, CAUSE_CALENDAR, t)
                    heap_push(im, fm, opens, K_MISS, slot, 0)
                else:
                    missed(im, fm, M32, MI, slot, t)
                return
    if opens > t:
        arm_chase(im, fm, slot)
        begin_segment(im, fm, slot, CAUSE_CALENDAR, t)
        heap_push(im, fm, opens, K_GATE, slot, 0)
    else:
        at_gate(im, fm, CF, M32, MI, slot, t)


def booked(im: Any, fm: Any, slot: int, transition: int, opens: float) -> bool:
    """Whether the visit the case is ready for is an appointment it could miss: always,
    unless the move says ``dna_applies: booked_later`` and the person is still on site
    when the step's calendar lets them be seen (``opens``), within the same visit."""
    if tr_get(im, transition, TI_DNA_LATER) == 0 or slot_get(im, slot, S_HAS_VISIT) == 0:
        return True
    gap = opens - slotf_get(im, fm, slot, SF_LASTVISIT)
    return gap > scf_get(im, fm, SCF_SAMEVISIT)


def missed(im: Any, fm: Any, M32: Any, MI: Any, slot: int, t: float) -> None:
    """The person did not attend: a rebooking and a new (client) wait. With the move's
    ``client_rebooks`` chance the person comes back to rebook (a failure-demand contact,
    and the new appointment is theirs); otherwise the service rebooks them."""
    close_segment(im, fm, M32, slot, t)
    case, step = slot_get(im, slot, S_CASE), slot_get(im, slot, S_STEP)
    transition = slot_get(im, slot, S_TR)
    MI[case, MI_DNAS] += 1
    emit(im, fm, EV_VISIT_MISSED, case, step, _requested(im, slot, step), 0, 0, 0, t, t)
    attempt = slot_get(im, slot, S_ATTEMPT) + 1
    slot_set(im, slot, S_ATTEMPT, attempt)
    occurrence = slot_get(im, slot, S_WAITOCC) * 4096 + attempt
    key = tr_get(im, transition, TI_KEY)
    by_client = slot_draw(im, slot, PURPOSE_REBOOKER, key, occurrence) < trf_get(
        im, fm, transition, TF_REBOOK
    )
    slot_set(im, slot, S_BY_CLIENT, 1 if by_client else 0)
    if by_client:
        MI[case, MI_FAILURE + FD_REBOOK] += 1
        emit(im, fm, EV_FAILURE_DEMAND, case, step, FD_REBOOK, NOTE_REBOOK, 0, 0, t, t)
    u = slot_draw(im, slot, PURPOSE_REBOOK, key, occurrence)
    rebook = tr_get(im, transition, TI_REBOOK_WAIT)
    wait = sample(im, fm, rebook if rebook >= 0 else tr_get(im, transition, TI_WAIT), u)
    slot_set(im, slot, S_HAS_VISIT, 0)
    begin_segment(im, fm, slot, CAUSE_CLIENT, t)
    heap_push(im, fm, t + wait, K_READY, slot, 0)


def at_gate(im: Any, fm: Any, CF: Any, M32: Any, MI: Any, slot: int, t: float) -> None:
    """The step's window is open: queue for a worker of its role (or start if unowned)."""
    begin_segment(im, fm, slot, CAUSE_CAPACITY, t)
    role = step_get(im, slot_get(im, slot, S_STEP), SI_ROLE)
    if role < 0:
        start_step(im, fm, CF, M32, MI, slot, -1, t)
        return
    enqueue(im, role, slot)
    dispatch(im, fm, CF, M32, MI, role, t)
    if slot_get(im, slot, S_QUEUED) != 0:
        arm_chase(im, fm, slot)
        _named_deadline(im, fm, role, slot, t)


def _eligible(im: Any, CB: Any, case: int, transition: int) -> bool:
    """Whether the transition's guard holds for the case (no guard: always)."""
    column = tr_get(im, transition, TI_GUARD)
    return column < 0 or CB[case, column] != 0


def choose(im: Any, fm: Any, CB: Any, slot: int, case: int, step: int, occurrence: int) -> int:
    """A transition out of ``step`` among those whose guards hold, by weight (-1: none)."""
    first_out = im[HI_OUT] + step_get(im, step, SI_OUT_START)
    last_out = im[HI_OUT] + step_get(im, step, SI_OUT_END)
    total, first, eligible = 0.0, -1, 0
    for j in range(first_out, last_out):
        transition = int(im[j])
        if _eligible(im, CB, case, transition):
            total += trf_get(im, fm, transition, TF_WEIGHT)
            eligible += 1
            if first < 0:
                first = transition
    if eligible <= 1 or total <= 0.0:
        return first
    key = step_get(im, step, SI_KEY)
    target = slot_draw(im, slot, PURPOSE_BRANCH, key, occurrence) * total
    running, last = 0.0, first
    for j in range(first_out, last_out):
        transition = int(im[j])
        weight = trf_get(im, fm, transition, TF_WEIGHT)
        if weight > 0.0 and _eligible(im, CB, case, transition):
            running += weight
            last = transition
            if target < running:
                return transition
    return last


def decide(im: Any, fm: Any, CB: Any, MI: Any, slot: int, checkpoint: int, t: float) -> int:
    """Answer a checkpoint's questions (facts or p_yes) and return its route's transition."""
    case, step = slot_get(im, slot, S_CASE), slot_get(im, slot, S_STEP)
    occurrence = slot_get(im, slot, S_OCC)
    row = im[HI_CP] + checkpoint * N_CI
    questions = im[HI_CQ] + checkpoint * 2 * MAX_QUESTIONS
    chances = im[HF_CQ] + checkpoint * MAX_QUESTIONS
    state = cp_state(im, slot, checkpoint)
    held = im[state + SCP_HELD]
    bits = 0
    for q in range(im[row + CI_NQ]):
        column = im[questions + q]
        if (held >> q) & 1 != 0:
            yes = True  # a persisting yes is not drawn again
        elif column >= 0:
            yes = CB[case, im[HI_GUARDS] + column] != 0
        else:
            key = im[questions + MAX_QUESTIONS + q]
            yes = slot_draw(im, slot, PURPOSE_ANSWER, key, occurrence) < fm[chances + q]
        if yes:
            bits |= 1 << q
    transition = int(im[im[HI_ROUTE] + im[row + CI_TABLE] + bits])
    im[state + SCP_HELD] = held | (bits & im[row + CI_PERSIST])
    rounds = im[row + CI_ROUNDS]
    if rounds >= 0:
        began = slotf_get(im, fm, slot, SF_STARTED)
        im[state + SCP_NOT_BEFORE] = math.ceil(round_end(im, fm, rounds, began))
    MI[case, MI_DECISIONS] += 1
    worker = slot_get(im, slot, S_WORKER)
    emit(im, fm, EV_DECISION, case, step, checkpoint, bits, transition, worker, t, t)
    return transition


def free_slot(im: Any, slot: int) -> None:
    """Return a finished case's slot to the free stack."""
    slot_set(im, slot, S_CASE, -1)
    im[im[HI_FREE] + sc_get(im, SC_NFREE)] = slot
    sc_add(im, SC_NFREE, 1)


def end_work(im: Any, fm: Any, M32: Any, MI: Any, slot: int, t: float) -> tuple[int, int, int, int]:
    """The slot's step is done at ``t``: its work counted, ``step_completed`` emitted and
    the worker freed. Returns (case, step, worker, role)."""
    case, step = slot_get(im, slot, S_CASE), slot_get(im, slot, S_STEP)
    worker, role = slot_get(im, slot, S_WORKER), step_get(im, step, SI_ROLE)
    started = slotf_get(im, fm, slot, SF_STARTED)
    work = step_get(im, step, SI_WORK)
    add_minutes(M32, case, M_WORK + work, t - started)
    MI[case, MI_STEPS] += 1
    emit(im, fm, EV_STEP_COMPLETED, case, step, worker, role, work, 0, t, started)
    if worker >= 0:
        im[im[HI_BUSY] + worker] = 0
        role_state_set(im, role, RS_FREE, role_state(im, role, RS_FREE) + 1)
    return case, step, worker, role


def done(im: Any, fm: Any, CF: Any, M32: Any, MI: Any, CB: Any, slot: int, t: float) -> None:
    """Work on the step ends: free the worker, choose the move, start the next wait."""
    case, step, worker, role = end_work(im, fm, M32, MI, slot, t)
    checkpoint = step_get(im, step, SI_CP)
    if MI[case, MI_STEPS] >= MAX_CASE_STEPS:  # a loop that never ends (it may take no time)
        transition = -1
    elif checkpoint >= 0:
        transition = decide(im, fm, CB, MI, slot, checkpoint, t)
    else:
        transition = choose(im, fm, CB, slot, case, step, slot_get(im, slot, S_OCC))
    if transition < 0:
        sc_add(im, SC_STUCK, 1)
        MI[case, MI_OUTCOME] = OUTCOME_STUCK
        free_slot(im, slot)
    else:
        move(im, fm, CF, M32, MI, slot, transition, worker, t)
    if role >= 0:
        dispatch(im, fm, CF, M32, MI, role, t)


def move(
    im: Any, fm: Any, CF: Any, M32: Any, MI: Any, slot: int, transition: int, worker: int, t: float
) -> None:
    """Take ``transition``: log it, reach an outcome or start the declared wait."""
    case, step = slot_get(im, slot, S_CASE), slot_get(im, slot, S_STEP)
    role = step_get(im, step, SI_ROLE)
    emit(im, fm, EV_TRANSITIONED, case, step, transition, worker, role, 0, t, t)
    demand = tr_get(im, transition, TI_DEMAND)
    if demand >= 0:  # the move is failure demand (a loop back to the front door...)
        MI[case, MI_FAILURE + demand] += 1
        target_step = tr_get(im, transition, TI_TARGET)
        emit(
            im, fm, EV_FAILURE_DEMAND, case, target_step, demand, NOTE_MOVE + transition, 0, 0, t, t
        )
    for k in range(tr_get(im, transition, TI_ALSO_START), tr_get(im, transition, TI_ALSO_END)):
        sc_add(im, SC_PENDRET, 1)  # a concurrent referral opens at once (after this event)
        heap_push(im, fm, t, K_REFER, -1, case * REFER_SHIFT + im[im[HI_ALSO] + k])
    slot_set(im, slot, S_PREV_WORKER, worker)
    slot_set(im, slot, S_PREV_STEP, step)
    slot_set(im, slot, S_HAS_VISIT, 1 if step_get(im, step, SI_VISIT) != 0 else 0)
    slotf_set(im, fm, slot, SF_LASTVISIT, t)
    target = tr_get(im, transition, TI_TARGET)
    occurrence = slot_get(im, slot, S_OCC)
    slot_set(im, slot, S_STEP, target)
    slot_set(im, slot, S_TR, transition)
    slot_set(im, slot, S_ATTEMPT, 0)
    slot_set(im, slot, S_BY_CLIENT, 0)
    slot_set(im, slot, S_WAITOCC, occurrence)
    dist = tr_get(im, transition, TI_WAIT)
    if step_get(im, target, SI_OUTCOME) != 0 and dist < 0:
        reach_outcome(im, fm, CF, MI, slot, t)
        return
    wait_id = new_wait(im, fm, slot)
    slotf_set(im, fm, slot, SF_T0, t)
    wait = 0.0
    if dist >= 0:
        key = tr_get(im, transition, TI_KEY)
        wait = sample(im, fm, dist, slot_draw(im, slot, PURPOSE_WAIT, key, occurrence * 4096))
    chase = trf_get(im, fm, transition, TF_CHASE)
    if chase > 0.0:
        if chase <= wait:
            heap_push(im, fm, t + chase, K_CHASE, slot, wait_id)
        else:
            slot_set(im, slot, S_CHASE_DUE, 1)
    if wait > 0.0:
        begin_segment(im, fm, slot, tr_get(im, transition, TI_CAUSE), t)
        heap_push(im, fm, t + wait, K_READY, slot, 0)
    else:
        ready(im, fm, CF, M32, MI, slot, t)


def chased(im: Any, fm: Any, MI: Any, slot: int, wait_id: int, t: float) -> None:
    """A full ``chase_after`` of waiting has passed: the person chases progress."""
    case = slot_get(im, slot, S_CASE)
    if case < 0 or slot_get(im, slot, S_WAITID) != wait_id:
        return
    MI[case, MI_FAILURE + FD_CHASE] += 1
    emit(im, fm, EV_FAILURE_DEMAND, case, slot_get(im, slot, S_STEP), FD_CHASE, 0, 0, 0, t, t)
    chase = trf_get(im, fm, slot_get(im, slot, S_TR), TF_CHASE)
    heap_push(im, fm, t + chase, K_CHASE, slot, wait_id)


def woken(im: Any, fm: Any, CF: Any, M32: Any, MI: Any, slot: int, wait_id: int, t: float) -> None:
    """A queued case's gate has opened: let its role dispatch."""
    if slot_get(im, slot, S_CASE) < 0 or slot_get(im, slot, S_WAITID) != wait_id:
        return
    slotf_set(im, fm, slot, SF_WAKE, -1.0)
    if slot_get(im, slot, S_QUEUED) != 0:
        role = step_get(im, slot_get(im, slot, S_STEP), SI_ROLE)
        if slot_get(im, slot, S_SEGCAUSE) == CAUSE_CONTINUITY and _named_expired(
            im, fm, role, slot, t
        ):
            close_segment(im, fm, M32, slot, t)  # from now it waits for any worker
            begin_segment(im, fm, slot, CAUSE_CAPACITY, t)
        dispatch(im, fm, CF, M32, MI, role, t)


# ------------------------------------------------------------------ checkpoint rules


def cp_state(im: Any, slot: int, checkpoint: int) -> int:
    """Where the case's state for a checkpoint's rules starts (``SCP_*`` columns)."""
    return int(im[HI_SLOTCP] + (slot * im[HI_NCP] + checkpoint) * N_SCP)


def round_end(im: Any, fm: Any, calendar: int, t: float) -> float:
    """The end of the round open at ``t``: the calendar's window containing ``t``, cut
    at the next midnight (``t`` itself if the calendar is closed then)."""
    weekoff = scf_get(im, fm, SCF_WEEKOFF)
    row = im[HI_CAL] + calendar * N_CAL
    w0 = im[HF_WIN] + 2 * im[row + CAL_WIN_OFF]
    shifted = t + weekoff
    week = math.floor(shifted / WEEK)
    minute = shifted - week * WEEK
    midnight = (math.floor(t / DAY) + 1.0) * DAY
    for j in range(im[row + CAL_WIN_N]):
        if fm[w0 + 2 * j] <= minute < fm[w0 + 2 * j + 1]:
            return float(min(week * WEEK + fm[w0 + 2 * j + 1] - weekoff, midnight))
    return t


def gate_opens(im: Any, fm: Any, slot: int, step: int, t: float) -> float:
    """When the case may start ``step``: its gate's next opening, and at a checkpoint
    with rounds not before the round of the case's last decision there has ended."""
    gate = step_get(im, step, SI_GATE)
    opens = next_open(im, fm, gate, t)
    checkpoint = step_get(im, step, SI_CP)
    if checkpoint >= 0:
        not_before = float(im[cp_state(im, slot, checkpoint) + SCP_NOT_BEFORE])
        if opens < not_before:
            opens = next_open(im, fm, gate, not_before)
    return opens


def lapse_time(im: Any, fm: Any, step: int, t: float, finish: float) -> float:
    """When a review begun at ``t`` and due to finish at ``finish`` lapses: its round's
    end if that comes first (-1: it does not lapse, or the step has no rounds)."""
    checkpoint = step_get(im, step, SI_CP)
    if checkpoint < 0:
        return -1.0
    rounds = im[im[HI_CP] + checkpoint * N_CI + CI_ROUNDS]
    if rounds < 0:
        return -1.0
    closes = round_end(im, fm, rounds, t)
    return closes if finish > closes else -1.0


def lapse(im: Any, fm: Any, CF: Any, M32: Any, MI: Any, slot: int, t: float) -> None:
    """The round closed before the review's decision: the work so far is done, the case
    moves back to the step by the lapse row and waits for a later round."""
    _case, step, worker, role = end_work(im, fm, M32, MI, slot, t)
    checkpoint = step_get(im, step, SI_CP)
    transition = int(im[im[HI_CP] + checkpoint * N_CI + CI_LAPSE])
    move(im, fm, CF, M32, MI, slot, transition, worker, t)
    if role >= 0:
        dispatch(im, fm, CF, M32, MI, role, t)


def _clear_slot(im: Any, fm: Any, slot: int) -> None:
    """Reset every field of a slot for a new case."""
    base = im[HI_SLOT] + slot * N_S
    for column in range(N_S):
        im[base + column] = 0
    for column in range(N_SF):
        fm[im[HF_SLOT] + slot * N_SF + column] = 0.0
    roles, steps, words = im[HI_ROLES], im[HI_STEPS], im[HI_WORDS]
    for r in range(roles):
        im[im[HI_SLOTRW] + slot * roles + r] = -1
    for s in range(steps):
        im[im[HI_SLOTOCC] + slot * steps + s] = 0
    for w in range(words):
        im[im[HI_SLOTCOL] + slot * words + w] = 0
    for c in range(im[HI_NCP] * N_SCP):
        im[im[HI_SLOTCP] + slot * im[HI_NCP] * N_SCP + c] = 0


def arrive(im: Any, fm: Any, CF: Any, M32: Any, MI: Any, case: int, t: float) -> None:
    """A new case arrives at the start step; the next arrival is scheduled."""
    slot = enter(im, fm, case, 0, 0, t, sc_get(im, SC_START_STEP), 0)
    sc_add(im, SC_ARRIVED, 1)
    if case + 1 < sc_get(im, SC_NCASES):
        heap_push(im, fm, CF[case + 1, MF_ARRIVAL], K_ARRIVAL, -1, case + 1)
    ready(im, fm, CF, M32, MI, slot, t)


def come_back(im: Any, fm: Any, CF: Any, M32: Any, MI: Any, CB: Any, aux: int, t: float) -> None:
    """A person comes back after an outcome: a new case (the next free row) of the same
    person, with the same facts, failure demand of the kind the outcome says."""
    origin, demand = aux >> 2, aux & 3
    row = sc_get(im, SC_NROWS)
    sc_add(im, SC_NROWS, 1)
    sc_add(im, SC_PENDRET, -1)
    sc_add(im, SC_RETURNED, 1)
    person = int(CF[origin, MF_PERSON])
    CF[row, MF_ARRIVAL] = t
    CF[row, MF_PERSON] = person
    for column in range(CB.shape[1]):
        CB[row, column] = CB[origin, column]
    if demand > 0:
        MI[row, MI_FAILURE + demand - 1] += 1
    slot = enter(im, fm, row, person + 1, demand, t, sc_get(im, SC_START_STEP), 0)
    worker = int(CF[origin, MF_WORKER])
    if worker >= 0:
        prefer(im, slot, worker)
    ready(im, fm, CF, M32, MI, slot, t)


def refer(im: Any, fm: Any, CF: Any, M32: Any, MI: Any, CB: Any, aux: int, t: float) -> None:
    """A concurrent referral opens: a new case (the next free row) of the same person,
    with the same facts, a new value demand starting at the step the move named."""
    origin, start = aux // REFER_SHIFT, aux % REFER_SHIFT
    row = sc_get(im, SC_NROWS)
    sc_add(im, SC_NROWS, 1)
    sc_add(im, SC_PENDRET, -1)
    sc_add(im, SC_REFERRED, 1)
    person = int(CF[origin, MF_PERSON])
    CF[row, MF_ARRIVAL] = t
    CF[row, MF_PERSON] = person
    CF[row, MF_REFERRED] = origin
    for column in range(CB.shape[1]):
        CB[row, column] = CB[origin, column]
    slot = enter(im, fm, row, person + 1, 0, t, start, origin + 1)
    ready(im, fm, CF, M32, MI, slot, t)


def prefer(im: Any, slot: int, worker: int) -> None:
    """Make ``worker`` the case's preferred worker in their role (see pick_worker)."""
    for role in range(im[HI_ROLES]):
        row = im[HI_ROLE] + role * N_RI
        if im[row + RI_W0] <= worker < im[row + RI_W0] + im[row + RI_CAP]:
            im[im[HI_SLOTRW] + slot * im[HI_ROLES] + role] = worker


def enter(
    im: Any, fm: Any, case: int, person: int, demand: int, t: float, start: int, referred: int
) -> int:
    """A case takes a free slot at step ``start``; return the slot. ``person`` is the
    row of the person's first demand plus one (0: the case itself), ``demand`` the
    failure demand it is plus one (0: none), ``referred`` the row of the case whose move
    opened it as a referral plus one (0: none), all logged on its case_started event."""
    sc_add(im, SC_NFREE, -1)
    slot = int(im[im[HI_FREE] + sc_get(im, SC_NFREE)])
    lane_a, lane_b = case_lanes(sc_get(im, SC_INITA), sc_get(im, SC_INITB), case)
    _clear_slot(im, fm, slot)
    slot_set(im, slot, S_CASE, case)
    slot_set(im, slot, S_STEP, start)
    slot_set(im, slot, S_TR, -1)
    slot_set(im, slot, S_SEGCAUSE, -1)
    slot_set(im, slot, S_WORKER, -1)
    slot_set(im, slot, S_PREV_WORKER, -1)
    slot_set(im, slot, S_PREV_STEP, -1)
    slot_set(im, slot, S_QNEXT, -1)
    slot_set(im, slot, S_QPREV, -1)
    slot_set(im, slot, S_LANEA, lane_a)
    slot_set(im, slot, S_LANEB, lane_b)
    new_wait(im, fm, slot)
    emit(im, fm, EV_CASE_STARTED, case, start, person, demand, referred, 0, t, t)
    return slot


# ------------------------------------------------------------------------------ cohort


def fill_uniforms(out: Any, init_a: int, init_b: int, first: int, purpose: int, key: int) -> None:
    """``out[i]`` = the cohort-stream uniform of case ``first + i`` (occurrence 0)."""
    for i in range(out.shape[0]):
        lane_a, lane_b = case_lanes(init_a, init_b, first + i)
        out[i] = draw(lane_a, lane_b, purpose, key, 0)


# ------------------------------------------------------------------------------ kernel


def run_kernel(im: Any, fm: Any, CF: Any, M32: Any, MI: Any, CB: Any) -> int:
    """Process events in time order until done or Python must act; return a status."""
    horizon = scf_get(im, fm, SCF_HORIZON)
    while True:
        if sc_get(im, SC_NHEAP) == 0:
            return ST_DONE
        t = float(fm[im[HF_HEAP]])
        if t > horizon:
            return ST_DONE
        row = im[HI_REC] + (im[im[HI_HEAP]] & REC_MASK) * N_H
        kind = im[row + H_KIND]
        if kind == K_ARRIVAL:
            if sc_get(im, SC_NFREE) == 0:
                return ST_SLOTS
            if sc_get(im, SC_ARRIVED) >= sc_get(im, SC_PAUSE_AT):
                return ST_PAUSE
        room = sc_get(im, SC_RETROOM)
        if room > 0 and sc_get(im, SC_PENDRET) + sc_get(im, SC_ALSOMAX) >= room:
            return ST_SLOTS  # the heap keeps room for one more return and a move's referrals
        if kind == K_RETURN or kind == K_REFER:  # noqa: SIM109 (plain compares for numba)
            if sc_get(im, SC_NFREE) == 0:
                return ST_SLOTS
            if sc_get(im, SC_NROWS) >= sc_get(im, SC_CASEROWS):
                return ST_CASES
        room = sc_get(im, SC_BUFCAP) - sc_get(im, SC_NBUF)
        if sc_get(im, SC_EMIT) != 0 and room < sc_get(im, SC_RESERVE):
            return ST_FLUSH
        slot, aux = int(im[row + H_SLOT]), int(im[row + H_AUX])
        heap_pop(im, fm)
        fm[im[HF_SCF] + SCF_NOW] = t
        if kind == K_DONE:
            done(im, fm, CF, M32, MI, CB, slot, t)
        elif kind == K_READY:
            ready(im, fm, CF, M32, MI, slot, t)
        elif kind == K_GATE:
            close_segment(im, fm, M32, slot, t)
            at_gate(im, fm, CF, M32, MI, slot, t)
        elif kind == K_ARRIVAL:
            arrive(im, fm, CF, M32, MI, aux, t)
        elif kind == K_MISS:
            missed(im, fm, M32, MI, slot, t)
        elif kind == K_CHASE:
            chased(im, fm, MI, slot, aux, t)
        elif kind == K_RETURN:
            come_back(im, fm, CF, M32, MI, CB, aux, t)
        elif kind == K_REFER:
            refer(im, fm, CF, M32, MI, CB, aux, t)
        elif kind == K_LAPSE:
            lapse(im, fm, CF, M32, MI, slot, t)
        else:
            woken(im, fm, CF, M32, MI, slot, aux, t)


#: Every function of this module the compiled kernel needs (numba compiles lazily).
KERNEL_FUNCTIONS = (
    "step_get",
    "tr_get",
    "trf_get",
    "slot_get",
    "slot_set",
    "slotf_get",
    "slotf_set",
    "sc_get",
    "sc_add",
    "scf_get",
    "add_minutes",
    "role_state",
    "role_state_set",
    "heap_push",
    "heap_pop",
    "_closed_day",
    "next_open",
    "sample",
    "_triangular",
    "slot_draw",
    "emit",
    "close_segment",
    "begin_segment",
    "new_wait",
    "enqueue",
    "dequeue",
    "pick_worker",
    "_named_expired",
    "_await_named",
    "_named_deadline",
    "dispatch",
    "_repeated",
    "start_step",
    "_handoff_at",
    "_requested",
    "_attend",
    "arm_chase",
    "reach_outcome",
    "schedule_return",
    "ready",
    "booked",
    "missed",
    "at_gate",
    "_eligible",
    "choose",
    "decide",
    "free_slot",
    "end_work",
    "done",
    "move",
    "chased",
    "woken",
    "cp_state",
    "round_end",
    "gate_opens",
    "lapse_time",
    "lapse",
    "_clear_slot",
    "arrive",
    "come_back",
    "refer",
    "prefer",
    "enter",
    "run_kernel",
    "fill_uniforms",
)
