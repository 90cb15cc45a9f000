"""The part of fitparse's FIT profile the fast FIT path names messages with, kept
as plain data in :mod:`runlens.io._fitprofile_data` so that reading a FIT file does
not import fitparse (8 ms of every ``runlens analyze``, more than its own analysis
of a short run).

The data is fitparse's own, copied by :func:`snapshot`; ``python -m
runlens.io.fitprofile`` writes it again, and ``tests/io/test_fitprofile.py`` fails
when it differs from the installed fitparse's profile.
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["MESSAGES_KEPT", "profile", "snapshot"]

#: Global message numbers whose profile is kept: the summary messages the fast
#: path names (runlens.io.fit_fast._KEPT_NAMES) and the record (20).
MESSAGES_KEPT = (0, 3, 12, 18, 19, 20, 21, 23, 34, 101)


class _Type:
    __slots__ = ("name", "values")

    def __init__(self, name: str, values: dict | None) -> None:
        self.name, self.values = name, values


class _Ref:
    __slots__ = ("name", "raw_value")

    def __init__(self, name: str, raw_value: Any) -> None:
        self.name, self.raw_value = name, raw_value


class _Component:
    __slots__ = ("def_num", "bits", "bit_offset", "scale", "offset", "accumulate")

    def __init__(self, def_num, bits, bit_offset, scale, offset, accumulate) -> None:
        self.def_num, self.bits, self.bit_offset = def_num, bits, bit_offset
        self.scale, self.offset, self.accumulate = scale, offset, accumulate


class _Field:
    __slots__ = ("def_num", "name", "type", "scale", "offset", "components", "subfields", "ref_fields")

    def __init__(self, def_num, name, ftype, scale, offset, components, subfields, refs=None):
        self.def_num, self.name, self.type = def_num, name, ftype
        self.scale, self.offset = scale, offset
        self.components, self.subfields, self.ref_fields = components, subfields, refs


@cache
def profile(gnum: int) -> tuple[dict[str, Any], dict[int, Any]]:
    """One kept message's fields as fitparse's profile has them: (by name, by number).

    Each field has ``name``, ``def_num``, ``type`` (``name`` and enum ``values``),
    ``scale``, ``offset``, ``components`` (``def_num``, ``bits``, ``bit_offset``,
    ``scale``, ``offset``, ``accumulate``) and ``subfields`` (fields with
    ``ref_fields``: ``name`` and ``raw_value``).
    """
    from ._fitprofile_data import MESSAGES, TYPES

    types: dict[str, _Type] = {}

    def typ(name: str) -> _Type:
        t = types.get(name)
        if t is None:
            t = types[name] = _Type(name, TYPES.get(name))
        return t

    by_num: dict[int, _Field] = {}
    for num, name, tname, scale, offset, comps, subs in MESSAGES[gnum]:
        components = [_Component(*c) for c in comps] if comps else None
        subfields = [
            _Field(num, s_name, typ(s_t), s_sc, s_off, None, None, [_Ref(*r) for r in refs])
            for s_name, s_t, s_sc, s_off, refs in subs
        ] if subs else None
        by_num[num] = _Field(num, name, typ(tname), scale, offset, components, subfields)
    return {f.name: f for f in by_num.values()}, by_num


def snapshot() -> tuple[dict, dict]:
    """``(TYPES, MESSAGES)`` from the installed fitparse's profile (see the module docstring)."""
    from fitparse.profile import MESSAGE_TYPES

    types: dict[str, dict] = {}
    messages: dict[int, list] = {}

    def tname(t) -> str:
        values = getattr(t, "values", None)
        if values:
            types[t.name] = dict(values)
        return t.name

    for g in MESSAGES_KEPT:
        rows = []
        for num, f in MESSAGE_TYPES[g].fields.items():
            comps = [
                (c.def_num, c.bits, c.bit_offset, c.scale, c.offset, bool(c.accumulate))
                for c in (f.components or ())
            ]
            subs = [
                (s.name, tname(s.type), s.scale, s.offset,
                 [(r.name, r.raw_value) for r in s.ref_fields])
                for s in (f.subfields or ())
            ]  # fmt: skip
            rows.append((num, f.name, tname(f.type), f.scale, f.offset, comps, subs))
        messages[g] = rows
    return types, messages


def _write(path) -> None:
    import pprint

    types, messages = snapshot()
    text = (
        '"""fitparse\'s FIT profile, the messages runlens.io.fitprofile keeps.\n\n'
        "Written by ``python -m runlens.io.fitprofile``; do not edit.\n"
        '"""\n\n'
        "# fmt: off\n"
        f"TYPES = {pprint.pformat(types, width=100, sort_dicts=True)}\n\n"
        f"MESSAGES = {pprint.pformat(messages, width=100, sort_dicts=True)}\n"
    )
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


if __name__ == "__main__":  # pragma: no cover - regenerates the data module
    from pathlib import Path

    _write(Path(__file__).with_name("_fitprofile_data.py"))
