"""Human-readable renderings of decisions for terminals (``--format pretty`` and tables)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from contextmfa.decision import Decision

OUTCOME_STYLE = {"allow": "green", "challenge": "yellow", "enroll": "cyan", "deny": "bold red"}


def outcome_text(outcome: str) -> Text:
    return Text(outcome, style=OUTCOME_STYLE.get(outcome, ""))


def decision_table(decision: Decision) -> Table:
    """A two-column summary of one decision: what a person checks first, then why."""
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("login", decision.login_id)
    table.add_row("outcome", outcome_text(decision.outcome))
    table.add_row("factors", ", ".join(decision.factors) or "-")
    table.add_row("source", decision.source)
    if decision.deny_reason:
        table.add_row("deny reason", decision.deny_reason)
    for step in decision.steps:
        table.add_row("step", f"{step.kind} with {', '.join(step.factors)}  ({step.source})")
    table.add_row("remember browser", "allowed" if decision.allow_remember_browser else "no")
    risk = decision.risk
    assessments = ", ".join(f"{k}={v['code']}" for k, v in risk["assessments"].items())
    table.add_row("risk", f"{risk['confidence']} confidence ({assessments})")
    geo = decision.geoip or {}
    place = ", ".join(str(p) for p in (geo.get("city_name"), geo.get("country_code")) if p)
    table.add_row("location", place or "unknown")
    for entry in decision.trace:
        table.add_row("trace", f"{entry['source']}: {entry['directive']} {entry.get('detail') or ''}")
    for log in decision.logs:
        table.add_row("log", f"[{log['action']}] {log['line']}")
    for err in decision.errors:
        where = f" line {err['line']}" if err.get("line") else ""
        table.add_row("error", Text(f"{err['action']}{where}: {err['kind']}: {err['message']}", "red"))
    table.add_row("time", f"{decision.timing_us['total']} µs")
    return table
