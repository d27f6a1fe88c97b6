"""Skip MFA for logins from the corporate network, unless the login looks risky.

What it does
    When `event.request.ip` is inside one of the corporate networks and the runtime's risk
    confidence (`event.authentication.risk_assessment.confidence`) is at least MIN_CONFIDENCE
    ("medium" by default, i.e. not "low"), the Action explicitly skips MFA. A skip overrides the
    tenant's dashboard policy (adaptive included) but never a requirement from a rule or another
    Action: an administrator step-up or a travel challenge still applies. A login without a risk
    assessment is not skipped (fail closed).

When to use it
    Offices and VPNs where the network itself is a factor (Okta "network zones", Entra
    "trusted locations"). Set CORPORATE_CIDRS to your egress ranges.

Warning about the default
    The default ranges are the private ones (RFC 1918 and IPv6 unique-local fc00::/7). They only
    make sense when contextmfa sees real client addresses from inside your network. If the
    runtime sits behind a reverse proxy or load balancer that does not pass the client's
    address through, every login looks private and would skip MFA: set CORPORATE_CIDRS.

Secrets ([secrets.skip_mfa_on_corporate_network] in tenant.toml, all optional)
    CORPORATE_CIDRS  comma list of IPv4/IPv6 networks (CIDR) or single addresses.
                     Default "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7".
    MIN_CONFIDENCE   lowest risk confidence that may skip: "medium" (default) or "high".

Contributes
    skip MFA    IP inside CORPORATE_CIDRS and confidence >= MIN_CONFIDENCE
    nothing     everything else

Example
    [secrets.skip_mfa_on_corporate_network]
    CORPORATE_CIDRS = "203.0.113.0/24,2001:db8:1200::/40"
    MIN_CONFIDENCE = "high"
"""

import ipaddress

DEFAULT_CIDRS = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2}


def network_list(raw):
    """Parse CORPORATE_CIDRS; the error names the entry's position, not its value."""
    text = DEFAULT_CIDRS if raw is None else str(raw)
    cidrs = [part.strip() for part in text.split(",") if part.strip()]
    for position, cidr in enumerate(cidrs, start=1):
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise ValueError(
                f"CORPORATE_CIDRS entry {position} is not an IP network such as 10.0.0.0/8"
            ) from None
    return cidrs


def on_execute_post_login(event, api):
    cidrs = network_list(event.secrets.get("CORPORATE_CIDRS"))
    minimum = event.secrets.get("MIN_CONFIDENCE")
    minimum = "medium" if minimum is None else str(minimum).strip().lower()
    if minimum not in ("medium", "high"):
        raise ValueError("MIN_CONFIDENCE must be medium or high")

    # ip_in_range is a global the sandbox provides.
    if not cidrs or not ip_in_range(event.request.ip, *cidrs):  # noqa: F821
        return
    risk = event.authentication.risk_assessment
    confidence = risk.confidence if risk is not None else None
    if CONFIDENCE_RANK.get(confidence, -1) < CONFIDENCE_RANK[minimum]:
        print(f"corporate network but risk confidence is {confidence}: MFA not skipped")
        return
    print(f"corporate network, risk confidence {confidence}: MFA skipped")
    api.multifactor.enable("none")
