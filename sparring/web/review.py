"""Team-lead review dashboard (issue 5): every route under ``/review``, behind the lead login.

Pages (HTML shells filled in by plain JavaScript from the JSON API; every text is set with
``textContent``): ``/review/`` (sessions, filters, team figures), ``/review/session?id=``
(transcript with highlighted evidence, mood chart, scorecard, overrides),
``/review/trainee?name=`` (progress over time).

API (JSON): ``/review/api/sessions``, ``/review/api/session``, ``/review/api/overrides``
(POST), ``/review/api/progress``, ``/review/api/team``, ``/review/api/options``. Exports:
``/review/export.csv``, ``/review/export.json``, ``/review/export.html`` (all with the
listing's filters) and ``/review/scorecard.html?id=`` (one printable scorecard).

Without a valid lead cookie (or ``Authorization: Bearer <token>``) pages redirect to the
login page and API and export requests get 401. The token is configured, never shipped:
see ``sparring.auth``.
"""

from __future__ import annotations

import asyncio
import functools
import json
from pathlib import Path

from aiohttp import web

from sparring import auth
from sparring import reports, versions
from sparring.overrides import InvalidOverride
from sparring.web.access import SIGNED_IN, Access, Handler, same_origin, secure

STATIC = Path(__file__).with_name("static") / "review"
ASSETS = {"review.css": "text/css", "common.js": "text/javascript", "index.js": "text/javascript",
          "session.js": "text/javascript", "trainee.js": "text/javascript"}
REVIEWER = web.AppKey("reviewer", reports.Reviewer)
LEADS = Access(auth.LEAD, "team-lead review", "overrides are signed with it", web.AppKey("lead_auth", auth.RoleAuth))
lead_page, lead_api = LEADS.page, LEADS.api
PRINT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
             "frame-ancestors 'none'")


# ------------------------------------------------------------------------ pages


