"""Column numbers and codes shared by the kernel (compile-time constants) and Python.

The kernel works on a few 2-D numpy arrays instead of many 1-D ones; these names say
which column holds what. Codes follow the model's own orderings (``WAIT_CAUSES``,
``HANDOFF_LEVELS``) so Python can turn them back into names by indexing.
"""

from __future__ import annotations

# --- step table (int64 [steps, N_SI]) -------------------------------------------------
SI_ROLE = 0  # role index, -1 when the step has no owner
SI_GATE = 1  # calendar index of the start gate (step calendar and role duty), -1 = always
SI_VISIT = 2
SI_OUTCOME = 3
SI_WORK = 4  # 0 value, 1 waste1, 2 waste2, 3 waste3
SI_REQ = 5  # requested_by: 0 none, 1 service, 2 client
SI_DUR = 6  # distribution index, -1 = no time
SI_KEY = 7  # stable hash of the step id
SI_CP = 8  # checkpoint index or -1
SI_OUT_START = 9  # range in the outgoing-transitions list
SI_OUT_END = 10
SI_MILESTONE = 11  # milestone column or -1
SI_OUTCOME_IDX = 12  # index among outcome steps or -1
SI_RET_P = 13  # outcome steps: the chance the person returns, in units of 2**-52 (0: never)
SI_RET_DIST = 14  # distribution index of the delay before the return
SI_RET_DEMAND = 15  # the failure demand a return is: DEMANDS index + 1 (0: a new demand)
SI_RET_SAME = 16  # 1: the return goes back to the worker who last served the person
N_SI = 17
RET_SCALE = 4503599627370496.0  # 2**52: SI_RET_P's unit

# --- transition tables (int64 [transitions, N_TI], float64 [transitions, N_TF]) ---------
TI_SOURCE = 0
TI_TARGET = 1
TI_WAIT = 2  # distribution index or -1
TI_CAUSE = 3  # index into WAIT_CAUSES
TI_HANDOFF = 4  # index into HANDOFF_LEVELS
TI_KEY = 5  # stable hash of "trigger->target"
TI_GUARD = 6  # guard column in the cohort's guard matrix, or -1
TI_BOOKED = 7  # 1 when the declared cause is a booking (an appointment)
TI_REBOOK_WAIT = 8  # distribution index of the wait after a missed visit (-1: TI_WAIT's)
TI_DNA_LATER = 9  # 1 when dna applies only to a visit booked for a later day
TI_DEMAND = 10  # the failure demand taking the move is (DEMANDS index), -1 none
TI_ALSO_START = 11  # range in the referral-steps list (also_s): steps the move refers to
TI_ALSO_END = 12
N_TI = 13
TF_WEIGHT = 0  # effective branching weight (see _plan.effective_weights)
TF_DNA = 1
TF_CHASE = 2  # chase_after in minutes, 0 = never
TF_REBOOK = 3  # client_rebooks: chance the person comes back to rebook a missed visit
N_TF = 4

# --- checkpoints ------------------------------------------------------------------------
CI_STEP = 0
CI_NQ = 1
CI_TABLE = 2  # offset of the checkpoint's 2**questions route table
CI_ROUNDS = 3  # calendar index of the checkpoint's rounds, -1 = no round rule
CI_PERSIST = 4  # bit q set: question q's yes persists for the case
CI_LAPSE = 5  # transition index of the lapsed-review move (a plan-only row), -1 = none
N_CI = 6
# Per slot and checkpoint (int64 [slots, checkpoints, N_SCP]): the checkpoint rules' state.
SCP_NOT_BEFORE = 0  # the end of the round of the case's last decision (minute), 0 = none
SCP_HELD = 1  # persisting questions answered yes (bits)
N_SCP = 2
# Questions: int64 [checkpoints, 2 * MAX_QUESTIONS]: automatic-answer column (or -1 for a
# person's answer) then the question's key; float64 [checkpoints, MAX_QUESTIONS]: p_yes.
MAX_QUESTIONS = 12

# --- distributions (int64 kind [n], float64 params [n, 4]) ------------------------------
D_FIXED = 0
D_UNIFORM = 1
D_EXPONENTIAL = 2
D_LOGNORMAL = 3
D_TRIANGULAR = 4
D_EMPIRICAL = 5  # params: offset, count into the empirical tables

# --- calendars (int64 [calendars, N_CAL]) -------------------------------------------------
CAL_WIN_OFF = 0
CAL_WIN_N = 1
CAL_CLOS_OFF = 2
CAL_CLOS_N = 3
N_CAL = 4

