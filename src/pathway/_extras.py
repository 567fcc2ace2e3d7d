"""The one boundary to optional extras: import a module, or say which extra to install.

The core of pathway (load, validate, show, schema, the live :class:`~pathway.Case`,
replay) needs only the core dependencies. Everything that needs numpy, pyarrow, numba,
rich or another optional package is reached through :func:`require`, which imports the
module and turns a missing third-party package into a :class:`MissingExtraError` naming
the extra to install. It is the only place pathway imports its own modules lazily.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from pathway.errors import MissingExtraError

__all__ = ["available", "require"]


def require(module: str, *, extra: str, feature: str) -> ModuleType:
    """Import ``module`` (pathway's own or a third party's) for ``feature``.

    Raises :class:`MissingExtraError` naming ``extra`` when the module, or a package it
    needs, is not installed; any other import failure is a bug and propagates.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        missing = (error.name or module).split(".")[0]
        if missing == "pathway" and error.name != module:
            raise
        raise MissingExtraError(feature, extra, error.name or module) from None


def available(module: str) -> bool:
    """Whether ``module`` can be imported (for optional speed-ups and fallbacks)."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True
