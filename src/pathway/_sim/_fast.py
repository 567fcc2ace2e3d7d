"""The numba-compiled kernel: the very functions of :mod:`pathway._sim._kernel`, compiled.

Each kernel function (and the random-number helpers it calls) is copied with a globals
namespace in which its callees are the compiled copies, then wrapped in
``numba.njit(cache=True)``. The pure-Python functions in ``_kernel`` are left untouched,
so the reference path really is plain Python and a test can compare the two paths event
for event. Compiled machine code is cached next to the sources after the first run.

:func:`kernel` returns the compiled ``run_kernel`` when numba is importable (the ``fast``
extra) and the pure one otherwise; ``force_pure=True`` always gives the pure one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from types import FunctionType
from typing import Any

import pathway._sim._kernel as _kernel
import pathway._sim._rng as _rng
from pathway._extras import available, require

__all__ = ["KernelFunction", "compiled_function", "fast_available", "kernel"]

KernelFunction = Callable[[Any, Any, Any, Any, Any, Any], int]
_RNG_FUNCTIONS = ("_mul32", "fmix", "_absorb", "case_lanes", "to_uniform", "draw", "_poly", "ppnd")
_DISABLE = "PATHWAY_SIM_PURE"
# Tiny accessors and hash steps: inlined where they are called (numba does not inline
# calls between separately compiled functions, and these run hundreds of times a case).
_INLINE = frozenset(
    {
        "_mul32",
        "fmix",
        "_absorb",
        "to_uniform",
        "step_get",
        "tr_get",
        "trf_get",
        "slot_get",
        "slot_set",
        "slotf_get",
        "slotf_set",
        "sc_get",
        "sc_add",
        "scf_get",
        "add_minutes",
        "role_state",
        "role_state_set",
        "_eligible",
        "begin_segment",
    }
)


def fast_available() -> bool:
    """Whether the compiled kernel can be used (numba importable, not disabled)."""
    if os.environ.get(_DISABLE):
        return False
    return available("numba")


@lru_cache(maxsize=1)
def _namespace() -> dict[str, Any]:
    numba: Any = require("numba", extra="fast", feature="the compiled simulator kernel")
    namespace: dict[str, Any] = {**vars(_rng), **vars(_kernel)}
    for name in (*_RNG_FUNCTIONS, *_kernel.KERNEL_FUNCTIONS):
        original = namespace[name]
        copy = FunctionType(original.__code__, namespace, name, original.__defaults__)
        copy.__qualname__ = original.__qualname__
        copy.__module__ = original.__module__
        inline = "always" if name in _INLINE else "never"
        options = {"cache": True, "error_model": "numpy", "_nrt": False, "inline": inline}
        namespace[name] = numba.njit(**options)(copy)
    return namespace


def compiled_function(name: str) -> Any:
    """The compiled copy of a kernel function (numba must be importable)."""
    return _namespace()[name]


def _compiled() -> KernelFunction:
    compiled: KernelFunction = _namespace()["run_kernel"]
    return compiled


def kernel(*, force_pure: bool = False) -> KernelFunction:
    """The kernel to run: compiled if numba is available, else the pure reference."""
    if force_pure or not fast_available():
        return _kernel.run_kernel
    return _compiled()
