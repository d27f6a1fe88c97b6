"""Any other address under ``/u``: a "page not found" page, not the API's JSON.

Its router goes last into :data:`contextmfa.service.pages.router`: routes are matched in order,
and this one matches every path under ``/u``.
"""

from __future__ import annotations

from fastapi import APIRouter

from contextmfa.service.pages.errors import PageNotFound
from contextmfa.service.pages.routing import PageRoute

__all__ = ["router"]

router = APIRouter(route_class=PageRoute)


@router.api_route("/u/{rest:path}", methods=["GET", "POST"])
def not_found(rest: str) -> None:
    raise PageNotFound()
