"""Plain-Python floors for bench_all.py: the same work written directly, with no engine at all.

- ``EMPTY_ACTION`` and ``TEN_CONDITION_ACTION``: Action sources run both in the sandbox and as
  plain Python (``bench_sandbox.plain_runner``);
- ``SamplePolicy``: the five sample rule files (samples/rules/) written by hand over the same
  GeoIP lookup and IP lists the engine uses, with a per-user device set for ``new_device`` and
  a highest-priority-wins resolution: what ``Engine.evaluate`` on the rules-only sample tenant
  costs over no language at all;
- ``round_trip_us``: one small message to a forked child and back over a socket pair, the least
  any worker round trip can cost here.
"""

from __future__ import annotations

import os
import socket
import time
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from contextmfa.enrich.geoip import GeoIP
from contextmfa.enrich.iplists import IPRangeSet
from contextmfa.enrich.risk import haversine_km
from contextmfa.events import LoginEvent

EMPTY_ACTION = "def on_execute_post_login(event, api):\n    pass\n"

TEN_CONDITION_ACTION = """
def on_execute_post_login(event, api):
    request = event.request
    geo = request.geoip
    user = event.user
    score = 0
    if geo.country_code not in ("NL", "DE", "BE"):
        score += 1
    if request.ip.startswith("10."):
        score += 1
    if "admin" in event.authorization.roles:
        score += 1
    if user.app_metadata.get("home_country") != geo.country_code:
        score += 1
    if event.client.client_id == "payroll-web":
        score += 1
    if event.stats.logins_count < 3:
        score += 1
    if not user.email_verified:
        score += 1
    if not event.device.remembered and geo.latitude > 60:
        score += 1
    if "curl" in request.user_agent:
        score += 1
    if event.authentication.risk_assessment.confidence == "low":
        score += 1
    if score >= 2:
        api.multifactor.enable("any")
"""

SANCTIONED_UA_REGIONS = frozenset({"43", "40", "14", "09"})
UNKNOWN_DEVICE = ("no_match", "unknown_device")
WEBAUTHN = ["webauthn-roaming", "webauthn-platform"]


class SamplePolicy:
    """samples/rules/*.rules in plain Python; ``decide`` returns the decision as a dict."""

    def __init__(self, geoip: GeoIP, lists: Path) -> None:
        self.geoip = geoip
        self.offices = IPRangeSet.from_file(lists / "acme-offices.txt")
        self.vpn_exits = IPRangeSet.from_file(lists / "vpn-exits.txt")

    def decide(self, event: LoginEvent, devices: dict[str, set[str]]) -> dict[str, Any]:
        ip = ip_address(event.request.ip)
        geo = self.geoip.city(ip) or {}
        country = geo.get("country_code")
        seen = devices.setdefault(event.user.user_id, set())
        device = event.device.id if event.device is not None else None
        new_device = "match" if device in seen else ("no_match" if seen else "unknown_device")
        if device is not None:
            seen.add(device)
        metadata = event.user.app_metadata
        client = event.client.client_id if event.client is not None else None
        roles = event.authorization.roles if event.authorization is not None else []
        fired: list[tuple[int, str, str, list[str]]] = []
        if country == "UA" and geo.get("subdivision_code") in SANCTIONED_UA_REGIONS:
            fired.append((100, "embargoed-regions", "deny", []))
        if metadata.get("site") == "berlin-warehouse" and (
            geo.get("latitude") is None
            or haversine_km(52.52, 13.40, geo["latitude"], geo["longitude"]) > 50
        ):
            fired.append((50, "warehouse-accounts-stay-in-berlin", "deny", []))
        if "admin" in roles or "helpdesk" in roles:
            local = event.timestamp.astimezone(ZoneInfo(geo.get("time_zone") or "UTC"))
            minutes = local.hour * 60 + local.minute
            if not (local.weekday() < 5 and 420 <= minutes <= 1140):
                fired.append((20, "privileged-off-hours", "mfa", [*WEBAUTHN, "otp"]))
        if client == "hr-web":
            home = metadata.get("home_country")
            if country is None or home is None or country != home:
                fired.append((31, "hr-portal-abroad-security-key", "mfa", WEBAUTHN[:1]))
            fired.append((30, "hr-portal-step-up", "mfa", ["otp", *WEBAUTHN]))
        if client == "payroll-web" and new_device in UNKNOWN_DEVICE:
            fired.append((30, "payroll-new-device-webauthn", "mfa", WEBAUTHN))
        if ip in self.offices and new_device in UNKNOWN_DEVICE:
            fired.append((10, "office-unknown-device", "mfa", []))
        if ip in self.vpn_exits:
            fired.append((10, "vpn-exit-strong-mfa", "mfa", ["otp", *WEBAUTHN]))
        if not fired:
            return {"decision": "allow", "rules": []}
        fired.sort(key=lambda rule: -rule[0])
        deny = next((rule for rule in fired if rule[2] == "deny"), None)
        top = deny or fired[0]
        return {
            "decision": top[2],
            "factors": top[3],
            "rule": top[1],
            "rules": [rule[1] for rule in fired],
        }


def round_trip_us(rounds: int, size: int = 1024) -> float:
    """Best µs of one ``size``-byte message to a forked child and back (socket pair)."""
    parent, child = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        parent.close()
        try:
            while data := child.recv(65536):
                child.sendall(data)
        finally:
            os._exit(0)
    child.close()
    payload = b"x" * size
    best = float("inf")
    try:
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(rounds):
                parent.sendall(payload)
                received = 0
                while received < size:
                    received += len(parent.recv(65536))
            best = min(best, (time.perf_counter() - started) / rounds * 1e6)
    finally:
        parent.close()
        os.waitpid(pid, 0)
    return best
