"""Allow only users whose verified email is at one of some domains: a port of the Auth0 rule
"Email domain whitelist".

Source
    auth0/rules, src/rules/simple-domain-whitelist.js (commit f8da202).

What it does
    Denies the login with "Access denied." when the user has no email or it is not verified,
    or when the email's domain (after the last "@", case-insensitive) is not one of
    ALLOWED_DOMAINS. Subdomains are not included: list "eu.example.com" on its own.

Port
    !user.email || !user.email_verified          -> not user.email or not user.email_verified
    const whitelist = ["example.com",            -> the ALLOWED_DOMAINS secret (same default)
      "example.org"]
    emailSplit[emailSplit.length - 1]            -> email.split("@")[-1]
      .toLowerCase() === domain                       .lower() in whitelist
    return callback(new UnauthorizedError(m))    -> api.access.deny(m); return
    return callback(null, user, context)         -> return

Differences from the original
    - The listed domains are lowercased too: the original compared the lowercased email domain
      with the list as written, so a domain listed as "Example.com" never matched.

Secrets ([secrets.simple_domain_whitelist] in tenant.toml, all optional)
    ALLOWED_DOMAINS   comma list of email domains. Default "example.com,example.org" (the
                      original's); an empty list denies every login.

Contributes
    deny "Access denied."   no email, an unverified email, or a domain not listed
    nothing                 a verified email at a listed domain

Example
    [secrets.simple_domain_whitelist]
    ALLOWED_DOMAINS = "acme.test,acme-partners.test"
"""


def listed(raw, default):
    """A comma-separated secret as the list of its non-empty entries."""
    text = default if raw is None else str(raw)
    return [part.strip() for part in text.split(",") if part.strip()]


def on_execute_post_login(event, api):
    user = event.user

    # Access should only be granted to verified users.
    if not user.email or not user.email_verified:
        api.access.deny("Access denied.")
        return

    domains = listed(event.secrets.get("ALLOWED_DOMAINS"), "example.com,example.org")
    whitelist = [domain.lower() for domain in domains]  # authorized domains
    email_split = user.email.split("@")
    user_has_access = email_split[-1].lower() in whitelist

    if not user_has_access:
        api.access.deny("Access denied.")
        return
