"""``NO_ENTRIES``: the one empty mapping every run that set no metadata or claims shares.

A run's result holds what its recorder gathered; a run that set nothing would need five new
empty dicts for its result and five more for its kit's next run. Instead its result reads this
shared empty dict, which refuses every change: nothing one run's result is given can carry
anything into another's (fail closed, even against host code that writes into a result).
"""

from __future__ import annotations

from typing import Any, NoReturn


class _NoEntries(dict[str, Any]):
    """An empty ``dict`` (JSON, equality and ``isinstance`` as one) that cannot be filled."""

    __slots__ = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if dict(*args, **kwargs):  # also a second __init__ on the shared one: it stays empty
            self._refuse()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a run's result is read-only")

    __setitem__ = __delitem__ = __ior__ = _refuse
    update = setdefault = pop = popitem = clear = _refuse


NO_ENTRIES: dict[str, Any] = _NoEntries()
