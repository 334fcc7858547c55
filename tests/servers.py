"""Start the real action server and Rasa server for end-to-end tests, on free ports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, log: Path, seconds: float = 240) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {seconds}s:\n{log.read_text()[-3000:]}")


@dataclass
class Servers:
    rasa_url: str
    actions_url: str
    web_url: str
    workdir: Path
    tracker_store: dict
    database_url: str
    processes: dict

    def send(self, sender: str, message: str) -> list[dict]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(f"{self.rasa_url}/webhooks/rest/webhook", body,
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"[]")


def start_action_server(port: int, log: Path, env: dict) -> subprocess.Popen:
    """As `make run` starts it: on loopback only."""
    return subprocess.Popen(
        [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(port), "--actions", "actions"],
        cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT, env={**env, "SANIC_HOST": "127.0.0.1"},
    )


def start_rasa_server(port: int, endpoints: Path, log: Path, env: dict, extra: list[str] = (),
                      web_port: int | None = None) -> subprocess.Popen:
    """As `make run` starts it: on loopback, answering cross-origin requests from the web page only."""
    origins = [f"http://127.0.0.1:{web_port}", f"http://localhost:{web_port}"] if web_port else []
    return subprocess.Popen(
        [str(VENV_BIN / "rasa"), "run", "--model", str(ROOT / "models" / "sparring.tar.gz"), "--interface", "127.0.0.1",
         "--port", str(port), "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml"),
         "--cors", *origins, *extra],
        cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env,
    )


def start_web_server(port: int, rasa_port: int, database_url: str, log: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sparring.web", "--port", str(port), "--rasa-port", str(rasa_port),
         "--database-url", database_url],
        cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env,
    )


@contextmanager
def running_servers(workdir: Path, tracker_store: dict | None = None, database_url: str | None = None,
                    scenarios_dir: Path | None = None, extra_env: dict | None = None):
    """The action server, the Rasa server and the web server, with their own tracker store
    (a fresh SQLite file by default) and optionally their own scenario folder."""
    workdir.mkdir(parents=True, exist_ok=True)
    rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
    tracker_store = tracker_store or {"type": "SQL", "dialect": "sqlite", "db": str(workdir / "tracker.db")}
    database_url = database_url or f"sqlite:///{workdir / 'tracker.db'}"
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({
        "action_endpoint": {"url": f"http://127.0.0.1:{actions_port}/webhook"},
        "tracker_store": tracker_store,
    }))
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", **(extra_env or {})}
    if scenarios_dir is not None:
        env["SPARRING_SCENARIOS"] = str(scenarios_dir)
    actions = start_action_server(actions_port, workdir / "actions.log", env)
    rasa = start_rasa_server(rasa_port, endpoints, workdir / "rasa.log", env, web_port=web_port)
    web = start_web_server(web_port, rasa_port, database_url, workdir / "web.log", env)
    servers = Servers(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}",
                      f"http://127.0.0.1:{web_port}", workdir, tracker_store, database_url,
                      {"actions": actions, "rasa": rasa, "web": web})
    try:
        _wait(f"{servers.actions_url}/health", actions, workdir / "actions.log")
        _wait(f"{servers.rasa_url}/", rasa, workdir / "rasa.log")
        _wait(f"{servers.web_url}/api/scenarios", web, workdir / "web.log")
        yield servers
    finally:
        for process in servers.processes.values():
            process.terminate()
        for process in servers.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
