"""Allow only users who verified their email: a port of the Auth0 rule "Force email
verification".

Source
    auth0/rules, src/rules/email-verified.js (commit 9299761).

What it does
    Denies the login with "Please verify your email before logging in." unless
    `event.user.email_verified` is true. A user whose identity provider says nothing about the
    email (`email_verified` absent) is denied too.

Port
    user.email_verified                             -> event.user.email_verified
    return callback(new UnauthorizedError(m))       -> api.access.deny(m); return
    return callback(null, user, context)            -> return

Differences from the original
    - None in behaviour. The original's advice stands: an application that logs users in right
      after signup (Lock's loginAfterSignup, auth0.js's auto_login) shows this denial at once.

Secrets
    none.

Contributes
    deny "Please verify your email before logging in."   the email is not verified
    nothing                                               it is
"""


def on_execute_post_login(event, api):
    if not event.user.email_verified:
        api.access.deny("Please verify your email before logging in.")
        return
