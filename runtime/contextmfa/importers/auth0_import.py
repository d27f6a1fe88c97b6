"""``contextmfa import auth0-logs``: an Auth0 log export in, replayable login events out.

Exports come newest first (``GET /api/v2/logs``) or in delivery order (log streams), often with
overlapping pages; replay needs each user's logins oldest first, once. So the import validates
each login as it reads it, writes it to a temporary file and keeps only a small sort key in
memory (about 100 bytes a login), then writes the logins out by time, each with the factors its
user had enrolled by then. Duplicates (the same ``log_id`` twice) are dropped.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from contextmfa.errors import InputError
from contextmfa.events import parse_event
from contextmfa.importers.auth0_logs import (
    FAILED_TYPES,
    LOGIN_TYPES,
    NO_USER_TYPES,
    auth0_field,
    evidence,
    missing_field,
    to_event,
    unmapped,
    unwrap,
)
from contextmfa.importers.json_input import read_items
from contextmfa.inputs import display_name

__all__ = ["ImportOptions", "ImportReport", "import_auth0_logs"]

ERRORS_KEPT = 20
EXPECTED = (
    'an export is the JSON array GET /api/v2/logs returns, a page with a "logs" array, or a '
    "log stream's JSON Lines, each item a log event with its type, date and log_id"
)
NOT_CARRIED = (
    "device.id: Auth0 logs carry no device id, so new_device compares user agents only",
    "authorization.roles, user.app_metadata, user.user_metadata, user.email_verified: "
    "not in logs (rules and Actions reading them see empty values)",
    "transaction.acr_values: not in logs",
    "request.geoip subdivision: Auth0's location_info has none (use --geoip lookup for regions)",
)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    include_failed: bool = False
    """Also import failed logins (f, fp, fc, fcoa, fens) as login attempts."""
    keep_geoip: bool = True
    """Use Auth0's ``location_info`` as ``request.geoip``; False looks locations up at replay."""


@dataclass
class ImportReport:
    """What the import did with every item of the export."""

    read: int = 0
    log_events: int = 0
    """Items that are Auth0 log events (they have a ``type``), whatever became of them."""
    imported: Counter[str] = field(default_factory=Counter)
    not_imported: Counter[str] = field(default_factory=Counter)
    evidence: Counter[str] = field(default_factory=Counter)
    users_with_factors: int = 0
    duplicates: int = 0
    unmapped: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(message)

    @property
    def exit_code(self) -> int:
        return 2 if self.error_count else 0

    def lines(self) -> list[str]:
        total = sum(self.imported.values())
        kinds = ", ".join(f"{n} {kind}" for kind, n in _ranked(self.imported))
        out = [f"read {self.read} log events: imported {total} logins ({kinds or 'none'})"]
        for reason, n in _ranked(self.not_imported):
            out.append(f"  not imported: {n} {reason}")
        if self.duplicates:
            out.append(f"  not imported: {self.duplicates} duplicates (same log_id)")
        if self.error_count:
            out.append(f"  not imported: {self.error_count} with errors (listed above)")
        if self.evidence:
            seen = ", ".join(f"{n} {factor}" for factor, n in _ranked(self.evidence))
            out.append(
                f"enrolled factors from MFA events: {seen}; "
                f"{self.users_with_factors} users with at least one"
            )
        if self.unmapped:
            fields = ", ".join(f"{name} ({n})" for name, n in sorted(self.unmapped.items()))
            out.append(f"Auth0 fields with no place in a login event (dropped): {fields}")
        out.extend(f"not in Auth0 logs: {note}" for note in NOT_CARRIED)
        return out


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    """Largest first, ties by name: the same export always gives the same summary."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class _Evidence:
    """Per user and factor: its earliest enrollment in the export, and whether it was used.

    A factor counts from its enrollment on; one used but never enrolled in the export was
    enrolled before the export began. Decided once everything is read, so the export's order
    (newest first, or as delivered) does not matter.
    """

    enrolled_at: dict[str, dict[str, float]] = field(default_factory=dict)
    used: dict[str, set[str]] = field(default_factory=dict)

    def add(self, user_id: str, factor: str, at: float, enrolled_now: bool) -> None:
        if enrolled_now:
            factors = self.enrolled_at.setdefault(user_id, {})
            factors[factor] = min(factors.get(factor, math.inf), at)
        else:
            self.used.setdefault(user_id, set()).add(factor)

    def users(self) -> int:
        return len(set(self.enrolled_at) | set(self.used))

    def enrolled(self, user_id: str, at: float) -> list[str]:
        since = self.enrolled_at.get(user_id, {})
        found = {f for f, when in since.items() if when <= at}
        found.update(f for f in self.used.get(user_id, ()) if f not in since)
        return sorted(found)


def _epoch(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def import_auth0_logs(path: Path, out: TextIO, options: ImportOptions) -> ImportReport:
    """Read the export at ``path`` (``-``: standard input), write login events (JSON Lines) to
    ``out``, oldest first. What is not an export at all (an empty file, objects that are not log
    events) is refused before anything is written."""
    report = ImportReport()
    known = _Evidence()
    seen: set[str] = set()
    keys: list[tuple[float, int, int, int, str, float]] = []
    first_stray: str | None = None
    with tempfile.TemporaryFile("w+b") as spill:
        for where, value in read_items(path):
            report.read += 1
            if isinstance(value, InputError):
                report.error(str(value))
                continue
            log = unwrap(value)
            if not isinstance(log, dict):
                report.error(f"{where}: error: expected a JSON object, got {type(log).__name__}")
                continue
            if not isinstance(log.get("type"), str):
                stray = f"{where}: error: not an Auth0 log event: {_no_type(log)}"
                first_stray = first_stray or stray
                report.error(f"{stray} (not imported)")
                continue
            report.log_events += 1
            used = _collect_evidence(log, known, report)
            kind = log.get("type")
            if used or not _is_imported(kind, options, report):
                continue
            log_id = log.get("log_id") or log.get("_id")
            if isinstance(log_id, str) and log_id:
                if log_id in seen:
                    report.duplicates += 1
                    continue
                seen.add(log_id)
            key = _spill_login(log, where, len(keys), spill, options, report)
            if key is not None:
                keys.append(key)
                report.imported[LOGIN_TYPES.get(kind) or FAILED_TYPES[kind]] += 1
        _refuse_what_is_not_an_export(path, report, first_stray)
        report.users_with_factors = known.users()
        keys.sort()
        for _, _, offset, length, user_id, decided in keys:
            spill.seek(offset)
            event = json.loads(spill.read(length))
            factors = known.enrolled(user_id, decided)
            if factors:
                event["user"]["enrolled_factors"] = [{"type": f} for f in factors]
            out.write(json.dumps(event, ensure_ascii=False, separators=(", ", ": ")))
            out.write("\n")
    return report


def _no_type(log: dict[str, Any]) -> str:
    keys = ", ".join(sorted(str(k) for k in log)[:8]) or "none"
    return f'it has no "type" (its keys: {keys})'


def _refuse_what_is_not_an_export(path: Path, report: ImportReport, stray: str | None) -> None:
    """An empty file, or one whose items are none of them log events, is not an export: exit 2
    with where and why, rather than "imported 0 logins" and exit 0."""
    if report.log_events:
        return
    name = display_name(path)
    if stray is not None:
        raise InputError(f"{stray}; {EXPECTED}")
    if report.read == 0:
        raise InputError(f"{name}: error: nothing to import: no Auth0 log event in it; {EXPECTED}")
    if report.errors:
        raise InputError(f"{report.errors[0]}; no item could be read as an Auth0 log event")


def _collect_evidence(log: dict[str, Any], known: _Evidence, report: ImportReport) -> bool:
    """Record an MFA event's factor for its user; True when the event was one."""
    found = evidence(log)
    if found is None:
        return False
    user_id, at = log.get("user_id"), _epoch(log.get("date"))
    if not isinstance(user_id, str) or not user_id or at is None:
        report.not_imported[f"MFA events without a user or date ({log.get('type')})"] += 1
        return True
    factor, enrolled_now = found
    known.add(user_id, factor, at, enrolled_now)
    report.evidence[factor] += 1
    report.not_imported["MFA events (read as enrolled factors)"] += 1
    return True


