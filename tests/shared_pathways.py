"""Pathway texts several test modules share (imported, not collected: no test_ prefix)."""

# The small example pathway of the live-engine issue: a PLAN checkpoint, a guard, a
# calendar gate, visits and hand-offs at team and organisation level.
MINI_YAML = """\
id: mini
title: Mini
version: "1"
timezone: Europe/London
calendars:
  assess_days:
    open: {"tue, thu": "09:30-12:30"}
roles:
  duty: {team: front, organisation: hub}
  worker: {team: recovery, organisation: hub}
  doctor: {team: clinic, organisation: nhs}
facts:
  needs_prescribing: {type: bool, distribution: {bernoulli: 0.6}}
  age: {type: int}
steps:
  contact: {role: duty, visit: true, duration: 10m}
  assess: {role: worker, visit: true, duration: 1h, calendar: assess_days}
  plan: {role: worker, duration: 5m}
  doctor: {role: doctor, visit: true, duration: 30m}
  done: {outcome: true}
  advice: {outcome: true}
transitions:
  - {trigger: refer, from: contact, to: assess, wait: {uniform: [1d, 5d]}, cause: booking, dna: 0.3}
  - {trigger: assessed, from: assess, to: plan}
  - {trigger: see_doctor, from: plan, to: doctor, when: "needs_prescribing and age >= 18", p: 0.6}
  - {trigger: close, from: plan, to: done}
  - {trigger: prescribe, from: doctor, to: done}
checkpoints:
  plan_check:
    framework: PLAN
    at: plan
    proceed: doctor
    if_not_legal: advice
    if_not_necessary: advice
    if_not_proportionate: done
"""
