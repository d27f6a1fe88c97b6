"""Step up to MFA when the application asks for it with acr_values: a port of the Auth0 rule
"Multifactor Stepup Authentication".

Source
    auth0/rules, src/rules/guardian-multifactor-stepup-authentication.js (commit b18a945), and
    its earlier copy src/rules/multi-factor-authentication-stepup (commit 6dc09ee), whose code
    is the same condition on one line.

What it does
    When the authorization request asks for
    acr_values = http://schemas.openid.net/pape/policies/2007/06/multi-factor and the session
    has not passed MFA yet (no `event.authentication.methods` entry named "mfa"), requires MFA
    with any factor, remember-browser off. Otherwise it does nothing.

Port
    context.request.query.acr_values === PAPE   -> PAPE in event.transaction.acr_values
    context.authentication.methods              -> event.authentication.methods
    Array.isArray(methods)                      -> isinstance(methods, list)
    methods.some((method) => method.name        -> any(method.name == "mfa" for method in
      === "mfa")                                     methods)
    context.multifactor = {provider: "any",     -> api.multifactor.enable("any",
      allowRememberBrowser: false}                   allow_remember_browser=False)
    callback(null, user, context)               -> return

Differences from the original
    - acr_values is a list here (the request's space-separated values); the original compared
      the whole query parameter to the one value, so a request asking for it among other values
      was not stepped up. The port steps up whenever the value is among them, as this runtime's
      own handling of that value does (decisions.md, pipeline step 1): with the built-in
      handling the port decides nothing new, and is kept for tenants moving their rules over.

Secrets
    none.

Contributes
    require MFA (any factor, remember off)   acr_values asks for multi-factor, no MFA in session
    nothing                                  not asked for, or MFA already passed
"""

PAPE_MULTI_FACTOR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"


def on_execute_post_login(event, api):
    # Step up whenever the request contains acr_values = PAPE_MULTI_FACTOR and multi-factor
    # authentication has not already been completed in the current session.
    acr_values = event.transaction.acr_values if event.transaction is not None else []
    is_mfa = PAPE_MULTI_FACTOR in acr_values

    auth_methods = []
    if event.authentication is not None and isinstance(event.authentication.methods, list):
        auth_methods = event.authentication.methods

    if is_mfa and not any(method.name == "mfa" for method in auth_methods):
        api.multifactor.enable("any", allow_remember_browser=False)
