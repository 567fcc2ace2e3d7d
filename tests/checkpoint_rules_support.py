"""A small ward-round pathway with every checkpoint rule, shared by the rule tests."""

from __future__ import annotations

ROUNDS_YAML = """
format: 2
id: rounds
title: Ward rounds with checkpoint rules
version: "1"
timezone: Europe/London
calendars:
  rounds: {open: {"mon, thu": "10:00-13:00"}}
roles:
  consultant: {team: medical, organisation: trust, capacity: 1, calendar: rounds}
  registrar: {team: medical, organisation: trust, capacity: 1}
  nurse: {team: ward, organisation: trust, capacity: 2}
steps:
  admitted: {role: nurse, duration: 1h}
  review: {role: consultant, duration: {triangular: [5m, 10m, 20m]}}
  act: {role: nurse, duration: {lognormal: {median: 30m, p90: 2h}}}
  discharge: {role: nurse, duration: 1h}
  home: {outcome: true}
transitions:
  - {trigger: first_review, from: admitted, to: review}
  - {trigger: next_round, from: act, to: review}
  - {trigger: leave, from: discharge, to: home}
checkpoints:
  questions:
    at: review
    decided_by: [consultant, registrar]
    rationale: required
    rounds: rounds
    questions:
      stable: {ask: person, p_yes: 0.4, persists: true}
      ready: {ask: person, p_yes: 0.5}
    routes:
      - {when: stable and ready, to: discharge}
    otherwise: act
arrivals: {rate: 2/d}
"""
