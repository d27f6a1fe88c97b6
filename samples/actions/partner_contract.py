"""Deny partner users whose contract has ended (the tenant's own Action, kept as a sample).

What it does
    Partner accounts carry `user.app_metadata["contract_ends"]` (an ISO date, "2026-12-31").
    After that date the login is denied. Users without the key are not partners and pass.

Secrets
    none

Note
    It parses the date with `datetime.date.fromisoformat` and does not guard against a malformed
    value: such a login then fails with an exception, and the tenant's `on_error` decides
    (`deny` in samples/tenant.toml). The samples keep one such record to show what an Action
    error looks like in a decision.
"""

import datetime


def on_execute_post_login(event, api):
    ends = event.user.app_metadata.get("contract_ends")
    if ends is None:
        return
    if datetime.date.fromisoformat(ends) < datetime.date.today():
        api.access.deny("Your partner contract has ended")
