"""Analysis of event logs, numbers only: per-case measures, delay attribution, cohort
summaries, the typical journey and XmR control charts (see docs/reference/measures.md).

Everything here needs numpy (the ``report`` extra); the words for people are in
:mod:`pathway._report`.
"""
