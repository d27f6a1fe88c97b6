"""Allow only some users, by verified email address: a port of the Auth0 rule "Whitelist".

Source
    auth0/rules, src/rules/simple-user-whitelist.js (commit 0251971).

What it does
    Denies the login with "Access denied." when the user has no email or it is not verified,
    or when the email is not one of ALLOWED_EMAILS. Addresses are compared exactly, as written.

Port
    !user.email || !user.email_verified          -> not user.email or not user.email_verified
    const whitelist = ["user1@example.com",      -> the ALLOWED_EMAILS secret (same default)
      "user2@example.com"]
    whitelist.some((email) => email ===          -> any(email == user.email for email in
      user.email)                                     whitelist)
    return callback(new UnauthorizedError(m))    -> api.access.deny(m); return
    callback(null, user, context)                -> return

Differences from the original
    - None in behaviour. The comparison stays exact (case-sensitive), as in the original: write
      the addresses as your identity provider spells them.

Secrets ([secrets.simple_user_whitelist] in tenant.toml, all optional)
    ALLOWED_EMAILS   comma list of email addresses. Default
                     "user1@example.com,user2@example.com" (the original's).

Contributes
    deny "Access denied."   no email, an unverified email, or an address not listed
    nothing                 a verified, listed address

Example
    [secrets.simple_user_whitelist]
    ALLOWED_EMAILS = "sanne.devries@acme.test,ops@acme.test"
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

    whitelist = listed(  # authorized users
        event.secrets.get("ALLOWED_EMAILS"), "user1@example.com,user2@example.com"
    )
    user_has_access = any(email == user.email for email in whitelist)

    if not user_has_access:
        api.access.deny("Access denied.")
        return
