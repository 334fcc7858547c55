"""Team-lead review dashboard (issue 5): routes are registered here by `setup`."""

from aiohttp import web


def setup(app: web.Application) -> None:
    """Register the review routes on the web application."""
