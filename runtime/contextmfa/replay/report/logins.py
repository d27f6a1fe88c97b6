"""The logins a person reads: each expectation mismatch and changed decision with its trace."""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any, TextIO

from contextmfa.replay.report.charts import breakable
from contextmfa.replay.report.collect import ReportData

__all__ = ["write_logins"]


def write_logins(data: ReportData, out: TextIO) -> None:
    """The section, streamed from the report's temporary file one login at a time."""
    total = data.detailed
    kept = data.kept
    what = (
        "a failed expectation, an Action error or a changed decision"
        if data.diff
        else "a failed expectation or an Action error"
    )
    note = f"{total:,} logins with {what}."
    if kept < total:
        note += f" Showing the first {kept:,} (raise --report-limit, or 0 for all)."
    out.write(
        f'<section id="logins"><h2>Logins to read</h2><p class="note">{escape(note)}</p>'
        '<div class="toolbar"><input id="login-filter" type="search" '
        'placeholder="filter: login id, user, source, outcome…" aria-label="filter logins">'
        '<button type="button" id="login-expand">expand all</button>'
        '<button type="button" id="login-collapse">collapse all</button>'
        f'<span class="note"><span id="login-shown">{kept}</span> shown</span></div>'
    )
    for detail in data.details():
        out.write(_login(detail))
    if not total:
        out.write(
            '<p class="note" id="no-logins">Nothing to read: every expectation held, no Action '
            "failed" + (" and no decision changed." if data.diff else ".") + "</p>"
        )
    out.write("</section>")


def _pill(outcome: str) -> str:
    safe = escape(outcome)
    return f'<span class="pill o-{safe}">{safe}</span>'


def _login(detail: Mapping[str, Any]) -> str:
    line = int(detail["line"])
    current = detail["current"]
    candidate = detail.get("candidate")
    heading = [f"line {line}", f"<code>{escape(str(detail.get('login_id')))}</code>"]
    heading.append(f"user <code>{escape(str(detail.get('user_id')))}</code>")
    heading.append(_pill(current["outcome"]))
    if candidate is not None and detail.get("changed"):
        heading.append("→ " + _pill(candidate["outcome"]))
        heading.append(f"<code>{escape(str(detail.get('responsible')))}</code>")
    if detail.get("mismatches"):
        heading.append('<span class="mismatch">expectation failed</span>')
    failed = [e.get("action") for e in current.get("errors") or ()]
    failed += [e.get("action") for e in (candidate or {}).get("errors") or ()]
    if failed:
        names = ", ".join(sorted({str(name) for name in failed}))
        heading.append(f'<span class="mismatch">Action error: {escape(names)}</span>')
    search = " ".join(
        str(x)
        for x in (
            detail.get("login_id"),
            detail.get("user_id"),
            detail.get("transition"),
            detail.get("responsible"),
            current.get("source"),
            candidate.get("source") if candidate else "",
            current.get("outcome"),
            " ".join(detail.get("mismatches") or ()),
            "mismatch" if detail.get("mismatches") else "",
            "changed" if detail.get("changed") else "",
            "error " + " ".join(str(name) for name in failed) if failed else "",
        )
        if x
    ).lower()
    body = []
    for text in detail.get("mismatches") or ():
        body.append(f'<p class="mismatch">{escape(text)}</p>')
    sides = [_side("current config" if candidate else "decision", current)]
    if candidate is not None:
        sides.append(_side("candidate config", candidate))
    body.append(f'<div class="sides">{"".join(sides)}</div>')
    return (
        f'<details class="login" id="line-{line}" data-kind="{escape(detail.get("kind", ""))}" '
        f'data-search="{escape(search)}"><summary>{" ".join(heading)}</summary>'
        f'<div class="body">{"".join(body)}</div></details>'
    )


def _side(title: str, side: Mapping[str, Any]) -> str:
    rows = [
        ("outcome", _pill(side["outcome"])),
        ("factors", escape(", ".join(side.get("factors") or ()) or "–")),
        ("source", f"<code>{escape(str(side.get('source')))}</code>"),
    ]
    if side.get("deny_reason"):
        rows.append(("deny reason", escape(str(side["deny_reason"]))))
    for step in side.get("steps") or ():
        text = f"{step['kind']} with {', '.join(step['factors'])} ({step['source']})"
        rows.append(("step", escape(text)))
    remember = "allowed" if side.get("allow_remember_browser") else "no"
    rows.append(("remember browser", remember))
    risk = side.get("risk") or {}
    if risk:
        codes = ", ".join(
            f"{name}={value.get('code')}" for name, value in (risk.get("assessments") or {}).items()
        )
        rows.append(("risk", breakable(f"{risk.get('confidence')} ({codes})")))
    for entry in side.get("trace") or ():
        detail = json.dumps(entry.get("detail") or {}, ensure_ascii=False, sort_keys=True)
        text = f"{entry.get('source')}: {entry.get('directive')} {detail if detail != '{}' else ''}"
        rows.append(("trace", f"<code>{escape(text.strip())}</code>"))
    for log in side.get("logs") or ():
        rows.append(("log", escape(f"[{log.get('action')}] {log.get('line')}")))
    for error in side.get("errors") or ():
        where = f" at line {error['line']}" if error.get("line") else ""
        text = f"{error.get('action')}: {error.get('kind')}{where}: {error.get('message')}"
        rows.append(("error", f'<span class="error">{escape(text)}</span>'))
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return f'<div class="side"><h3>{escape(title)}</h3><dl>{items}</dl></div>'