async def asset(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in ASSETS:
        raise web.HTTPNotFound()
    return secure(web.FileResponse(STATIC / name, headers={"Content-Type": ASSETS[name]}))


def _page(name: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / name, headers={"Content-Type": "text/html; charset=utf-8"})

    handler.__name__ = f"page_{name.split('.')[0]}"
    return lead_page(handler)


# ------------------------------------------------------------------------ API


def _run(request: web.Request, function, *args, **kwargs):
    """Database work runs in a thread, so one slow query never stalls the trainees' pages."""
    return asyncio.get_running_loop().run_in_executor(None, functools.partial(function, *args, **kwargs))


def _filters(request: web.Request) -> reports.Filters:
    return reports.Filters.from_mapping(request.query)


def _sort(request: web.Request) -> tuple[str, bool]:
    key = request.query.get("sort") or "started_at"
    return key, request.query.get("order", "desc") != "asc"


async def api_me(request: web.Request) -> web.Response:
    return web.json_response({"lead": request[SIGNED_IN]})


async def api_options(request: web.Request) -> web.Response:
    return web.json_response(await _run(request, request.app[REVIEWER].options))


async def api_sessions(request: web.Request) -> web.Response:
    filters, (key, descending) = _filters(request), _sort(request)
    reviews = await _run(request, request.app[REVIEWER].reviews, filters, key, descending)
    return web.json_response({"filters": filters.as_dict(), "sort": key, "order": "desc" if descending else "asc",
                              "count": len(reviews), "sessions": [r.row() for r in reviews]})


async def _one(request: web.Request) -> reports.Review:
    session_id = request.query.get("id", "")
    review = await _run(request, request.app[REVIEWER].review, session_id) if session_id else None
    if review is None:
        raise web.HTTPNotFound(text=json.dumps({"error": "not_found", "message": "no such session"}),
                               content_type="application/json")
    return review


async def api_session(request: web.Request) -> web.Response:
    review = await _one(request)
    return web.json_response({**review.detail(), "lead": request[SIGNED_IN]})


async def api_override(request: web.Request) -> web.Response:
    if not same_origin(request) or request.content_type != "application/json":
        return web.json_response({"error": "forbidden", "message": "send JSON from the dashboard"}, status=403)
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return web.json_response({"error": "bad_request", "message": "the body is not JSON"}, status=400)
    if not isinstance(body, dict):
        return web.json_response({"error": "bad_request", "message": "send a JSON object"}, status=400)
    reviewer = request.app[REVIEWER]
    try:
        override = await _run(request, reviewer.override, str(body.get("session_id") or ""), str(body.get("kind") or ""),
                              str(body.get("target") or ""), body.get("value"), str(body.get("reason") or ""),
                              request[SIGNED_IN])
    except LookupError:
        return web.json_response({"error": "not_found", "message": "no such session"}, status=404)
    except InvalidOverride as invalid:
        return web.json_response({"error": "invalid_override", "message": str(invalid)}, status=400)
    review = await _run(request, reviewer.review, override.session_id)
    return web.json_response({"override": override.as_dict(), "session": review.detail()}, status=201)


async def api_progress(request: web.Request) -> web.Response:
    trainee = (request.query.get("trainee") or "").strip()
    if not trainee:
        return web.json_response({"error": "bad_request", "message": "give ?trainee=NAME"}, status=400)
    filters = reports.Filters.from_mapping({**request.query, "trainee": trainee})
    reviews = await _run(request, request.app[REVIEWER].reviews, filters)
    return web.json_response(reports.progress(reviews, trainee))


async def api_team(request: web.Request) -> web.Response:
    reviews = await _run(request, request.app[REVIEWER].reviews, _filters(request))
    return web.json_response({"filters": _filters(request).as_dict(), **reports.team(reviews)})


def _export(fmt: str) -> Handler:
    content_types = {"csv": "text/csv", "json": "application/json", "html": "text/html"}

    async def handler(request: web.Request) -> web.Response:
        filters, (key, descending) = _filters(request), _sort(request)
        reviews = await _run(request, request.app[REVIEWER].reviews, filters, key, descending)
        text = reports.render(reviews, fmt, filters)
        headers = {"Content-Disposition": f'attachment; filename="sparring-sessions.{fmt}"'} if fmt != "html" else {}
        return web.Response(text=text, content_type=content_types[fmt], charset="utf-8", headers=headers)

    handler.__name__ = f"export_{fmt}"
    if fmt == "html":
        handler.csp = PRINT_CSP
    return lead_api(handler)


async def version(request: web.Request) -> web.Response:
    """An archived scenario or playbook text, as a session was played against it."""
    text = versions.read(request.query.get("kind", ""), request.query.get("name", ""), request.query.get("version", ""))
    if text is None:
        raise web.HTTPNotFound(text="no such version in the archive (var/versions/)")
    return web.Response(text=text, content_type="text/plain", charset="utf-8")


async def printable(request: web.Request) -> web.Response:
    review = await _one(request)
    return web.Response(text=reports.to_html([review], title=f"Scorecard {review.session.session_id}"),
                        content_type="text/html", charset="utf-8")


printable.csp = PRINT_CSP


def setup(app: web.Application) -> None:
    """Register the review routes on the web application."""
    from sparring.web.app import CONFIG, STORE

    LEADS.setup(app)
    store = app.get(STORE)
    app[REVIEWER] = reports.Reviewer(app[CONFIG].database_url, store=store)
    routes = app.router
    routes.add_get("/review/assets/{name}", asset)
    routes.add_get("/review/", _page("index.html"))
    routes.add_get("/review/session", _page("session.html"))
    routes.add_get("/review/trainee", _page("trainee.html"))
    routes.add_get("/review/api/me", lead_api(api_me))
    routes.add_get("/review/api/options", lead_api(api_options))
    routes.add_get("/review/api/sessions", lead_api(api_sessions))
    routes.add_get("/review/api/session", lead_api(api_session))
    routes.add_post("/review/api/overrides", lead_api(api_override))
    routes.add_get("/review/api/progress", lead_api(api_progress))
    routes.add_get("/review/api/team", lead_api(api_team))
    for fmt in reports.FORMATS:
        routes.add_get(f"/review/export.{fmt}", _export(fmt))
    routes.add_get("/review/scorecard.html", lead_api(printable))
    routes.add_get("/review/version", lead_api(version))
