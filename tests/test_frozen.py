"""contextmfa.frozen: objects made by filling slots are the constructor's objects."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from contextmfa.enrich.history import LoginRecord
from contextmfa.frozen import fill, slot_fillers

WHEN = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
NAMES = "timestamp device_id user_agent latitude longitude country_code"


def test_a_filled_object_equals_the_constructed_one_and_stays_frozen():
    values = (WHEN, "d-1", "ua", 52.37, 4.89, "NL")
    made = fill(LoginRecord, slot_fillers(LoginRecord, NAMES), values)
    assert made == LoginRecord(*values) and hash(made) == hash(LoginRecord(*values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.device_id = "d-2"  # type: ignore[misc]


def test_the_names_must_be_every_field_in_order():
    with pytest.raises(TypeError, match="not its fields"):
        slot_fillers(LoginRecord, "timestamp device_id")
    with pytest.raises(TypeError, match="not its fields"):
        slot_fillers(LoginRecord, "device_id timestamp user_agent latitude longitude country_code")


def test_a_class_with_post_init_is_refused():
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    with pytest.raises(TypeError, match="__post_init__"):
        slot_fillers(Checked, "value")
