"""The fast FIT path's copy of fitparse's profile (runlens.io._fitprofile_data) is
fitparse's own: regenerate it with ``python -m runlens.io.fitprofile`` when this fails."""

from __future__ import annotations

from runlens.io import _fitprofile_data as data
from runlens.io.fitprofile import MESSAGES_KEPT, profile, snapshot


def test_kept_profile_is_the_installed_fitparse_profile():
    types, messages = snapshot()
    assert data.TYPES == types
    assert data.MESSAGES == messages


def test_profile_objects_match_fitparse_field_for_field():
    from fitparse.profile import MESSAGE_TYPES

    for g in MESSAGES_KEPT:
        by_name, by_num = profile(g)
        ref = MESSAGE_TYPES[g].fields
        assert sorted(by_num) == sorted(ref)
        for num, f in ref.items():
            ours = by_num[num]
            assert (ours.name, ours.type.name, ours.scale, ours.offset) == (
                f.name, f.type.name, f.scale, f.offset
            )
            assert ours.type.values == (getattr(f.type, "values", None) or None)
            assert [s.name for s in ours.subfields or ()] == [s.name for s in f.subfields or ()]
            for s_ours, s in zip(ours.subfields or (), f.subfields or ()):
                assert [(r.name, r.raw_value) for r in s_ours.ref_fields] == [
                    (r.name, r.raw_value) for r in s.ref_fields
                ]
            assert [(c.def_num, c.bits, c.bit_offset, c.scale, c.offset) for c in ours.components or ()] == [
                (c.def_num, c.bits, c.bit_offset, c.scale, c.offset) for c in f.components or ()
            ]
        assert by_name == {f.name: by_num[n] for n, f in ref.items()}
