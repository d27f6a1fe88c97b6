"""The headers every hosted page answers with, and the same-origin check of its POSTs.

The Content-Security-Policy allows nothing but this service's own scripts, styles, images (and
``data:`` images: QR codes), its own ``fetch`` endpoints and forms posted to itself - plus, on
the hand-back page only, the origin of the identity provider's ``return_to``. There is no inline
script or style anywhere (no ``style=`` attribute either), so ``'unsafe-inline'`` is never
needed. Pages are never cached (they carry CSRF tokens, codes, assertions) and never framed.

``Referrer-Policy: same-origin``: nothing leaks to another site (the hand-back POST to the
identity provider carries no Referer), while the pages' own POSTs keep their ``Origin`` header,
which :func:`same_origin` checks. (With ``no-referrer`` browsers send ``Origin: null`` on every
form POST, and the origin check could tell nothing.)
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["content_security_policy", "origin_of", "protect", "same_origin"]

_FIXED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL; None for anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def content_security_policy(form_targets: Iterable[str] = ()) -> str:
    """The pages' policy; ``form_targets`` are extra origins a form may post to."""
    extra = "".join(f" {origin}" for origin in sorted(set(form_targets)))
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; form-action 'self'{extra}; frame-ancestors 'none'; "
        "base-uri 'none'"
    )


def protect(
    response: Response, *, form_targets: Iterable[str] = (), cache: str | None = None
) -> Response:
    """Put the page headers on ``response`` (``cache`` replaces ``no-store``, for static files)."""
    response.headers["Content-Security-Policy"] = content_security_policy(form_targets)
    for name, value in _FIXED.items():
        response.headers[name] = value
    if cache is not None:
        response.headers["Cache-Control"] = cache
    return response


def same_origin(request: Request, also: Iterable[str] = ()) -> bool:
    """False when the browser says the request came from another origin.

    ``Origin`` is checked when present (``null`` is another origin), else the origin of
    ``Referer``; a request with neither is not refused here (the CSRF token still is the check).
    ``also`` lists more origins that are this service (``[service] webauthn_origins``: the
    origins browsers see behind a proxy).
    """
    claimed = request.headers.get("origin")
    if claimed is None:
        referer = request.headers.get("referer")
        if referer is None:
            return True
        claimed = origin_of(referer) or "null"
    own = {f"{request.url.scheme}://{request.url.netloc}".lower()}
    own.update(o.rstrip("/").lower() for o in also)
    return claimed.strip().lower() in own
