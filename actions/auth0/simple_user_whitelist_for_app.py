"""Allow only some users, by verified email address, into one application: a port of the Auth0
rule "Whitelist for a Specific App".

Source
    auth0/rules, src/rules/simple-user-whitelist-for-app.js (commit 1e664da).

What it does
    Denies the login with "Access denied." when the user has no email or it is not verified,
    for every application, as the original does. Then, for the application named CLIENT_NAME
    only, denies users whose email is not one of ALLOWED_EMAILS (compared exactly).

Port
    !user.email || !user.email_verified          -> not user.email or not user.email_verified
    context.clientName !==                       -> event.client.name != CLIENT_NAME (a secret)
      "NameOfTheAppWithWhiteList"
    const whitelist = [...]                      -> the ALLOWED_EMAILS secret (same default)
    whitelist.some((email) => email ===          -> any(email == user.email for email in
      user.email)                                     whitelist)
    return callback(new UnauthorizedError(m))    -> api.access.deny(m); return
    return callback(null, user, context)         -> return

Differences from the original
    - None in behaviour. The verified-email check comes before the application check, so it
      applies to every application, as in the original; move it below the application check to
      limit it to CLIENT_NAME.

Secrets ([secrets.simple_user_whitelist_for_app] in tenant.toml, all optional)
    CLIENT_NAME      the application's name (`event.client.name`). Default
                     "NameOfTheAppWithWhiteList" (the original's).
    ALLOWED_EMAILS   comma list of email addresses. Default
                     "user1@example.com,user2@example.com" (the original's).

Contributes
    deny "Access denied."   no verified email (any application), or not listed (CLIENT_NAME)
    nothing                 otherwise

Example
    [secrets.simple_user_whitelist_for_app]
    CLIENT_NAME = "Acme Payroll"
    ALLOWED_EMAILS = "sanne.devries@acme.test,hr@acme.test"
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

    # Only enforce for CLIENT_NAME; bypass this Action for all other applications.
    client_name = event.client.name if event.client is not None else None
    if client_name != event.secrets.get("CLIENT_NAME", "NameOfTheAppWithWhiteList"):
        return

    whitelist = listed(  # authorized users
        event.secrets.get("ALLOWED_EMAILS"), "user1@example.com,user2@example.com"
    )
    user_has_access = any(email == user.email for email in whitelist)

    if not user_has_access:
        api.access.deny("Access denied.")
        return
