"""A run that set nothing shares one empty mapping per field: nothing can fill it, and a kit's
next run never writes into a mapping an earlier result holds."""

from __future__ import annotations

import copy
import json

import pytest

from contextmfa.sandbox.no_entries import NO_ENTRIES


def test_the_shared_empty_mapping_refuses_every_change():
    for change in (
        lambda m: m.__setitem__("k", 1),
        lambda m: m.update(k=1),
        lambda m: m.setdefault("k", 1),
        lambda m: m.pop("k"),
        lambda m: m.popitem(),
        lambda m: m.clear(),
        lambda m: m.__ior__({"k": 1}),
        lambda m: m.__init__({"k": 1}),
    ):
        with pytest.raises(TypeError):
            change(NO_ENTRIES)
    assert NO_ENTRIES == {} and isinstance(NO_ENTRIES, dict)
    assert json.dumps(NO_ENTRIES) == "{}"
    assert copy.deepcopy(NO_ENTRIES) == {} and NO_ENTRIES.copy() == {}


def test_runs_of_one_kit_never_share_a_mapping(sb):
    action = sb.compile(
        """
        if event.user.email:
            api.user.set_app_metadata("k", "v")
        """
    )
    empty = sb.compile("pass")
    first, second = sb.execute(empty), sb.execute(empty)
    assert first.app_metadata is NO_ENTRIES and second.user_metadata is NO_ENTRIES
    runs = [sb.execute(action) for _ in range(3)]
    assert all(run.app_metadata == {"k": "v"} for run in runs)
    assert len({id(run.app_metadata) for run in runs}) == 3
    runs[0].app_metadata["k"] = "changed"  # a caller's own copy: no later run sees it
    assert sb.execute(action).app_metadata == {"k": "v"}
