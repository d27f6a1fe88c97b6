"""Require MFA when the login comes from a device the user was not seen with: a port of the
Auth0 rule "Adaptive MFA".

Source
    auth0/rules, src/rules/adaptive-mfa.js (commit 7c12d70).

What it does
    Reads the NewDevice assessment of the login's risk assessment and prompts for MFA with any
    enrolled factor, remember-browser off, when its confidence is low or medium (a device not
    seen before, or only partly recognised), and only when the user has at least one enrolled
    factor: a user with none is left to the rest of the flow.

Port
    context.riskAssessment                     -> event.authentication.risk_assessment
    .assessments.NewDevice.confidence          -> the confidence of assessments.new_device.code
                                                  (below)
    user.multifactor                           -> event.user.enrolled_factors
    context.multifactor = {provider: "any",    -> api.multifactor.enable("any",
      allowRememberBrowser: false}                  allow_remember_browser=False)
    callback(null, user, context)              -> return

Differences from the original
    - Auth0 gives every assessor a confidence; this runtime's assessors report a code
      (login-events.md) and one overall confidence. The port derives the NewDevice confidence
      from the code: match = high, partial_match = medium (the pair in Auth0's documented log
      entry), no_match = low, initial_login and unknown_device = neutral (no useful
      information; the runtime's overall confidence counts neither as a concern).
    - The original's switch leaves an unknown confidence undecided, which does not prompt; the
      port treats a code it does not know, or a missing assessment, as low (fail closed).

Secrets
    none.

Contributes
    require MFA (any factor, remember off)   partial_match or no_match, user has a factor
    nothing                                  a known device, first login, no factor enrolled
"""

NEW_DEVICE_CONFIDENCE = {
    "match": "high",
    "partial_match": "medium",
    "no_match": "low",
    "initial_login": "neutral",
    "unknown_device": "neutral",
}
SHOULD_PROMPT_MFA = {"low": True, "medium": True, "high": False, "neutral": False}


def confidence_of(assessment):
    """The confidence Auth0 reports with this NewDevice code; "low" when unknown or missing."""
    if assessment is None:
        return "low"
    return NEW_DEVICE_CONFIDENCE.get(assessment.code, "low")


def on_execute_post_login(event, api):
    risk_assessment = event.authentication.risk_assessment

    # Prompt MFA only based on the NewDevice confidence level: this prompts for MFA when a user
    # is logging in from an unknown device. A neutral confidence carries no useful information.
    should_prompt_mfa = SHOULD_PROMPT_MFA[confidence_of(risk_assessment.assessments.new_device)]

    # It only makes sense to prompt for MFA when the user has at least one enrolled factor.
    user_enrolled_factors = event.user.enrolled_factors or []
    can_prompt_mfa = len(user_enrolled_factors) > 0

    if should_prompt_mfa and can_prompt_mfa:
        # Prompt even when the user chose to remember the browser.
        api.multifactor.enable("any", allow_remember_browser=False)
