"""Is the file in an order a replay can trust? Logins out of time order, and repeated logins.

Replay evaluates records in file order and builds each user's risk history from the records
before: a login earlier than its user's previous one is assessed against the future (negative
travel time, devices "seen" before they were), and a login recorded twice counts twice. Neither
stops a replay, since the decisions are still made, but both are counted and shown as warnings.

Both are judged per user, which is what history is kept by: a file sorted by user rather than by
time is fine. A repeat is a login id already seen among the same user's last ``RECENT_IDS``
logins, so memory grows with users, as the history does, not with logins.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RECENT_IDS", "OrderCheck", "OrderWarnings"]

RECENT_IDS = 16


class OrderCheck:
    """Per user: the latest timestamp seen and the ids of their recent logins."""

    def __init__(self) -> None:
        self._users: dict[str, tuple[float, tuple[str, ...]]] = {}

    def see(self, user_id: str, login_id: str, at: float) -> tuple[bool, bool]:
        """Record one login; ``(out_of_order, repeated)``."""
        seen = self._users.get(user_id)
        if seen is None:
            self._users[user_id] = (at, (login_id,))
            return False, False
        latest, ids = seen
        repeated = login_id in ids
        if not repeated:
            ids = (*ids[1 - RECENT_IDS :], login_id)
        self._users[user_id] = (max(latest, at), ids)
        return at < latest, repeated


@dataclass
class OrderWarnings:
    """Counts over a whole replay, with the first example of each, for the warnings."""

    out_of_order: int = 0
    repeated: int = 0
    first_out_of_order: tuple[int, str] | None = None
    first_repeated: tuple[int, str] | None = None

    def add(self, line: int, login_id: str | None, out_of_order: bool, repeated: bool) -> None:
        where = (line, login_id or "?")
        if out_of_order:
            self.out_of_order += 1
            self.first_out_of_order = self.first_out_of_order or where
        if repeated:
            self.repeated += 1
            self.first_repeated = self.first_repeated or where

    def merge(self, other: OrderWarnings) -> None:
        """Add another part of the input (a cluster partition): the first example is the one
        with the lower line number."""
        self.out_of_order += other.out_of_order
        self.repeated += other.repeated
        self.first_out_of_order = _earlier(self.first_out_of_order, other.first_out_of_order)
        self.first_repeated = _earlier(self.first_repeated, other.first_repeated)

    def lines(self, source: str) -> list[str]:
        out = []
        if self.out_of_order and self.first_out_of_order:
            line, login = self.first_out_of_order
            plural = "s are" if self.out_of_order != 1 else " is"
            out.append(
                f"{source}:{line}: warning: {self.out_of_order} login{plural} earlier than "
                f"the same user's previous login (first: {login}); replay reads the file in order, "
                "so their risk history is wrong: sort the file by timestamp"
            )
        if self.repeated and self.first_repeated:
            line, login = self.first_repeated
            plural = "s repeat" if self.repeated != 1 else " repeats"
            out.append(
                f"{source}:{line}: warning: {self.repeated} login{plural} the id of an earlier "
                f"login of the same user (first: {login}); a login recorded twice counts twice "
                "in the user's history"
            )
        return out

    def to_dict(self) -> dict[str, int]:
        return {"out_of_order": self.out_of_order, "repeated_login_ids": self.repeated}


def _earlier(a: tuple[int, str] | None, b: tuple[int, str] | None) -> tuple[int, str] | None:
    if a is None or b is None:
        return a or b
    return min(a, b)
