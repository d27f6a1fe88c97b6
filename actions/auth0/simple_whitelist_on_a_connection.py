"""Allow only some users, by verified email address, through one connection: a port of the
Auth0 rule "Whitelist on Specific Connection".

Source
    auth0/rules, src/rules/simple-whitelist-on-a-connection.js (commit 844b084); the published
    template of the same rule (rules.json, commit 968668a) for the unverified-email branch.

What it does
    Denies the login with "Access denied." when the user has no email or it is not verified.
    Then, for logins through the connection named CONNECTION only, denies users whose email is
    not one of ALLOWED_EMAILS (compared exactly).

Port
    !user.email || !user.email_verified          -> not user.email or not user.email_verified
    context.connection === "fitbit"              -> event.connection.name == CONNECTION
    const whitelist = [...]                      -> the ALLOWED_EMAILS secret (same default)
    whitelist.some((email) => email ===          -> any(email == user.email for email in
      user.email)                                     whitelist)
    return callback(new UnauthorizedError(m))    -> api.access.deny(m); return
    callback(null, user, context)                -> return

Differences from the original
    - A user without a verified email is denied. The file at commit 844b084 returns success for
      them, under the comment "Access should only be granted to verified users.", which skips
      the whitelist on the very connection it guards; the published template denies them, and
      so does the port (fail closed).

Secrets ([secrets.simple_whitelist_on_a_connection] in tenant.toml, all optional)
    CONNECTION       the connection's name (`event.connection.name`). Default "fitbit" (the
                     original's).
    ALLOWED_EMAILS   comma list of email addresses. Default
                     "user1@example.com,user2@example.com" (the original's).

Contributes
    deny "Access denied."   no verified email, or not listed (through CONNECTION)
    nothing                 otherwise

Example
    [secrets.simple_whitelist_on_a_connection]
    CONNECTION = "google-oauth2"
    ALLOWED_EMAILS = "sanne.devries@acme.test,partner@example.org"
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

    # Check only the users who authenticated with CONNECTION.
    connection = event.connection.name if event.connection is not None else None
    if connection == event.secrets.get("CONNECTION", "fitbit"):
        whitelist = listed(  # authorized user emails
            event.secrets.get("ALLOWED_EMAILS"), "user1@example.com,user2@example.com"
        )
        user_has_access = any(email == user.email for email in whitelist)

        if not user_has_access:
            api.access.deny("Access denied.")
            return
