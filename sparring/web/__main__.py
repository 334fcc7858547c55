"""python -m sparring.web: start the web server (started for you by `make run`)."""

import argparse

from aiohttp import web

from sparring.web.app import WebConfig, create_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sparring.web")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-port", type=int, default=5005, help="port of Rasa's socket.io channel")
    parser.add_argument("--database-url", default="sqlite:///var/sparring.db", help="Rasa's tracker store (SQLAlchemy URL)")
    args = parser.parse_args()
    config = WebConfig(rasa_port=args.rasa_port, database_url=args.database_url)
    web.run_app(create_app(config), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
