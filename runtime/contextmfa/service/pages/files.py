"""``GET /u/static/<name>``: the shipped static files, cacheable, with the page headers."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from contextmfa.service.pages.assets import ASSETS, CACHE, STATIC_PREFIX
from contextmfa.service.pages.errors import PageNotFound
from contextmfa.service.pages.routing import PageRoute
from contextmfa.service.pages.security import protect

__all__ = ["router"]

router = APIRouter(route_class=PageRoute)


@router.get(STATIC_PREFIX + "/{name}")
def static_file(name: str) -> Response:
    asset = ASSETS.get(name)
    if asset is None:
        raise PageNotFound("There is no such file.")
    return protect(Response(asset.body, media_type=asset.media_type), cache=CACHE)
