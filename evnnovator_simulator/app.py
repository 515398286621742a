"""Assembles the aiohttp application: gateway middleware, API routes and control routes."""

from collections.abc import Iterable

from aiohttp import web

from .api import ApiHandlers
from .gateway import Gateway


def build_app(
    gateway: Gateway, api: ApiHandlers, control_routes: Iterable[web.RouteDef]
) -> web.Application:
    """Return the application serving the API behind `gateway`, plus the control routes."""
    app = web.Application(middlewares=[gateway.middleware()])
    app.add_routes(api.routes())
    app.add_routes(control_routes)
    return app
