"""The public surface is exactly ``__all__``: nothing leaks in, nothing listed is missing."""

import contextmfa


def test_all_names_exist():
    for name in contextmfa.__all__:
        assert hasattr(contextmfa, name), name


def test_public_names_are_listed():
    public = {
        name
        for name, value in vars(contextmfa).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("contextmfa")
    }
    assert public <= set(contextmfa.__all__)


def test_all_is_sorted_and_unique():
    assert list(contextmfa.__all__) == sorted(set(contextmfa.__all__))
