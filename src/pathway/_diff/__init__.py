"""Diff an old and a new pathway, numbers only: structure (:mod:`._structural`), behaviour on
the same simulated cohort (:mod:`._behaviour`) and CI gates (:mod:`._gate`). The
:class:`~pathway.Diff` that puts them together and into words is in :mod:`pathway._report`.
"""