# --- roles (int64 [roles, N_RI] plan; int64 [roles, N_RS] state) --------------------------
RI_W0 = 0  # first worker's global index
RI_CAP = 1
RI_NAMED = 2  # 1: continuity 'named' (a case waits for its named worker of the role)
RI_WITHIN = 3  # named_within in whole seconds, -1: wait for the named worker however long
N_RI = 4
RS_HEAD = 0
RS_TAIL = 1
RS_FREE = 2
N_RS = 3

# --- slot state (int64 [slots, N_S], float64 [slots, N_SF]) -------------------------------
S_CASE = 0
S_STEP = 1
S_TR = 2  # the transition that brought the case to its step, -1 at the start
S_SEGCAUSE = 3  # cause of the open wait segment, -1 when none is open
S_WORKER = 4
S_PREV_WORKER = 5
S_PREV_STEP = 6
S_ATTEND = 7
S_ATTEMPT = 8  # booking attempts at the current visit (DNA rebooks)
S_WAITID = 9  # unique id of the current wait (stale chase/wake events carry an old one)
S_QUEUED = 10
S_QNEXT = 11
S_QPREV = 12
S_LANEA = 13
S_LANEB = 14
S_OCC = 15  # occurrence of the current step for this case
S_HAS_VISIT = 16  # 1 when last_visit_end is set
S_WAITOCC = 17  # occurrence of the source step when the pending transition was taken
S_CHASE_DUE = 18  # 1: a chase is due if the case is still waiting once its wait ends
S_BY_CLIENT = 19  # 1: the pending visit was rebooked by the client after a DNA
N_S = 20
SF_T0 = 0  # when the current wait began (chasing counts from here)
SF_SEGT = 1  # when the open wait segment began
SF_STARTED = 2
SF_LASTVISIT = 3
SF_WAKE = 4  # time of the pending wake-up, -1 when none
N_SF = 5

# --- heap ------------------------------------------------------------------------------
# A binary heap of (time float64, key int64); key = sequence << REC_BITS | record, so equal
# times pop in scheduling order. Records (int64 [H, N_H]) hold what the event is; free
# records are kept on a stack.
H_KIND = 0
H_SLOT = 1
H_AUX = 2
N_H = 3
REC_BITS = 24
REC_MASK = (1 << REC_BITS) - 1
K_ARRIVAL = 0
K_READY = 1
K_GATE = 2
K_MISS = 3
K_DONE = 4
K_CHASE = 5
K_WAKE = 6
K_RETURN = 7  # a person comes back after an outcome (aux: from-case * 4 + demand + 1)
K_LAPSE = 8  # a review's round closes before its decision: it lapses
K_REFER = 9  # a concurrent referral opens (aux: from-case * REFER_SHIFT + start step)
REFER_SHIFT = 65536

# --- scalars (int64 [N_SC], float64 [N_SCF]) --------------------------------------------
SC_NHEAP = 0
SC_SEQ = 1
SC_NEXT_CASE = 2
SC_NFREE = 3
SC_NBUF = 4
SC_WAITID = 5
SC_ARRIVED = 6
SC_FINISHED = 7
SC_STUCK = 8
SC_PRODUCED = 9
SC_EMIT = 10
SC_NCASES = 11
SC_PAUSE_AT = 12
SC_RESERVE = 13
SC_BUFCAP = 14
SC_START_STEP = 15
SC_INITA = 16  # the run's two random lanes (seed and replication absorbed)
SC_INITB = 17
SC_NRECFREE = 18
SC_RETURNED = 19  # returns that arrived (new demands of people already seen)
SC_PENDRET = 20  # returns scheduled and not yet arrived (heap entries of no slot)
SC_RETROOM = 21  # heap entries kept for pending returns (0: the plan has none)
SC_NROWS = 22  # per-case rows in use (first demands, then returns as they arrive)
SC_CASEROWS = 23  # per-case rows allocated
SC_REFERRED = 24  # concurrent referrals that opened (new demands of people already seen)
SC_ALSOMAX = 25  # the most referrals one move opens (heap room kept for them)
N_SC = 26
SCF_HORIZON = 0
SCF_SAMEVISIT = 1
SCF_WEEKOFF = 2
SCF_NOW = 3
N_SCF = 4

