"""Diff an old and a new pathway: structure now, behaviour on a common cohort."""
