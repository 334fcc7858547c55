"""The aiohttp application: the trainees' chat page, the scenario list, a trainee's own
transcript, the team leads' review (``sparring.web.review``) and the trainers' page
(``sparring.web.trainer``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from sparring.auth import conversation_of
from sparring.limits import MAX_ID_CHARS
from sparring.scenarios import Catalogue
from sparring.transcripts import TranscriptStore

STATIC_DIR = Path(__file__).with_name("static")
# Front-end packages are pinned in package.json / package-lock.json and installed by
# scripts/setup.sh (`npm ci`): nothing is fetched from a CDN at run time.
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
VENDOR_FILES = {
    "socket.io.min.js": NODE_MODULES / "socket.io-client" / "dist" / "socket.io.min.js",
}


@dataclass(frozen=True)
class WebConfig:
    rasa_port: int = 5005
    database_url: str = "sqlite:///var/sparring.db"


CONFIG = web.AppKey("config", WebConfig)
CONVERSATION_HEADER = "X-Sparring-Conversation"
CATALOGUE = web.AppKey("catalogue", Catalogue)
STORE = web.AppKey("store", TranscriptStore)


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "chat" / "index.html")


async def vendor(request: web.Request) -> web.StreamResponse:
    path = VENDOR_FILES.get(request.match_info["name"])
    if path is None or not path.exists():
        raise web.HTTPNotFound(text="front-end dependency missing: run `make run` (it runs `npm ci`)")
    return web.FileResponse(path)


async def client_config(request: web.Request) -> web.Response:
    """Where the page finds Rasa's socket.io channel (same host, Rasa's port)."""
    return web.json_response({"rasa_port": request.app[CONFIG].rasa_port, "socket_path": "/socket.io/"})


async def scenarios(request: web.Request) -> web.Response:
    catalogue = request.app[CATALOGUE].refresh()
    rows = [
        {**s.summary(), "patience_seconds": s.patience_seconds}
        for s in sorted(catalogue.scenarios.values(), key=lambda s: (s.difficulty, s.persona, s.id))
    ]
    return web.json_response(rows)


async def own_transcript(request: web.Request) -> web.Response:
    """A trainee's own latest run, for the secret their browser holds (sent as a header,
    so it never lands in an access log); the conversation's id alone opens nothing."""
    secret = request.headers.get(CONVERSATION_HEADER, "")
    runs = request.app[STORE].sessions(conversation_of(secret)) if 0 < len(secret) <= MAX_ID_CHARS else []
    if not runs:
        raise web.HTTPNotFound(text="no such session")
    return web.json_response(runs[0].as_dict())


def create_app(config: WebConfig) -> web.Application:
    from sparring.web import review, trainer

    # A scenario being edited on the trainers' page is the largest body anyone sends.
    app = web.Application(client_max_size=256 * 1024)
    app[CONFIG] = config
    app[CATALOGUE] = Catalogue()
    app[STORE] = TranscriptStore(config.database_url)
    app.router.add_get("/", index)
    app.router.add_get("/vendor/{name}", vendor)
    app.router.add_get("/api/config", client_config)
    app.router.add_get("/api/scenarios", scenarios)
    app.router.add_get("/api/transcript", own_transcript)
    app.router.add_static("/static/chat/", STATIC_DIR / "chat")  # the dashboard serves its own, behind login
    review.setup(app)
    trainer.setup(app)
    return app
