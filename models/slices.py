"""Time slices as an optional index (SPEC 7.6).

Every operating decision and row of a case with a ``timeslices`` sheet carries the slice as the
last element of its index. A case without one has a single slice of 8760 hours and its model
is exactly the version 1 model, indexes included: these helpers add the slice only when the
year is sliced, so a feature writes its index once for both.
"""
from __future__ import annotations

import itertools

YEAR = "year"   # the one slice of a case without time slices


def at(m, sl) -> tuple:
    """The slice part of an index: ``(sl,)`` in a sliced model, nothing otherwise."""
    return (sl,) if m.sliced else ()


def index(m, *parts) -> list[tuple]:
    """The product of ``parts`` (iterables), each element followed by the slices when sliced."""
    groups = [list(p) for p in parts] + ([list(m.SLICES)] if m.sliced else [])
    return [tuple(k) for k in itertools.product(*groups)]


def split(m, key: tuple) -> tuple[tuple, str]:
    """An index as (its part without the slice, the slice)."""
    return (tuple(key[:-1]), key[-1]) if m.sliced else (tuple(key), YEAR)


def names(m, *base: str) -> list[str]:
    """Index names of an output, with ``slice`` last when sliced."""
    return [*base, "slice"] if m.sliced else list(base)
