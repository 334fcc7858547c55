"""The trainers' page (issue 12): every route under ``/trainer``, behind the trainer login.

Page: ``/trainer/`` lists the scenarios with their status, and edits one: the scenario and
its scripted trainees side by side with live ``file:line`` problems, a test run, a preview
chat with the draft customer, and publishing. API (JSON, POST same-origin only):
``/trainer/api/scenarios``, ``/trainer/api/draft``, ``/trainer/api/lint``,
``/trainer/api/check``, ``/trainer/api/save``, ``/trainer/api/discard``, ``/trainer/api/publish``,
``/trainer/api/preview/start``, ``/trainer/api/preview/reply``, ``/trainer/api/template``.

Drafts are kept apart from ``scenarios/`` (``sparring.workshop``), so trainees never meet an
unpublished customer; the preview plays the draft in this process with the engine itself.
Engine work (the detector, a draft's tests, the preview) runs on one worker thread, so a test
run never stalls the pages and two runs never compete; the published scenarios' tests, shown
in the list, are played on a second one whenever the files change.
"""

from __future__ import annotations

import asyncio
import functools
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiohttp import web

from sparring import auth
from sparring.scenarios import Catalogue
from sparring.web.access import SIGNED_IN, Access, same_origin, secure
from sparring.workshop import PublishedTests, Workshop, WorkshopError, check_id

STATIC = Path(__file__).with_name("static") / "trainer"
ASSETS = {"trainer.js": "text/javascript", "trainer.css": "text/css", "new-scenario.yml": "text/plain",
          "new-tests.yml": "text/plain"}
SHARED_ASSETS = {"review.css": Path(__file__).with_name("static") / "review" / "review.css",
                 "common.js": Path(__file__).with_name("static") / "review" / "common.js"}
TRAINERS = Access(auth.TRAINER, "trainers", "published scenarios are signed with it",
                  web.AppKey("trainer_auth", auth.RoleAuth))
WORKSHOP = web.AppKey("workshop", Workshop)
PUBLISHED_TESTS = web.AppKey("published_tests", PublishedTests)
ENGINE = web.AppKey("engine", ThreadPoolExecutor)
BACKGROUND = web.AppKey("background", ThreadPoolExecutor)


def _run(request: web.Request, function, *args):
    return asyncio.get_running_loop().run_in_executor(request.app[ENGINE], functools.partial(function, *args))


async def _body(request: web.Request) -> dict:
    """A JSON object sent from the page itself; anything else is refused."""
    if not same_origin(request) or request.content_type != "application/json":
        raise WorkshopError("send JSON from the trainers' page")
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise WorkshopError("the body is not JSON") from None
    if not isinstance(body, dict):
        raise WorkshopError("send a JSON object")
    return body


