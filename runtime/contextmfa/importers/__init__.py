"""Importers: logins recorded elsewhere, turned into contextmfa login events for replay.

json_input.py    read exports: a JSON array (streamed), JSON Lines, or {"logs": [...]}
auth0_logs.py    one Auth0 log event to a login event; MFA events to enrolled factors
auth0_import.py  the whole import: dedupe, order by time, enrolled factors, the report
"""

from contextmfa.importers.auth0_import import ImportOptions, ImportReport, import_auth0_logs

__all__ = ["ImportOptions", "ImportReport", "import_auth0_logs"]
