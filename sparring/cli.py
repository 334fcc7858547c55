"""``sparring`` command line: scenarios, lint, classify, chat.

Imports are lazy per command: importing spaCy costs seconds, and `sparring scenarios` or
`sparring lint` should answer at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _scenarios(args: argparse.Namespace) -> int:
    from sparring.scenarios import Catalogue

    catalogue = Catalogue().refresh()
    rows = [s.summary() for s in sorted(catalogue.scenarios.values(), key=lambda s: (s.persona, s.id))]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['id']:<24} {row['persona']:<20} {row['difficulty']:<7} {row['title']}")
    for problem in catalogue.problems:
        print(f"refused: {problem}", file=sys.stderr)
    return 0


def _lint(args: argparse.Namespace) -> int:
    from sparring.scenarios import SCENARIO_DIR, lint

    paths = [Path(p) for p in args.paths] or [SCENARIO_DIR]
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"{path}:1: (file): no such file or folder", file=sys.stderr)
    problems = lint([p for p in paths if p.exists()])
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems or missing:
        print(f"{len(problems) + len(missing)} problem(s)", file=sys.stderr)
        return 1
    print("all scenarios valid")
    return 0


def _classify(args: argparse.Namespace) -> int:
    from sparring.detector import classify_lines

    for result in classify_lines(sys.stdin):
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def _chat(args: argparse.Namespace) -> int:
    from sparring.terminal import chat

    return chat(args.url, args.trainee)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="sparring", description=__doc__.splitlines()[0])
    verbs = root.add_subparsers(dest="verb", required=True)

    listing = verbs.add_parser("scenarios", help="list the scenarios (id, persona, difficulty, title)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=_scenarios)

    linting = verbs.add_parser("lint", help="check scenario files and the playbook; non-zero exit on any error")
    linting.add_argument("paths", nargs="*", help="files or folders (default: scenarios/)")
    linting.set_defaults(run=_lint)

    classify = verbs.add_parser("classify", help='JSON lines {"text", "context"} on stdin -> moves and penalties')
    classify.set_defaults(run=_classify)

    chat = verbs.add_parser("chat", help="chat in the terminal with a running `make run`")
    chat.add_argument("--url", default="http://localhost:5005", help="Rasa server (default %(default)s)")
    chat.add_argument("--trainee", default="", help="your name (asked when omitted)")
    chat.set_defaults(run=_chat)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)
