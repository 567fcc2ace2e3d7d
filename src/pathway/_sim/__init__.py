"""The cohort simulator (private; ``pathway.simulate`` and ``pathway.SimulationResult``
are its public face).

Layout: :mod:`._plan` compiles a pathway into numpy tables; :mod:`._cohort` draws
arrivals and facts, evaluates guards (:mod:`._vexpr`) and weights guarded branches;
:mod:`._kernel` is the event loop (pure Python, compiled by :mod:`._fast` when numba is
installed); :mod:`._run` drives one replication; :mod:`._events` streams the event log;
:mod:`._result` and :mod:`._api` are what users see. Everything here needs numpy (the
``sim`` extra); the package's own import needs nothing.
"""
