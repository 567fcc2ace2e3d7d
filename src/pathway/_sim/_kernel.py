"""The simulator's event loop: one kernel over numpy arrays, pure Python or numba-compiled.

Everything here is written in the subset of Python that numba compiles: numpy arrays,
ints, floats and tuples of arrays; no Python objects, no generators, no allocation per
event. :func:`run_kernel` is the reference path as written; :mod:`pathway._sim._fast`
compiles copies of these same functions with numba. A test runs both on small cohorts and
checks they agree event for event.

The arrays travel in three tuples (column numbers are in :mod:`pathway._sim._layout`):

* ``P`` the plan and cohort (read only): step, transition, checkpoint, distribution,
  calendar and role tables; arrival times; the guard and automatic-answer matrices.
* ``S`` the state: case slots, the event heap, worker and role state, scalars.
* ``O`` the outputs: per-case measure arrays and the event buffer.

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
    CI_NQ,
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
    H_SEQ,
    H_SLOT,
    K_ARRIVAL,
    K_CHASE,
    K_DONE,
    K_GATE,
    K_MISS,
    K_READY,
    K_WAKE,
    M_MILESTONE,
    M_WAIT,
    M_WORK,
    MAX_QUESTIONS,
    MF_ARRIVAL,
    MF_END,
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
    OUTCOME_STUCK,
    RI_CAP,
    RI_W0,
    RS_FREE,
    RS_HEAD,
    RS_TAIL,
    S_ATTEMPT,
    S_ATTEND,
    S_CASE,
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
    SC_ARRIVED,
    SC_BUFCAP,
    SC_EMIT,
    SC_FINISHED,
    SC_INITA,
    SC_INITB,
    SC_NBUF,
    SC_NCASES,
    SC_NEXT_CASE,
    SC_NFREE,
    SC_NHEAP,
    SC_PAUSE_AT,
    SC_PRODUCED,
    SC_RESERVE,
    SC_SEQ,
    SC_START_STEP,
    SC_STUCK,
    SC_WAITID,
    SCF_HORIZON,
    SCF_NOW,
    SCF_SAMEVISIT,
    SCF_WEEKOFF,
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
    SI_ROLE,
    SI_VISIT,
    SI_WORK,
    ST_DONE,
    ST_FLUSH,
    ST_PAUSE,
    ST_SLOTS,
    TF_CHASE,
    TF_DNA,
    TF_WEIGHT,
    TI_BOOKED,
    TI_CAUSE,
    TI_GUARD,
    TI_HANDOFF,
    TI_KEY,
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
    PURPOSE_WAIT,
    case_lanes,
    draw,
    ppnd,
)

__all__ = ["KERNEL_FUNCTIONS", "run_kernel"]

Arrays = tuple[Any, ...]

# ------------------------------------------------------------------------------ heap


def heap_push(S: Arrays, t: float, kind: int, slot: int, aux: int) -> None:
    """Schedule an event; ties in time keep scheduling order (sequence numbers)."""
    heap_t, heap_i, sc = S[6], S[7], S[10]
    seq = sc[SC_SEQ]
    sc[SC_SEQ] = seq + 1
    i = sc[SC_NHEAP]
    sc[SC_NHEAP] = i + 1
    while i > 0:
        parent = (i - 1) >> 1
        before = heap_t[parent]
        if before < t or (before == t and heap_i[parent, H_SEQ] < seq):
            break
        heap_t[i] = before
        heap_i[i, H_SEQ] = heap_i[parent, H_SEQ]
        heap_i[i, H_KIND] = heap_i[parent, H_KIND]
        heap_i[i, H_SLOT] = heap_i[parent, H_SLOT]
        heap_i[i, H_AUX] = heap_i[parent, H_AUX]
        i = parent
    heap_t[i] = t
    heap_i[i, H_SEQ] = seq
    heap_i[i, H_KIND] = kind
    heap_i[i, H_SLOT] = slot
    heap_i[i, H_AUX] = aux


def _earlier(heap_t: Any, heap_i: Any, a: int, b: int) -> bool:
    """Whether heap entry ``a`` comes before entry ``b``."""
    return heap_t[a] < heap_t[b] or (heap_t[a] == heap_t[b] and heap_i[a, H_SEQ] < heap_i[b, H_SEQ])


def heap_pop(S: Arrays) -> None:
    """Remove the earliest event (the caller has read it at index 0)."""
    heap_t, heap_i, sc = S[6], S[7], S[10]
    n = sc[SC_NHEAP] - 1
    sc[SC_NHEAP] = n
    if n == 0:
        return
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and _earlier(heap_t, heap_i, child + 1, child):
            child += 1
        if not _earlier(heap_t, heap_i, child, n):
            break
        heap_t[i] = heap_t[child]
        heap_i[i, H_SEQ] = heap_i[child, H_SEQ]
        heap_i[i, H_KIND] = heap_i[child, H_KIND]
        heap_i[i, H_SLOT] = heap_i[child, H_SLOT]
        heap_i[i, H_AUX] = heap_i[child, H_AUX]
        i = child
    heap_t[i] = heap_t[n]
    heap_i[i, H_SEQ] = heap_i[n, H_SEQ]
    heap_i[i, H_KIND] = heap_i[n, H_KIND]
    heap_i[i, H_SLOT] = heap_i[n, H_SLOT]
    heap_i[i, H_AUX] = heap_i[n, H_AUX]


# -------------------------------------------------------------------------- calendar


def _closed_day(clos: Any, first: int, count: int, day: int) -> bool:
    """Binary search of a calendar's sorted closure days."""
    low, high = first, first + count
    while low < high:
        middle = (low + high) >> 1
        if clos[middle] < day:
            low = middle + 1
        else:
            high = middle
    return low < first + count and clos[low] == day


