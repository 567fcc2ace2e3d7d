"""pathway.testing: property-based testing of pathways and of case systems that run them.

Hypothesis strategies generate valid pathway definitions, fact sets, journeys (valid
command sequences with times), journals and invalid commands;
:class:`PathwayStateMachine` drives your case system and the live engine side by side;
the pytest plugin (entry point ``pathway``) checks pathway files and offers fixtures.
See ``docs/how-to/test-your-case-system.md``.
"""

from pathway.testing._invalid import InvalidTrigger
from pathway.testing._journeys import (
    Begin,
    Command,
    Decide,
    DidNotAttend,
    Fire,
    Journey,
    check_journey,
    register_pathway_random,
    smoke_run,
)
from pathway.testing._stateful import PathwayStateMachine
from pathway.testing._strategies import (
    events,
    facts,
    invalid_triggers,
    journeys,
    pathway_texts,
    pathways,
)

__all__ = [
    "Begin",
    "Command",
    "Decide",
    "DidNotAttend",
    "Fire",
    "InvalidTrigger",
    "Journey",
    "PathwayStateMachine",
    "check_journey",
    "events",
    "facts",
    "invalid_triggers",
    "journeys",
    "pathway_texts",
    "pathways",
    "register_pathway_random",
    "smoke_run",
]
