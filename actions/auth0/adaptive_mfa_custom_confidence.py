"""Require MFA when the user's travel since the last login looks unusual: a port of the Auth0
rule "Adaptive MFA with Custom Confidence".

Source
    auth0/rules, src/rules/adaptive-mfa-custom-confidence.js (commit 6f71594).

What it does
    Reads the ImpossibleTravel assessment of the login's risk assessment and prompts for MFA
    with any enrolled factor, remember-browser off, when its confidence is low or medium
    (impossible or substantial travel since the last login), and only when the user has at
    least one enrolled factor. It is the "Adaptive MFA" rule with the assessor's confidence
    chosen by the tenant: here the travel one instead of the device one.

Port
    context.riskAssessment                     -> event.authentication.risk_assessment
    .assessments.ImpossibleTravel.confidence   -> the confidence of
                                                  assessments.impossible_travel.code (below)
    user.multifactor                           -> event.user.enrolled_factors
    context.multifactor = {provider: "any",    -> api.multifactor.enable("any",
      allowRememberBrowser: false}                  allow_remember_browser=False)
    callback(null, user, context)              -> return

Differences from the original
    - Auth0 gives every assessor a confidence; this runtime's assessors report a code
      (login-events.md) and one overall confidence. The port derives the ImpossibleTravel
      confidence from the code the way the runtime's overall confidence weighs it:
      impossible_travel_from_last_login = low, substantial_travel_from_last_login = medium,
      travel_from_last_login and minimal_travel_from_last_login = high, initial_login and
      missing_geoip = neutral (no useful information).
    - The original's switch leaves an unknown confidence undecided, which does not prompt; the
      port treats a code it does not know, or a missing assessment, as low (fail closed).

Secrets
    none.

Contributes
    require MFA (any factor, remember off)   impossible or substantial travel, user has a factor
    nothing                                  other travel, first login, no GeoIP, no factor
"""

IMPOSSIBLE_TRAVEL_CONFIDENCE = {
    "impossible_travel_from_last_login": "low",
    "substantial_travel_from_last_login": "medium",
    "travel_from_last_login": "high",
    "minimal_travel_from_last_login": "high",
    "initial_login": "neutral",
    "missing_geoip": "neutral",
}
SHOULD_PROMPT_MFA = {"low": True, "medium": True, "high": False, "neutral": False}


def confidence_of(assessment):
    """The confidence for this ImpossibleTravel code; "low" when unknown or missing."""
    if assessment is None:
        return "low"
    return IMPOSSIBLE_TRAVEL_CONFIDENCE.get(assessment.code, "low")


def on_execute_post_login(event, api):
    risk_assessment = event.authentication.risk_assessment

    # Prompt MFA only based on the ImpossibleTravel confidence level. A neutral confidence
    # carries no useful information, so it does not prompt.
    travel = risk_assessment.assessments.impossible_travel
    should_prompt_mfa = SHOULD_PROMPT_MFA[confidence_of(travel)]

    # It only makes sense to prompt for MFA when the user has at least one enrolled factor.
    user_enrolled_factors = event.user.enrolled_factors or []
    can_prompt_mfa = len(user_enrolled_factors) > 0

    if should_prompt_mfa and can_prompt_mfa:
        # Prompt even when the user chose to remember the browser.
        api.multifactor.enable("any", allow_remember_browser=False)
