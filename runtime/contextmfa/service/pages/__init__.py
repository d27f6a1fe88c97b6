"""The hosted pages for end users, under ``/u``: server-rendered HTML on the service.

* ``/u/mfa``: the challenge page an identity provider sends a user to with an ``mfa_token``
  (:mod:`.challenge`), and the hand-back of the assertion;
* ``/u/enroll``: enrolling a factor in an enroll step (:mod:`.enroll`);
* ``/u/mfa/duo/callback``: back from Duo's Universal Prompt, in either step (:mod:`.duo`);
* ``/u/settings``: "My MFA settings", opened with a settings ticket (:mod:`.settings`);
* ``/u/static/...``: the pages' CSS, scripts and icon (:mod:`.files`).

The foundation is shared by every page: a sealed page-session cookie with a CSRF token
(:mod:`.session`, :mod:`.forms`), the security headers and strict CSP (:mod:`.security`), Jinja2
templates (:mod:`.rendering`, ``templates/base.html``), refusals rendered as pages
(:mod:`.routing`, :mod:`.errors`) and what the pages call each factor (:mod:`.labels`).
"""

from __future__ import annotations

from fastapi import APIRouter

from contextmfa.service.pages import challenge, duo, enroll, fallback, files, settings
from contextmfa.service.pages.routing import PageRoute

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)
for area in (challenge, duo, enroll, files, settings, fallback):  # fallback last: it matches all
    router.include_router(area.router)
