"""What went wrong in a replay, first: the banner at the top and the Action errors section.

A report whose logins all failed an expectation or hit a crashing Action must say so before any
chart: the banner is red when an expectation failed, an Action failed or a record could not be
read, and names each count with a link to where the details are.
"""

from __future__ import annotations

from html import escape

from contextmfa.replay.action_errors import ActionErrors
from contextmfa.replay.report.collect import ReportData

__all__ = ["action_errors_section", "banner", "has_action_errors"]


def has_action_errors(data: ReportData) -> bool:
    return bool(data.action_errors.total or (data.candidate_errors and data.candidate_errors.total))


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def banner(data: ReportData) -> str:
    """Red with every problem when there is one; otherwise one calm line."""
    problems = []
    if data.failed:
        text = f"{_plural(data.failed, 'expectation')} of {data.checked:,} failed"
        problems.append(f'<a href="#logins">{escape(text)}</a>')
    for label, errors in (("", data.action_errors), ("the candidate: ", data.candidate_errors)):
        if errors is None or not errors.total:
            continue
        names = ", ".join(f"{name} ({per.count:,})" for name, per in errors.ranked())
        text = f"{label}{_plural(errors.total, 'Action error')}: {names}"
        problems.append(f'<a href="#action-errors">{escape(text)}</a>')
    if data.input_errors:
        text = f"{_plural(data.input_errors, 'record')} could not be replayed"
        problems.append(f'<a href="#errors">{escape(text)}</a>')
    warnings = []
    if data.order.out_of_order:
        warnings.append(f"{_plural(data.order.out_of_order, 'login')} out of time order")
    if data.order.repeated:
        warnings.append(f"{_plural(data.order.repeated, 'repeated login id')}")
    if problems:
        items = "".join(f"<li>{p}</li>" for p in problems)
        items += "".join(f"<li>warning: {escape(w)}</li>" for w in warnings)
        return (
            '<div class="banner bad" id="banner" role="alert"><strong>This replay needs '
            f"attention</strong><ul>{items}</ul></div>"
        )
    text = "No expectation failed, no Action failed, every record was read."
    if warnings:
        text += " Warnings: " + "; ".join(warnings) + "."
    css = "banner warn" if warnings else "banner ok"
    return f'<div class="{css}" id="banner" role="status">{escape(text)}</div>'


def _table(title: str, errors: ActionErrors) -> str:
    rows = []
    for name, per in errors.ranked():
        messages = []
        for (kind, line, message), n in per.messages.most_common():
            where = f" at line {line}" if line else ""
            messages.append(
                f"<li>{n:,} × {escape(kind)}{where}: <code>{escape(message)}</code></li>"
            )
        if per.other_messages:
            messages.append(f"<li>{per.other_messages:,} with other messages</li>")
        first = ""
        if per.first is not None:
            line, login = per.first
            first = (
                f'<a class="example" href="#line-{int(line)}"><code>{escape(login)}</code></a>'
                f" (line {int(line)})"
            )
        rows.append(
            f'<tr><td><code>{escape(name)}</code></td><td class="num">{per.count:,}</td>'
            f'<td><ul class="messages">{"".join(messages)}</ul></td><td>{first}</td></tr>'
        )
    head = '<tr><th>Action</th><th class="num">logins</th><th>errors</th><th>first</th></tr>'
    caption = f"<h3>{escape(title)}</h3>" if title else ""
    return f"{caption}<table>{head}{''.join(rows)}</table>"


def action_errors_section(data: ReportData) -> str:
    """Each failing Action: how many logins, its messages, the first login it failed."""
    parts = [
        '<section id="action-errors"><h2>Action errors</h2><p class="note">Each login an Action '
        "failed followed <code>[flow] on_error</code>; those logins are listed under Logins to "
        "read.</p>"
    ]
    diffing = data.diff is not None
    if data.action_errors.total:
        parts.append(_table("current config" if diffing else "", data.action_errors))
    if data.candidate_errors is not None and data.candidate_errors.total:
        parts.append(_table("candidate config", data.candidate_errors))
    parts.append("</section>")
    return "".join(parts)
