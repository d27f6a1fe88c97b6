"""Refuse the resource owner password grant, which would bypass MFA: a port of the Auth0 rule
"Disable the Resource Owner endpoint".

Source
    auth0/rules, src/rules/disable-resource-owner.js (commit 2191cd6).

What it does
    Denies the login with "The resource owner endpoint cannot be used." when its protocol
    (`event.transaction.protocol`) is "oauth2-resource-owner": a password sent straight to the
    token endpoint never meets an MFA prompt.

Port
    context.protocol                              -> event.transaction.protocol
    return callback(new UnauthorizedError(m))     -> api.access.deny(m); return
    callback(null, user, context)                 -> return

Differences from the original
    - None in behaviour. A login recorded without a transaction has no protocol and passes,
      as a context without that protocol did.

Secrets
    none.

Contributes
    deny "The resource owner endpoint cannot be used."   protocol oauth2-resource-owner
    nothing                                               any other protocol
"""


def on_execute_post_login(event, api):
    protocol = event.transaction.protocol if event.transaction is not None else None
    if protocol == "oauth2-resource-owner":
        api.access.deny("The resource owner endpoint cannot be used.")
        return
