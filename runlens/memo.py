"""Compute per-activity derived data once within one analysis.

``runlens analyze`` and each scan worker ask several modules for the same
derived data of one activity: the metrics, the laps and the kilometre splits
each build :func:`runlens.metrics.sample_frame`, and every form rule builds its
own :class:`runlens.rules._signals.Signals`. Inside :func:`analysis_scope`
those are computed once per activity and reused; outside it nothing is cached,
so a caller that changes an activity between two calls always gets fresh
results. The scope holds a reference to each activity it caches, so an
activity's ``id`` cannot be reused while the scope is open.

Cached values must not be modified by their users: :func:`memo` returns the
same object to every caller (``sample_frame`` hands out shallow copies, which
pandas' copy-on-write keeps independent; ``Signals`` arrays are read-only).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = ["analysis_scope", "memo", "memos_of", "seed_memos"]

T = TypeVar("T")

_SCOPE: ContextVar[dict | None] = ContextVar("runlens_analysis_scope", default=None)


@contextmanager
def analysis_scope() -> Iterator[None]:
    """Within this block, :func:`memo` computes each value once per activity.

    Nested scopes share the outermost one's cache; the cache is dropped when
    the outermost block ends.
    """
    if _SCOPE.get() is not None:
        yield
        return
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def memo(activity: Any, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its earlier result for the same activity and key in this scope.

    Parameters
    ----------
    activity : Activity
        The activity the value is derived from (compared by identity).
    key : hashable
        What is computed, with its parameters.
    compute : callable
        Called without arguments when the value is not cached (always, outside
        :func:`analysis_scope`).
    """
    cache = _SCOPE.get()
    if cache is None:
        return compute()
    k = (id(activity), key)
    hit = cache.get(k)
    if hit is not None and hit[0] is activity:
        return hit[1]
    value = compute()
    cache[k] = (activity, value)
    return value


def memos_of(activity: Any) -> dict:
    """What the open scope computed for ``activity``: key -> value (empty outside one).

    A scan worker keeps them with the activity it reads, so that the scan's judging
    pass, in another process, does not compute them again (:func:`seed_memos`).
    """
    cache = _SCOPE.get()
    if not cache:
        return {}
    return {k[1]: v for k, (a, v) in cache.items() if a is activity}


def seed_memos(activity: Any, values: dict) -> None:
    """Give the open scope values :func:`memos_of` took from ``activity`` as it was
    when they were computed. Only for an activity that is unchanged since (the
    same samples, sessions and sport): they are not checked. Nothing outside a scope."""
    cache = _SCOPE.get()
    if cache is None:
        return
    for key, value in values.items():
        cache.setdefault((id(activity), key), (activity, value))