def next_open(P: Arrays, calendar: int, t: float, weekoff: float) -> float:
    """``t`` if ``calendar`` is open at ``t``, else when it next opens (-1: always open).

    Windows are minute-of-week ``[start, end)`` intervals from Monday 00:00; ``weekoff``
    is the start date's minutes after its Monday. Closure days (days since the start
    date) close whole days. Calendars are checked to have open time before a run.
    """
    if calendar < 0:
        return t
    cal_i, win, clos = P[13], P[14], P[15]
    w0, nw = cal_i[calendar, CAL_WIN_OFF], cal_i[calendar, CAL_WIN_N]
    c0, nc = cal_i[calendar, CAL_CLOS_OFF], cal_i[calendar, CAL_CLOS_N]
    candidate = t
    while True:
        shifted = candidate + weekoff
        week = math.floor(shifted / WEEK)
        minute = shifted - week * WEEK
        found = candidate
        placed = False
        for j in range(w0, w0 + nw):
            if win[j, 1] > minute:
                if win[j, 0] > minute:
                    found = week * WEEK + win[j, 0] - weekoff
                placed = True
                break
        if not placed:
            found = (week + 1) * WEEK + win[w0, 0] - weekoff
        if nc == 0:
            return found
        day = math.floor(found / DAY)
        if not _closed_day(clos, c0, nc, day):
            return found
        candidate = (day + 1) * DAY


# ----------------------------------------------------------------------- distributions


def sample(P: Arrays, dist: int, u: float) -> float:
    """A draw from distribution ``dist`` by inversion of the uniform ``u`` (-1: zero)."""
    if dist < 0:
        return 0.0
    dist_k, dist_f, emp_val, emp_cum = P[9], P[10], P[11], P[12]
    kind = dist_k[dist]
    a = dist_f[dist, 0]
    if kind == D_FIXED:
        return a
    b = dist_f[dist, 1]
    if kind == D_UNIFORM:
        return a + u * (b - a)
    if kind == D_EXPONENTIAL:
        return -a * math.log(1.0 - u)
    if kind == D_LOGNORMAL:
        return math.exp(a + b * ppnd(u))
    if kind == D_TRIANGULAR:
        return _triangular(a, b, dist_f[dist, 2], u)
    first, count = int(a), int(b)
    target = u * emp_cum[first + count - 1]
    for j in range(first, first + count):
        if target < emp_cum[j]:
            return emp_val[j]
    return emp_val[first + count - 1]


