"""The cohort simulator (private; :func:`simulate` and :class:`SimulationResult` are
re-exported by ``pathway``).

Layout: :mod:`._plan` compiles a pathway into numpy tables; :mod:`._cohort` draws
arrivals and facts and evaluates guards (:mod:`._vexpr`); :mod:`._kernel` is the event
loop (pure Python, compiled by :mod:`._fast` when numba is installed); :mod:`._run`
drives one replication; :mod:`._events` streams the event log; :mod:`._result` and
:mod:`._api` are what users see. Importing this package needs no numpy.
"""

from pathway._sim._api import simulate
from pathway._sim._result import SimulationResult, Summary

__all__ = ["SimulationResult", "Summary", "simulate"]