def _is_imported(kind: Any, options: ImportOptions, report: ImportReport) -> bool:
    if kind in LOGIN_TYPES:
        return True
    if kind in FAILED_TYPES:
        if options.include_failed:
            return True
        report.not_imported["failed logins (pass --include-failed to replay them)"] += 1
    elif kind in NO_USER_TYPES:
        report.not_imported[f"failed logins of no user ({kind}: {NO_USER_TYPES[kind]})"] += 1
    elif isinstance(kind, str) and kind.startswith("gd_"):
        report.not_imported[f"MFA events naming no factor ({kind})"] += 1
    else:
        report.not_imported[f"other events, not logins ({kind})"] += 1
    return False


def _in_auth0_terms(message: str, where: str) -> str:
    """``where: error: request.ip: ...`` as ``where: error: ip: ...``."""
    prefix = f"{where}: error: "
    field, sep, problem = message.removeprefix(prefix).partition(": ")
    if not message.startswith(prefix) or not sep or " " in field:
        return message
    return f"{prefix}{auth0_field(field)}: {problem}"


def _spill_login(
    log: dict[str, Any],
    where: str,
    number: int,
    spill: Any,
    options: ImportOptions,
    report: ImportReport,
) -> tuple[float, int, int, int, str, float] | None:
    """Validate one login and write it to the spill file; its sort key, or None if unusable.
    Problems name the Auth0 field (``date``), not the login event's (``timestamp``)."""
    missing = missing_field(log)
    if missing is not None:
        report.error(f"{where}: error: {missing}: missing (not imported)")
        return None
    raw = to_event(log, keep_geoip=options.keep_geoip)
    try:
        event = parse_event(raw, where=where)
    except InputError as exc:
        report.error(f"{_in_auth0_terms(str(exc), where)} (not imported)")
        return None
    report.unmapped.update(unmapped(log))
    line = json.dumps(raw, ensure_ascii=False).encode("utf-8")
    offset = spill.seek(0, 2)
    spill.write(line)
    at = event.timestamp.timestamp()
    details = log.get("details") if isinstance(log.get("details"), dict) else {}
    started = details.get("initiatedAt")
    decided = started / 1000 if isinstance(started, int | float) and started / 1000 <= at else at
    return (at, number, offset, len(line), event.user.user_id, decided)
