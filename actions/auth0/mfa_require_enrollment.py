"""Users who have no MFA factor yet enroll one on their next login: a port of the Auth0 rule
"Require MFA Enrollment".

Source
    auth0/rules, src/rules/mfa-require-enrollment.js (commit 7fbe436).

What it does
    When the user has no enrolled factor (`event.user.enrolled_factors` is empty), requires MFA
    with any factor. A requirement the user cannot meet becomes an enrollment step in this
    runtime (decisions.md, resolution step 5), which is what the original relied on Auth0 to
    do. Users with a factor are left to the rest of the flow: pair it with adaptive MFA (the
    `adaptive` dashboard policy, or the adaptive_mfa port) to challenge risky logins.

Port
    user.multifactor || []                    -> event.user.enrolled_factors or []
    enrolledFactors.length === 0               -> len(enrolled_factors) == 0
    context.multifactor = {provider: "any"}    -> api.multifactor.enable("any",
                                                     allow_remember_browser=True)
    callback(null, user, context)             -> return

Differences from the original
    - None in behaviour. The original sets no allowRememberBrowser, whose default in Rules is
      true, so the port passes True.
    - A user whose only factor is a verified email (with the email factor enabled) counts as
      enrolled at resolution, as in Auth0, and is challenged by email instead of enrolling.

Secrets
    none.

Contributes
    require MFA (any factor, remember on)   no enrolled factor: an enrollment step
    nothing                                 the user has a factor
"""


def on_execute_post_login(event, api):
    enrolled_factors = event.user.enrolled_factors or []
    if len(enrolled_factors) == 0:
        # The user has not enrolled in any MFA factor yet: trigger an MFA enrollment.
        api.multifactor.enable("any", allow_remember_browser=True)
