"""Discovery: from a real event log to a calibrated draft pathway, and back.

:func:`discover` (``_api``) reads a log and writes a draft pathway, counting what the log
shows (``_mine``), fitting durations and calendars (``_fit``) and writing the commented
YAML (``_draft``); :func:`fit_report` (``_check``) simulates the draft over the log's
cases and compares the two side by side; :func:`log_arrivals` and :func:`with_arrivals`
push the log's own people through any pathway. Needs numpy (the ``sim`` extra).
"""