def _refusal(handler):
    """A WorkshopError becomes a 400 with its message: the page shows it as it is."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except WorkshopError as refused:
            return web.json_response({"error": "refused", "message": str(refused)}, status=400)

    return wrapper


def api(handler):
    return TRAINERS.api(_refusal(handler))


# --- pages ------------------------------------------------------------------------------------


async def page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Content-Type": "text/html; charset=utf-8"})


async def asset(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name in SHARED_ASSETS:
        content_type = "text/css" if name.endswith(".css") else "text/javascript"
        return secure(web.FileResponse(SHARED_ASSETS[name], headers={"Content-Type": content_type}))
    if name not in ASSETS:
        raise web.HTTPNotFound()
    return secure(web.FileResponse(STATIC / name, headers={"Content-Type": ASSETS[name]}))


# --- API --------------------------------------------------------------------------------------


async def api_me(request: web.Request) -> web.Response:
    return web.json_response({"trainer": request[SIGNED_IN]})


async def api_scenarios(request: web.Request) -> web.Response:
    """The list, with each published scenario's test results once known: a change to the
    files starts a fresh run in the background, and the page asks again until it is done."""
    published_tests = request.app[PUBLISHED_TESTS]
    summary = await _run(request, published_tests.summary)
    if summary is None:
        asyncio.get_running_loop().run_in_executor(request.app[BACKGROUND], published_tests.play)
    return web.json_response(await _run(request, request.app[WORKSHOP].listing, summary))


async def api_draft(request: web.Request) -> web.Response:
    scenario_id = check_id(request.query.get("id", ""))
    text, tests = request.app[WORKSHOP].draft(scenario_id)
    return web.json_response({"id": scenario_id, "text": text, "tests": tests})


async def api_template(request: web.Request) -> web.Response:
    """A new scenario to start from, with the id filled in."""
    scenario_id = check_id(request.query.get("id", ""))
    text = (STATIC / "new-scenario.yml").read_text(encoding="utf-8").replace("new-scenario-id", scenario_id)
    tests = (STATIC / "new-tests.yml").read_text(encoding="utf-8").replace("new-scenario-id", scenario_id)
    return web.json_response({"id": scenario_id, "text": text, "tests": tests})


async def api_lint(request: web.Request) -> web.Response:
    body = await _body(request)
    problems = await _run(request, request.app[WORKSHOP].lint, check_id(str(body.get("id") or "")), body.get("text"))
    return web.json_response({"problems": [{"line": p.line, "field": p.field, "message": p.message, "text": str(p)}
                                           for p in problems]})


async def api_check(request: web.Request) -> web.Response:
    body = await _body(request)
    result = await _run(request, request.app[WORKSHOP].check, check_id(str(body.get("id") or "")), body.get("text"),
                        body.get("tests"))
    return web.json_response(result.as_dict())


async def api_save(request: web.Request) -> web.Response:
    body = await _body(request)
    scenario_id = check_id(str(body.get("id") or ""))
    await _run(request, request.app[WORKSHOP].save, scenario_id, body.get("text"), body.get("tests"))
    return web.json_response({"id": scenario_id, "saved": True})


async def api_discard(request: web.Request) -> web.Response:
    body = await _body(request)
    scenario_id = check_id(str(body.get("id") or ""))
    await _run(request, request.app[WORKSHOP].discard, scenario_id)
    return web.json_response({"id": scenario_id, "discarded": True})


async def api_publish(request: web.Request) -> web.Response:
    body = await _body(request)
    scenario_id = check_id(str(body.get("id") or ""))
    published = await _run(request, request.app[WORKSHOP].publish, scenario_id, request[SIGNED_IN])
    return web.json_response(published, status=201)


def _preview(text: str, scenario_id: str, action) -> dict:
    """Play the draft with the engine, from a folder holding only the draft: nothing of it
    reaches the scenarios trainees see."""
    from sparring.detector import default_detector
    from sparring.session import Simulator, UnknownScenario

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{scenario_id}.yml"
        path.write_text(text, encoding="utf-8")
        catalogue = Catalogue(Path(folder)).refresh()
        if scenario_id not in catalogue.scenarios:
            raise WorkshopError("the draft has problems: fix them before previewing it")
        try:
            return action(Simulator(catalogue, detector=default_detector()), catalogue.scenarios[scenario_id])
        except UnknownScenario:
            raise WorkshopError("the draft has problems: fix them before previewing it") from None


async def api_preview_start(request: web.Request) -> web.Response:
    body = await _body(request)
    scenario_id = check_id(str(body.get("id") or ""))

    def start(simulator, scenario):
        state, opening = simulator.start(scenario_id, seed=f"preview:{scenario.version}")
        return {"state": state.as_dict(), "lines": [opening], "scenario": scenario.summary()}

    return web.json_response(await _run(request, _preview, str(body.get("text") or ""), scenario_id, start))


async def api_preview_reply(request: web.Request) -> web.Response:
    body = await _body(request)
    scenario_id = check_id(str(body.get("id") or ""))
    state, reply = body.get("state"), str(body.get("reply") or "")
    if not isinstance(state, dict) or state.get("scenario_id") != scenario_id:
        raise WorkshopError("start the preview again: its state is missing")

    def turn(simulator, scenario):
        played = simulator.reply(state, reply)
        return {"state": played.state.as_dict(), "lines": played.lines, "turn": played.payload}

    return web.json_response(await _run(request, _preview, str(body.get("text") or ""), scenario_id, turn))


# Reading is GET; everything that changes or runs something is POST (same-origin JSON only).
API_ROUTES = (
    ("GET", "me", api_me), ("GET", "scenarios", api_scenarios), ("GET", "draft", api_draft),
    ("GET", "template", api_template), ("POST", "lint", api_lint), ("POST", "check", api_check),
    ("POST", "save", api_save), ("POST", "discard", api_discard), ("POST", "publish", api_publish),
    ("POST", "preview/start", api_preview_start), ("POST", "preview/reply", api_preview_reply),
)


def setup(app: web.Application) -> None:
    """Register the trainers' routes on the web application."""
    TRAINERS.setup(app)
    app[WORKSHOP] = Workshop()
    app[PUBLISHED_TESTS] = PublishedTests()
    app[ENGINE] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workshop")
    app[BACKGROUND] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="published-tests")
    app.router.add_get("/trainer/", TRAINERS.page(page))
    app.router.add_get("/trainer/assets/{name}", asset)
    for method, name, handler in API_ROUTES:
        app.router.add_route(method, f"/trainer/api/{name}", api(handler))