def _triangular(low: float, mode: float, high: float, u: float) -> float:
    """Inverse CDF of the triangular distribution."""
    span = high - low
    if span <= 0.0:
        return low
    if u * span < mode - low:
        return low + math.sqrt(u * span * (mode - low))
    return high - math.sqrt((1.0 - u) * span * (high - mode))


def slot_draw(S: Arrays, slot: int, purpose: int, key: int, occurrence: int) -> float:
    """The case's uniform for ``(purpose, key, occurrence)``."""
    slot_i = S[0]
    return float(draw(slot_i[slot, S_LANEA], slot_i[slot, S_LANEB], purpose, key, occurrence))


# ------------------------------------------------------------------------------ events


def emit(
    S: Arrays,
    O: Arrays,
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
    sc = S[10]
    sc[SC_PRODUCED] += 1
    if sc[SC_EMIT] == 0:
        return
    ev_i, ev_f = O[3], O[4]
    n = sc[SC_NBUF]
    ev_i[n, E_KIND] = kind
    ev_i[n, E_CASE] = case
    ev_i[n, E_STEP] = step
    ev_i[n, E_A1] = a1
    ev_i[n, E_A2] = a2
    ev_i[n, E_A3] = a3
    ev_i[n, E_A4] = a4
    ev_f[n, EF_AT] = at
    ev_f[n, EF_STARTED] = started
    sc[SC_NBUF] = n + 1


def close_segment(S: Arrays, O: Arrays, slot: int, t: float) -> None:
    """End the open wait segment at ``t``: add it to the case's waits and log it."""
    slot_i, slot_f = S[0], S[4]
    cause = slot_i[slot, S_SEGCAUSE]
    if cause < 0:
        return
    began = slot_f[slot, SF_SEGT]
    if t > began:
        case = slot_i[slot, S_CASE]
        m_f32 = O[1]
        m_f32[case, M_WAIT + cause] += t - began
        emit(S, O, EV_WAITED, case, slot_i[slot, S_STEP], cause, 0, 0, 0, t, began)
    slot_i[slot, S_SEGCAUSE] = -1


def begin_segment(S: Arrays, slot: int, cause: int, t: float) -> None:
    """Open a wait segment of ``cause`` at ``t``."""
    S[0][slot, S_SEGCAUSE] = cause
    S[4][slot, SF_SEGT] = t


def new_wait(S: Arrays, slot: int) -> int:
    """Give the case a new wait id (pending chase and wake-up events become stale)."""
    sc = S[10]
    sc[SC_WAITID] += 1
    S[0][slot, S_WAITID] = sc[SC_WAITID]
    S[4][slot, SF_WAKE] = -1.0
    return int(sc[SC_WAITID])


# ------------------------------------------------------------------------------ queues


def enqueue(S: Arrays, role: int, slot: int) -> None:
    """Append a case to its role's FIFO queue."""
    slot_i, role_s = S[0], S[9]
    tail = role_s[role, RS_TAIL]
    slot_i[slot, S_QUEUED] = 1
    slot_i[slot, S_QPREV] = tail
    slot_i[slot, S_QNEXT] = -1
    if tail >= 0:
        slot_i[tail, S_QNEXT] = slot
    else:
        role_s[role, RS_HEAD] = slot
    role_s[role, RS_TAIL] = slot


def dequeue(S: Arrays, role: int, slot: int) -> None:
    """Take a case out of its role's queue, wherever it is."""
    slot_i, role_s = S[0], S[9]
    before, after = slot_i[slot, S_QPREV], slot_i[slot, S_QNEXT]
    if before >= 0:
        slot_i[before, S_QNEXT] = after
    else:
        role_s[role, RS_HEAD] = after
    if after >= 0:
        slot_i[after, S_QPREV] = before
    else:
        role_s[role, RS_TAIL] = before
    slot_i[slot, S_QUEUED] = 0


def pick_worker(P: Arrays, S: Arrays, role: int, slot: int) -> int:
    """The worker who last served this case in this role if free, else the lowest free."""
    role_i, slot_rw, busy = P[16], S[1], S[8]
    preferred = slot_rw[slot, role]
    if preferred >= 0 and busy[preferred] == 0:
        return int(preferred)
    first = role_i[role, RI_W0]
    for worker in range(first, first + role_i[role, RI_CAP]):
        if busy[worker] == 0:
            return worker
    return -1


def dispatch(P: Arrays, S: Arrays, O: Arrays, role: int, t: float) -> None:
    """Give free workers of ``role`` the earliest queued cases whose step can start now.

    A case whose start gate is shut is passed over (it does not block those behind it)
    and gets a wake-up at its gate's next opening.
    """
    step_i = P[0]
    slot_i, slot_f, role_s, scf = S[0], S[4], S[9], S[11]
    slot = role_s[role, RS_HEAD]
    while slot >= 0 and role_s[role, RS_FREE] > 0:
        following = slot_i[slot, S_QNEXT]
        gate = step_i[slot_i[slot, S_STEP], SI_GATE]
        opens = next_open(P, gate, t, scf[SCF_WEEKOFF])
        if opens == t:
            worker = pick_worker(P, S, role, slot)
            dequeue(S, role, slot)
            start_step(P, S, O, slot, worker, t)
        elif slot_f[slot, SF_WAKE] <= t:
            slot_f[slot, SF_WAKE] = opens
            heap_push(S, opens, K_WAKE, slot, slot_i[slot, S_WAITID])
        slot = following


# ------------------------------------------------------------------------------- steps


def start_step(P: Arrays, S: Arrays, O: Arrays, slot: int, worker: int, t: float) -> None:
    """Work on the case's step begins: close the wait, count the visit and hand-off."""
    step_i, step_mask, tr_i = P[0], P[1], P[2]
    slot_i, slot_rw, slot_occ, slot_col, slot_f, busy = S[0], S[1], S[2], S[3], S[4], S[8]
    role_s = S[9]
    m_f64, m_f32, m_i32 = O[0], O[1], O[2]
    close_segment(S, O, slot, t)
    new_wait(S, slot)
    case, step = slot_i[slot, S_CASE], slot_i[slot, S_STEP]
    role = step_i[step, SI_ROLE]
    occurrence = slot_occ[slot, step]
    slot_occ[slot, step] = occurrence + 1
    slot_i[slot, S_OCC] = occurrence
    transition = slot_i[slot, S_TR]
    if step_i[step, SI_VISIT] != 0:
        _attend(P, S, O, slot, case, step, transition, t)
    if transition >= 0:
        level = tr_i[transition, TI_HANDOFF]
        previous = slot_i[slot, S_PREV_WORKER]
        if level == 0 and worker >= 0 and previous >= 0 and worker != previous:
            level = 1
        if level > 0:
            m_i32[case, MI_HANDOFF + level - 1] += 1
            emit(S, O, EV_HANDOFF, case, step, slot_i[slot, S_PREV_STEP], previous, worker, level, t, t)
    repeated = 0
    for word in range(step_mask.shape[1]):
        overlap = slot_col[slot, word] & step_mask[step, word]
        while overlap != 0:
            overlap &= overlap - 1
            repeated += 1
        slot_col[slot, word] |= step_mask[step, word]
    m_i32[case, MI_REPEATED] += repeated
    milestone = step_i[step, SI_MILESTONE]
    if milestone >= 0 and math.isnan(m_f32[case, M_MILESTONE + milestone]):
        m_f32[case, M_MILESTONE + milestone] = t - m_f64[case, MF_ARRIVAL]
    emit(S, O, EV_STEP_STARTED, case, step, worker, role, 0, 0, t, t)
    if worker >= 0:
        busy[worker] = 1
        role_s[role, RS_FREE] -= 1
        slot_rw[slot, role] = worker
    slot_i[slot, S_WORKER] = worker
    u = slot_draw(S, slot, PURPOSE_DURATION, step_i[step, SI_KEY], occurrence)
    duration = sample(P, step_i[step, SI_DUR], u)
    slot_f[slot, SF_STARTED] = t
    heap_push(S, t + duration, K_DONE, slot, 0)


def _attend(
    P: Arrays, S: Arrays, O: Arrays, slot: int, case: int, step: int, transition: int, t: float
) -> None:
    """A visit step starts: a new attendance unless the person is still on site."""
    step_i, tr_i = P[0], P[2]
    slot_i, slot_f, scf = S[0], S[4], S[11]
    m_i32 = O[2]
    if slot_i[slot, S_HAS_VISIT] != 0 and t - slot_f[slot, SF_LASTVISIT] <= scf[SCF_SAMEVISIT]:
        return
    attendance = slot_i[slot, S_ATTEND] + 1
    slot_i[slot, S_ATTEND] = attendance
    requested = step_i[step, SI_REQ]
    m_i32[case, MI_VISITS] += 1
    if requested == 1:
        m_i32[case, MI_VISITS_SERVICE] += 1
    elif requested == 2:
        m_i32[case, MI_VISITS_CLIENT] += 1
    if transition >= 0 and tr_i[transition, TI_BOOKED] != 0:
        m_i32[case, MI_APPOINTMENTS] += 1
    emit(S, O, EV_VISIT_ATTENDED, case, step, attendance, requested, 0, 0, t, t)


def ready(P: Arrays, S: Arrays, O: Arrays, slot: int, t: float) -> None:
    """The declared wait is over: the case wants its step (DNA, calendar, then queue)."""
    step_i, tr_i, tr_f = P[0], P[2], P[3]
    slot_i, scf = S[0], S[11]
    close_segment(S, O, slot, t)
    step = slot_i[slot, S_STEP]
    opens = next_open(P, step_i[step, SI_GATE], t, scf[SCF_WEEKOFF])
    transition = slot_i[slot, S_TR]
    if step_i[step, SI_VISIT] != 0 and transition >= 0 and tr_f[transition, TF_DNA] > 0.0:
        occurrence = slot_i[slot, S_WAITOCC] * 4096 + slot_i[slot, S_ATTEMPT]
        u = slot_draw(S, slot, PURPOSE_DNA, tr_i[transition, TI_KEY], occurrence)
        if u < tr_f[transition, TF_DNA]:
            if opens > t:
                begin_segment(S, slot, CAUSE_CALENDAR, t)
                heap_push(S, opens, K_MISS, slot, 0)
            else:
                missed(P, S, O, slot, t)
            return
    if opens > t:
        begin_segment(S, slot, CAUSE_CALENDAR, t)
        heap_push(S, opens, K_GATE, slot, 0)
    else:
        at_gate(P, S, O, slot, t)


def missed(P: Arrays, S: Arrays, O: Arrays, slot: int, t: float) -> None:
    """The person did not attend: a failure-demand rebooking and a new (client) wait."""
    step_i, tr_i = P[0], P[2]
    slot_i = S[0]
    m_i32 = O[2]
    close_segment(S, O, slot, t)
    case, step = slot_i[slot, S_CASE], slot_i[slot, S_STEP]
    transition = slot_i[slot, S_TR]
    m_i32[case, MI_DNAS] += 1
    emit(S, O, EV_VISIT_MISSED, case, step, step_i[step, SI_REQ], 0, 0, 0, t, t)
    m_i32[case, MI_FAILURE + FD_REBOOK] += 1
    emit(S, O, EV_FAILURE_DEMAND, case, step, FD_REBOOK, 0, 0, 0, t, t)
    attempt = slot_i[slot, S_ATTEMPT] + 1
    slot_i[slot, S_ATTEMPT] = attempt
    occurrence = slot_i[slot, S_WAITOCC] * 4096 + attempt
    u = slot_draw(S, slot, PURPOSE_REBOOK, tr_i[transition, TI_KEY], occurrence)
    wait = sample(P, tr_i[transition, TI_WAIT], u)
    slot_i[slot, S_HAS_VISIT] = 0
    begin_segment(S, slot, CAUSE_CLIENT, t)
    heap_push(S, t + wait, K_READY, slot, 0)


def at_gate(P: Arrays, S: Arrays, O: Arrays, slot: int, t: float) -> None:
    """The step's window is open: queue for a worker of its role (or start if unowned)."""
    step_i = P[0]
    slot_i = S[0]
    begin_segment(S, slot, CAUSE_CAPACITY, t)
    role = step_i[slot_i[slot, S_STEP], SI_ROLE]
    if role < 0:
        start_step(P, S, O, slot, -1, t)
        return
    enqueue(S, role, slot)
    dispatch(P, S, O, role, t)


def choose(P: Arrays, S: Arrays, slot: int, case: int, step: int, occurrence: int) -> int:
    """A transition out of ``step`` among those whose guards hold, by weight (-1: none)."""
    step_i, tr_i, tr_f, out_tr, guard = P[0], P[2], P[3], P[4], P[18]
    total, first, eligible = 0.0, -1, 0
    for j in range(step_i[step, SI_OUT_START], step_i[step, SI_OUT_END]):
        transition = out_tr[j]
        column = tr_i[transition, TI_GUARD]
        if column < 0 or guard[case, column] != 0:
            total += tr_f[transition, TF_WEIGHT]
            eligible += 1
            if first < 0:
                first = transition
    if eligible <= 1 or total <= 0.0:
        return int(first)
    target = slot_draw(S, slot, PURPOSE_BRANCH, step_i[step, SI_KEY], occurrence) * total
    running, last = 0.0, first
    for j in range(step_i[step, SI_OUT_START], step_i[step, SI_OUT_END]):
        transition = out_tr[j]
        column = tr_i[transition, TI_GUARD]
        weight = tr_f[transition, TF_WEIGHT]
        if (column < 0 or guard[case, column] != 0) and weight > 0.0:
            running += weight
            last = transition
            if target < running:
                return int(transition)
    return int(last)


def decide(P: Arrays, S: Arrays, O: Arrays, slot: int, checkpoint: int, t: float) -> int:
    """Answer a checkpoint's questions (facts or p_yes) and return its route's transition."""
    cp_i, cq_i, cq_f, route, auto = P[5], P[6], P[7], P[8], P[19]
    slot_i = S[0]
    m_i32 = O[2]
    case, step = slot_i[slot, S_CASE], slot_i[slot, S_STEP]
    occurrence = slot_i[slot, S_OCC]
    bits = 0
    for q in range(cp_i[checkpoint, CI_NQ]):
        column = cq_i[checkpoint, q]
        if column >= 0:
            yes = auto[case, column] != 0
        else:
            key = cq_i[checkpoint, MAX_QUESTIONS + q]
            yes = slot_draw(S, slot, PURPOSE_ANSWER, key, occurrence) < cq_f[checkpoint, q]
        if yes:
            bits |= 1 << q
    transition = route[cp_i[checkpoint, CI_TABLE] + bits]
    m_i32[case, MI_DECISIONS] += 1
    worker = slot_i[slot, S_WORKER]
    emit(S, O, EV_DECISION, case, step, checkpoint, bits, transition, worker, t, t)
    return int(transition)


def free_slot(S: Arrays, slot: int) -> None:
    """Return a finished case's slot to the free stack."""
    slot_i, free, sc = S[0], S[5], S[10]
    slot_i[slot, S_CASE] = -1
    free[sc[SC_NFREE]] = slot
    sc[SC_NFREE] += 1


def done(P: Arrays, S: Arrays, O: Arrays, slot: int, t: float) -> None:
    """Work on the step ends: free the worker, choose the move, start the next wait."""
    step_i = P[0]
    slot_i, slot_f, busy, role_s, sc = S[0], S[4], S[8], S[9], S[10]
    m_f32, m_i32 = O[1], O[2]
    case, step = slot_i[slot, S_CASE], slot_i[slot, S_STEP]
    worker, role = slot_i[slot, S_WORKER], step_i[step, SI_ROLE]
    started = slot_f[slot, SF_STARTED]
    work = step_i[step, SI_WORK]
    m_f32[case, M_WORK + work] += t - started
    m_i32[case, MI_STEPS] += 1
    emit(S, O, EV_STEP_COMPLETED, case, step, worker, role, work, 0, t, started)
    if worker >= 0:
        busy[worker] = 0
        role_s[role, RS_FREE] += 1
    checkpoint = step_i[step, SI_CP]
    if checkpoint >= 0:
        transition = decide(P, S, O, slot, checkpoint, t)
    else:
        transition = choose(P, S, slot, case, step, slot_i[slot, S_OCC])
    if transition < 0:
        sc[SC_STUCK] += 1
        m_i32[case, MI_OUTCOME] = OUTCOME_STUCK
        free_slot(S, slot)
    else:
        move(P, S, O, slot, transition, worker, t)
    if role >= 0:
        dispatch(P, S, O, role, t)


def move(P: Arrays, S: Arrays, O: Arrays, slot: int, transition: int, worker: int, t: float) -> None:
    """Take ``transition``: log it, reach an outcome or start the declared wait."""
    step_i, tr_i, tr_f = P[0], P[2], P[3]
    slot_i, slot_f, sc = S[0], S[4], S[10]
    m_f64, m_i32 = O[0], O[2]
    case, step = slot_i[slot, S_CASE], slot_i[slot, S_STEP]
    emit(S, O, EV_TRANSITIONED, case, step, transition, worker, step_i[step, SI_ROLE], 0, t, t)
    slot_i[slot, S_PREV_WORKER] = worker
    slot_i[slot, S_PREV_STEP] = step
    slot_i[slot, S_HAS_VISIT] = 1 if step_i[step, SI_VISIT] != 0 else 0
    slot_f[slot, SF_LASTVISIT] = t
    target = tr_i[transition, TI_TARGET]
    occurrence = slot_i[slot, S_OCC]
    slot_i[slot, S_STEP] = target
    slot_i[slot, S_TR] = transition
    slot_i[slot, S_ATTEMPT] = 0
    slot_i[slot, S_WAITOCC] = occurrence
    if step_i[target, SI_OUTCOME] != 0:
        emit(S, O, EV_OUTCOME_REACHED, case, target, 0, 0, 0, 0, t, t)
        m_f64[case, MF_END] = t
        m_i32[case, MI_OUTCOME] = step_i[target, SI_OUTCOME_IDX]
        sc[SC_FINISHED] += 1
        free_slot(S, slot)
        return
    wait_id = new_wait(S, slot)
    slot_f[slot, SF_T0] = t
    chase = tr_f[transition, TF_CHASE]
    if chase > 0.0:
        heap_push(S, t + chase, K_CHASE, slot, wait_id)
    wait = 0.0
    if tr_i[transition, TI_WAIT] >= 0:
        u = slot_draw(S, slot, PURPOSE_WAIT, tr_i[transition, TI_KEY], occurrence * 4096)
        wait = sample(P, tr_i[transition, TI_WAIT], u)
    if wait > 0.0:
        begin_segment(S, slot, tr_i[transition, TI_CAUSE], t)
        heap_push(S, t + wait, K_READY, slot, 0)
    else:
        ready(P, S, O, slot, t)


def chased(P: Arrays, S: Arrays, O: Arrays, slot: int, wait_id: int, t: float) -> None:
    """A full ``chase_after`` of waiting has passed: the person chases progress."""
    tr_f = P[3]
    slot_i = S[0]
    m_i32 = O[2]
    if slot_i[slot, S_CASE] < 0 or slot_i[slot, S_WAITID] != wait_id:
        return
    case = slot_i[slot, S_CASE]
    m_i32[case, MI_FAILURE + FD_CHASE] += 1
    emit(S, O, EV_FAILURE_DEMAND, case, slot_i[slot, S_STEP], FD_CHASE, 0, 0, 0, t, t)
    heap_push(S, t + tr_f[slot_i[slot, S_TR], TF_CHASE], K_CHASE, slot, wait_id)


def woken(P: Arrays, S: Arrays, O: Arrays, slot: int, wait_id: int, t: float) -> None:
    """A queued case's gate has opened: let its role dispatch."""
    step_i = P[0]
    slot_i, slot_f = S[0], S[4]
    if slot_i[slot, S_CASE] < 0 or slot_i[slot, S_WAITID] != wait_id:
        return
    slot_f[slot, SF_WAKE] = -1.0
    if slot_i[slot, S_QUEUED] != 0:
        dispatch(P, S, O, step_i[slot_i[slot, S_STEP], SI_ROLE], t)


def arrive(P: Arrays, S: Arrays, O: Arrays, case: int, t: float) -> None:
    """A new case arrives at the start step; the next arrival is scheduled."""
    arrival_t = P[17]
    slot_i, slot_rw, slot_occ, slot_col, slot_f, free, sc = S[0], S[1], S[2], S[3], S[4], S[5], S[10]
    m_f64 = O[0]
    sc[SC_NFREE] -= 1
    slot = free[sc[SC_NFREE]]
    start = sc[SC_START_STEP]
    lane_a, lane_b = case_lanes(sc[SC_INITA], sc[SC_INITB], case)
    for column in range(slot_i.shape[1]):
        slot_i[slot, column] = 0
    for column in range(slot_f.shape[1]):
        slot_f[slot, column] = 0.0
    slot_rw[slot, :] = -1
    slot_occ[slot, :] = 0
    slot_col[slot, :] = 0
    slot_i[slot, S_CASE] = case
    slot_i[slot, S_STEP] = start
    slot_i[slot, S_TR] = -1
    slot_i[slot, S_SEGCAUSE] = -1
    slot_i[slot, S_WORKER] = -1
    slot_i[slot, S_PREV_WORKER] = -1
    slot_i[slot, S_PREV_STEP] = -1
    slot_i[slot, S_QNEXT] = -1
    slot_i[slot, S_QPREV] = -1
    slot_i[slot, S_LANEA] = lane_a
    slot_i[slot, S_LANEB] = lane_b
    new_wait(S, slot)
    m_f64[case, MF_ARRIVAL] = t
    emit(S, O, EV_CASE_STARTED, case, start, 0, 0, 0, 0, t, t)
    sc[SC_ARRIVED] += 1
    if case + 1 < sc[SC_NCASES]:
        heap_push(S, arrival_t[case + 1], K_ARRIVAL, -1, case + 1)
    ready(P, S, O, slot, t)


# ------------------------------------------------------------------------------ kernel


def run_kernel(P: Arrays, S: Arrays, O: Arrays) -> int:
    """Process events in time order until done or Python must act; return a status."""
    heap_t, heap_i, sc, scf = S[6], S[7], S[10], S[11]
    while True:
        if sc[SC_NHEAP] == 0:
            return ST_DONE
        t = heap_t[0]
        if t > scf[SCF_HORIZON]:
            return ST_DONE
        kind = heap_i[0, H_KIND]
        if kind == K_ARRIVAL:
            if sc[SC_NFREE] == 0:
                return ST_SLOTS
            if sc[SC_ARRIVED] >= sc[SC_PAUSE_AT]:
                return ST_PAUSE
        if sc[SC_EMIT] != 0 and sc[SC_BUFCAP] - sc[SC_NBUF] < sc[SC_RESERVE]:
            return ST_FLUSH
        slot, aux = heap_i[0, H_SLOT], heap_i[0, H_AUX]
        heap_pop(S)
        scf[SCF_NOW] = t
        if kind == K_DONE:
            done(P, S, O, slot, t)
        elif kind == K_READY:
            ready(P, S, O, slot, t)
        elif kind == K_GATE:
            close_segment(S, O, slot, t)
            at_gate(P, S, O, slot, t)
        elif kind == K_ARRIVAL:
            arrive(P, S, O, aux, t)
        elif kind == K_MISS:
            missed(P, S, O, slot, t)
        elif kind == K_CHASE:
            chased(P, S, O, slot, aux, t)
        else:
            woken(P, S, O, slot, aux, t)


#: Every function the kernel calls, in an order numba can compile them (callees first).
KERNEL_FUNCTIONS = (
    "heap_push",
    "_earlier",
    "heap_pop",
    "_closed_day",
    "next_open",
    "_triangular",
    "sample",
    "slot_draw",
    "emit",
    "close_segment",
    "begin_segment",
    "new_wait",
    "enqueue",
    "dequeue",
    "pick_worker",
    "_attend",
    "start_step",
    "dispatch",
    "missed",
    "at_gate",
    "ready",
    "choose",
    "decide",
    "free_slot",
    "move",
    "done",
    "chased",
    "woken",
    "arrive",
    "run_kernel",
)
