"""Signed-in pages for a role (team leads under /review, trainers under /trainer).

One login flow, one set of guards and security headers for every role, so the two parts of
the site cannot drift apart: pages redirect to the role's login page unless someone of that
role is signed in; API calls answer 401; logins are same-origin only, slowed down on a
wrong token and refused for a while after many (``auth.Throttle``); every response carries
the same strict headers.
"""

from __future__ import annotations

import asyncio
import html
import urllib.parse
from math import ceil
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Awaitable, Callable

from aiohttp import web

from sparring import auth

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LOGIN_PAGE = Path(__file__).with_name("static") / "login.html"
SIGNED_IN = "sparring.signed_in"  # the request key holding the signed-in name

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make browsers send "Origin: null" on the login form
    "Cache-Control": "no-store",
}


THROTTLE = web.AppKey("login_throttle", auth.Throttle)


def _client(request: web.Request) -> str:
    """Who is guessing: the peer address (behind a reverse proxy, every client shares the
    proxy's; see docs/security.md)."""
    return request.remote or "unknown"


def secure(response: web.StreamResponse, csp: str | None = None) -> web.StreamResponse:
    response.headers.update(SECURITY_HEADERS)
    if csp:
        response.headers["Content-Security-Policy"] = csp
    return response


def redirect(location: str, status: int = 303) -> web.Response:
    return web.Response(status=status, headers={"Location": location})


def same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    return urllib.parse.urlparse(origin).netloc == request.host


@dataclass
class Access:
    """The guards and the login flow of one role's part of the site."""

    role: auth.Role
    title: str  # "team-lead review", "trainers"
    name_note: str  # why the name is asked ("overrides are signed with it")
    key: web.AppKey

    @property
    def base(self) -> str:
        return self.role.path

    def signed_in(self, request: web.Request) -> str | None:
        checker = request.app[self.key]
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            if checker.check_token(header[7:]):
                request.app[THROTTLE].succeeded(_client(request))
                return "api"
            request.app[THROTTLE].failed(_client(request))
        return checker.verify(request.cookies.get(self.role.cookie))

    def page(self, handler: Handler) -> Handler:
        """Pages: redirect to the login page unless someone of the role is signed in."""

        @wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            who = self.signed_in(request)
            if who is None:
                login = f"{self.base}/login?" + urllib.parse.urlencode({"next": request.path_qs})
                return secure(redirect(login, 302))
            request[SIGNED_IN] = who
            return secure(await handler(request))

        return wrapper

    def api(self, handler: Handler) -> Handler:
        """API calls and exports: 401 unless someone of the role is signed in."""

        @wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            wait = request.app[THROTTLE].wait(_client(request))
            if wait and request.headers.get("Authorization"):
                return secure(web.json_response({"error": "too_many_attempts", "retry_after": ceil(wait)}, status=429,
                                                headers={"Retry-After": str(ceil(wait))}))
            who = self.signed_in(request)
            if who is None:
                return secure(web.json_response({"error": "login_required", "login": f"{self.base}/login"}, status=401,
                                                headers={"WWW-Authenticate": f'Bearer realm="sparring-{self.role.name}"'}))
            request[SIGNED_IN] = who
            try:
                return secure(await handler(request), getattr(handler, "csp", None))
            except ValueError as bad:  # a bad filter, date or sort given in the query
                return secure(web.json_response({"error": "bad_request", "message": str(bad)}, status=400))

        return wrapper

    # --- login ------------------------------------------------------------------------------

    def login_page(self, error: str = "", next_url: str = "", status: int = 200) -> web.Response:
        values = {"title": self.title, "base": self.base, "role": self.role.name, "name_note": self.name_note,
                  "error": error, "error_hidden": "" if error else "hidden", "next": next_url or f"{self.base}/",
                  "token_env": self.role.token_env, "token_file": f"var/{self.role.name}-token"}
        page = LOGIN_PAGE.read_text(encoding="utf-8")
        for name, value in values.items():
            page = page.replace("{{" + name + "}}", value if name == "error_hidden" else html.escape(value, quote=True))
        return secure(web.Response(text=page, content_type="text/html", status=status))

    def safe_next(self, value: str | None) -> str:
        value = value or f"{self.base}/"
        if not value.startswith(self.base) or value.startswith("//") or any(ch in value for ch in "\\\n\r"):
            return f"{self.base}/"
        return value

    def locked(self) -> web.Response:
        return self.login_page(f"Locked: no {self.role.name} token is configured on the server.", status=503)

    async def login_form(self, request: web.Request) -> web.StreamResponse:
        if not request.app[self.key].configured:
            return self.locked()
        return self.login_page(next_url=self.safe_next(request.query.get("next")))

    async def login(self, request: web.Request) -> web.StreamResponse:
        checker = request.app[self.key]
        form = await request.post()
        next_url = self.safe_next(form.get("next"))
        if not checker.configured:
            return self.locked()
        if not same_origin(request):
            return self.login_page("Please sign in from this page.", next_url, status=403)
        name = auth.clean_name(str(form.get("name") or ""))
        throttle, client = request.app[THROTTLE], _client(request)
        wait = throttle.wait(client)
        if wait:
            page = self.login_page(f"Too many wrong tokens from this address: try again in {ceil(wait)} seconds.",
                                   next_url, status=429)
            page.headers["Retry-After"] = str(ceil(wait))
            return page
        if not checker.check_token(str(form.get("token") or "")):
            throttle.failed(client)
            await asyncio.sleep(0.3)  # slow down guessing
            return self.login_page("That token is not right.", next_url, status=401)
        throttle.succeeded(client)
        if not name:
            return self.login_page(f"Please give your name: {self.name_note}.", next_url, status=400)
        response = redirect(next_url)
        response.set_cookie(self.role.cookie, checker.issue(name), max_age=auth.COOKIE_MAX_AGE, path=self.base,
                            httponly=True, samesite="Strict", secure=request.secure)
        return secure(response)

    async def logout(self, request: web.Request) -> web.StreamResponse:
        response = redirect(f"{self.base}/login")
        response.del_cookie(self.role.cookie, path=self.base)
        return secure(response)

    def setup(self, app: web.Application) -> None:
        app[self.key] = auth.role_auth(self.role)
        if THROTTLE not in app:
            app[THROTTLE] = auth.Throttle()  # one for the whole site: a guess at any role's token counts
        app.router.add_get(f"{self.base}/login", self.login_form)
        app.router.add_post(f"{self.base}/login", self.login)
        app.router.add_post(f"{self.base}/logout", self.logout)
        app.router.add_get(self.base, self.to_index)

    async def to_index(self, request: web.Request) -> web.StreamResponse:
        return redirect(f"{self.base}/", 302)
