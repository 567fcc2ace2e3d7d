"""The cohort simulator (private; the public names are re-exported by ``pathway``)."""
