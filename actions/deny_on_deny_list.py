"""Deny logins from IP addresses on the tenant's deny lists.

What it does
    Reads the runtime's IP assessment
    (`event.authentication.risk_assessment.assessments.untrusted_ip`). When the address is on a
    deny list (`found_on_deny_list`, with the list's name in `details.source`), the login is
    denied if that list is one of DENY_LISTS, and challenged with MFA (remember-browser off) if
    it is not: a noisy list (say, hosting providers) can ask for MFA while a strict one (Tor
    exits, known attackers) blocks. Lists are configured under `[risk] deny_lists` in
    tenant.toml. Without any configured list (`assessment_not_available`) the Action only logs
    a note. A missing assessment or an unknown code is challenged (fail closed).

When to use it
    Blocking Tor exit nodes, anonymising proxies or addresses from your threat feed, in the
    style of Auth0's "Untrusted IP" signal.

Secrets ([secrets.deny_on_deny_list] in tenant.toml, all optional)
    DENY_LISTS  comma list of deny-list names (the keys of `[risk] deny_lists`) that deny;
                "*" (default) = every list. Addresses on other lists are challenged.

Contributes
    deny "ip_on_deny_list"     the address is on a list named in DENY_LISTS
    require MFA (any factor)   the address is on another list, or the assessment is missing
    nothing                    not on any list, or no list configured

Example
    [secrets.deny_on_deny_list]
    DENY_LISTS = "tor,threat_feed"
"""


def list_names(raw):
    """Parse DENY_LISTS; ["*"] means every list."""
    text = "*" if raw is None else str(raw)
    return [part.strip() for part in text.split(",") if part.strip()]


def ip_assessment(event):
    """Return (code, details) of the untrusted_ip assessment, or (None, None)."""
    risk = event.authentication.risk_assessment
    if risk is None or risk.assessments is None or risk.assessments.untrusted_ip is None:
        return None, None
    untrusted = risk.assessments.untrusted_ip
    return untrusted.code, untrusted.details


def on_execute_post_login(event, api):
    deny_lists = list_names(event.secrets.get("DENY_LISTS"))

    code, details = ip_assessment(event)
    if code == "not_found_on_deny_list":
        return
    if code == "assessment_not_available":
        print("no deny list configured under [risk] deny_lists: nothing checked")
        return
    if code != "found_on_deny_list":
        print(f"IP assessment unavailable ({code}): MFA required")
        api.multifactor.enable("any")
        return

    source = details.get("source") if details is not None else None
    if "*" in deny_lists or source in deny_lists:
        print(f"IP address on deny list {source}: denied")
        api.access.deny("ip_on_deny_list")
    else:
        print(f"IP address on deny list {source}, which only challenges: MFA required")
        api.multifactor.enable("any")