# --- the kernel's memory ----------------------------------------------------------------
# The kernel reads and writes two flat arrays, ``I`` (int64) and ``F`` (float64), holding
# every table and all state, plus four per-case arrays (``CF`` float64 [cases, 2]:
# arrival, end; ``M32`` float32 minutes; ``MI`` int16 counts; ``CB`` uint8 guard and
# automatic-answer results). Numba passes each array argument as ~7 machine words, so a
# few flat arrays keep calls between kernel functions cheap. ``I[0:N_HDR]`` holds where
# each section starts (an offset into ``I`` for HI_*, into ``F`` for HF_*) and sizes.
HI_STEP = 0
HI_MASK = 1
HI_WORDS = 2
HI_TR = 3
HI_OUT = 4
HI_CP = 5
HI_CQ = 6
HI_ROUTE = 7
HI_DISTK = 8
HI_CAL = 9
HI_CLOS = 10
HI_ROLE = 11
HI_ROLES = 12
HI_STEPS = 13
HI_SLOT = 14
HI_SLOTRW = 15
HI_SLOTOCC = 16
HI_SLOTCOL = 17
HI_FREE = 18
HI_HEAP = 19
HI_BUSY = 20
HI_ROLESTATE = 21
HI_EV = 22
HI_SC = 23
HI_GUARDS = 24
HF_TR = 25
HF_CQ = 26
HF_DIST = 27
HF_EMPV = 28
HF_EMPC = 29
HF_WIN = 30
HF_SLOT = 31
HF_HEAP = 32
HF_SCF = 33
HF_EV = 34
HI_REC = 35
HI_RECFREE = 36
HI_SLOTCP = 37  # per slot and checkpoint: the rules' state (SCP_*)
HI_NCP = 38  # number of checkpoints (at least 1)
HI_ALSO = 39  # the referral-steps list: step indices, ranges in TI_ALSO_START/END
N_HDR = 40
N_DISTF = 4

# --- kernel return codes ----------------------------------------------------------------
ST_DONE = 0  # no more events (or the next is past the horizon)
ST_FLUSH = 1  # the event buffer needs flushing
ST_SLOTS = 2  # more case slots needed
ST_PAUSE = 3  # progress checkpoint reached
ST_CASES = 4  # more per-case rows needed (a return arrives)

# --- per-case measures ----------------------------------------------------------------
MF_ARRIVAL = 0
MF_END = 1
MF_PERSON = 2  # the row of the person's first demand (itself for a first demand)
MF_WORKER = 3  # the worker a return goes back to (-1: any), set when it is scheduled
MF_REFERRED = 4  # a concurrent referral: the row of the case that opened it (NaN: none)
N_MF = 5
M_WORK = 0  # 4 columns: value, waste1, waste2, waste3 (minutes)
M_WAIT = 4  # 8 columns, WAIT_CAUSES order (minutes)
M_MILESTONE = 12  # one column per milestone step: minutes from arrival to first start
N_M_FIXED = 12
MI_VISITS = 0
MI_DNAS = 1
MI_HANDOFF = 2  # 4 columns: worker, role, team, organisation
MI_FAILURE = 6  # 3 columns: chase, re_presentation, re_referral
MI_REPEATED = 9
MI_DECISIONS = 10
MI_OUTCOME = 11  # outcome index; -1 in flight; -2 stuck (no transition could be taken)
MI_APPOINTMENTS = 12  # attended visits that were booked
MI_VISITS_SERVICE = 13
MI_VISITS_CLIENT = 14
MI_STEPS = 15
N_MI = 16
OUTCOME_IN_FLIGHT = -1
OUTCOME_STUCK = -2
MAX_CASE_STEPS = 30_000  # steps one case may do (MI_STEPS is int16): past it, the case is stuck

# --- events (int64 [B, N_E], float64 [B, 2]) ---------------------------------------------
E_KIND = 0
E_CASE = 1
E_STEP = 2
E_A1 = 3
E_A2 = 4
E_A3 = 5
E_A4 = 6
N_E = 7
EF_AT = 0
EF_STARTED = 1
EV_CASE_STARTED = 0
EV_STEP_STARTED = 1
EV_STEP_COMPLETED = 2
EV_TRANSITIONED = 3
EV_WAITED = 4
EV_VISIT_ATTENDED = 5
EV_VISIT_MISSED = 6
EV_HANDOFF = 7
EV_DECISION = 8
EV_FAILURE_DEMAND = 9
EV_OUTCOME_REACHED = 10
EVENT_KINDS = (
    "case_started",
    "step_started",
    "step_completed",
    "transitioned",
    "waited",
    "visit_attended",
    "visit_missed",
    "handoff",
    "decision",
    "failure_demand",
    "outcome_reached",
)

CAUSE_CALENDAR = 2
CAUSE_CAPACITY = 3
CAUSE_CLIENT = 6
CAUSE_CONTINUITY = 7
FD_CHASE = 0
FD_REBOOK = 1  # recorded as 're_presentation': the person comes back to rebook
NOTE_NONE = 0  # failure-demand notes (E_A2): none, a rebooking, a move (NOTE_MOVE + index)
NOTE_REBOOK = 1
NOTE_MOVE = 2
REQ_SERVICE = 1  # requested_by codes (SI_REQ): 0 none, 1 service, 2 client
REQ_CLIENT = 2
WEEK = 10080.0
DAY = 1440.0
NEVER = -1.0
