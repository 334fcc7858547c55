"""``sparring`` command line: scenarios, lint, classify, eval, test-scenarios, schema, report, chat.

Imports are lazy per command: importing spaCy costs seconds, and `sparring scenarios` or
`sparring lint` should answer at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_DATABASE_URL = f"sqlite:///{Path(__file__).resolve().parent.parent / 'var' / 'sparring.db'}"


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
    problems += _lint_tests([p for p in paths if p.is_dir()])
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems or missing:
        print(f"{len(problems) + len(missing)} problem(s)", file=sys.stderr)
        return 1
    print("all scenarios and their tests valid")
    return 0


def _lint_tests(folders: list[Path]) -> list:
    """The scenario tests beside the scenario folders linted (``<folder>/tests/``)."""
    from sparring.scenario_tests import load_suite

    return [problem for folder in folders if (folder / "tests").is_dir()
            for problem in load_suite(folder / "tests", known=[path.stem for path in folder.glob("*.yml")]).problems]


def _classify(args: argparse.Namespace) -> int:
    from sparring.detector import classify_lines
    from sparring.scenarios import Catalogue

    for result in classify_lines(sys.stdin, Catalogue()):
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from sparring.evaluation import run

    print(run(args.split, Path(args.json) if args.json else None, args.errors, args.cv))
    return 0


def _test_scenarios(args: argparse.Namespace) -> int:
    from sparring.scenario_tests import Runner, load_suite, missing_tests, report
    from sparring.scenarios import Catalogue
    from sparring.session import Simulator

    catalogue = Catalogue().refresh()
    suite = load_suite(known=catalogue.scenarios)
    wanted = args.scenarios or sorted(catalogue.scenarios)
    unknown = [sid for sid in wanted if sid not in catalogue.scenarios]
    problems = [str(p) for p in catalogue.problems + suite.problems]
    problems += [f"unknown scenario {sid!r}" for sid in unknown]
    problems += missing_tests(suite, [sid for sid in wanted if sid in catalogue.scenarios])
    runner = Runner(Simulator(catalogue))
    known = [sid for sid in wanted if sid in catalogue.scenarios]
    plays = runner.run_for(suite, known) if args.scenarios else runner.run(suite)
    print(report(plays))
    if args.json:
        rows = [{"check": p.check, "scenario": p.scenario_id, "source": p.source, "script": p.script.name,
                 "kind": p.script.kind, "expected": p.expected, "overall": p.overall, "outcome": p.outcome,
                 "accepted": p.accepted, "turns": p.turns, "passed": p.passed} for p in plays]
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems or not all(p.passed for p in plays) else 0


def _schema(args: argparse.Namespace) -> int:
    from sparring.schemas import SCHEMA_DIR, stale, write

    if args.check:
        outdated = stale()
        for name in outdated:
            print(f"{SCHEMA_DIR / name}: out of date; run `sparring schema`", file=sys.stderr)
        return 1 if outdated else 0
    for path in write():
        print(path)
    return 0


def _chat(args: argparse.Namespace) -> int:
    from sparring.terminal import chat

    return chat(args.url, args.trainee)


def _report(args: argparse.Namespace) -> int:
    import os

    from sparring.reports import Filters, Reviewer, render

    url = args.database_url or os.environ.get("SPARRING_DATABASE_URL") or DEFAULT_DATABASE_URL
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        print(f"error: no tracker store at {url[len('sqlite:///'):]} (start `make run` or give --database-url)",
              file=sys.stderr)
        return 1
    try:
        filters = Filters(trainee=args.trainee, scenario_id=args.scenario, outcome=args.outcome,
                          since=args.since, until=args.until)
    except ValueError as bad:
        print(f"error: {bad}", file=sys.stderr)
        return 2
    reviews = Reviewer(url).reviews(filters, sort="started_at", descending=False)
    text = render(reviews, args.format, filters)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"{len(reviews)} session(s) written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="sparring", description=__doc__.splitlines()[0])
    verbs = root.add_subparsers(dest="verb", required=True)

    listing = verbs.add_parser("scenarios", help="list the scenarios (id, persona, difficulty, title)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=_scenarios)

    linting = verbs.add_parser("lint", help="check scenario files and the playbook; non-zero exit on any error")
    linting.add_argument("paths", nargs="*", help="files or folders (default: scenarios/)")
    linting.set_defaults(run=_lint)

    classify = verbs.add_parser("classify", help='JSON lines {"text", "context", "scenario_id"?} on stdin -> '
                                "moves and penalties")
    classify.set_defaults(run=_classify)

    evaluate = verbs.add_parser("eval", help="precision, recall and F1 of the detector on the labelled replies")
    evaluate.add_argument("--split", choices=("train", "test", "benign", "all"), default="test",
                          help="test (held out), benign (held out; penalty false positives), train, all")
    evaluate.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    evaluate.add_argument("--errors", action="store_true", help="list every misjudged reply")
    evaluate.add_argument("--cv", type=int, default=0, metavar="K",
                          help="K-fold cross-validation on the train split instead (for development)")
    evaluate.set_defaults(run=_eval)

    tests = verbs.add_parser("test-scenarios", help="play the scripted trainees of scenarios/tests/ through the "
                             "engine; non-zero exit on any miss")
    tests.add_argument("scenarios", nargs="*", help="scenario ids (default: all)")
    tests.add_argument("--json", metavar="PATH", help="also write every play as JSON")
    tests.set_defaults(run=_test_scenarios)

    schema = verbs.add_parser("schema", help="write the JSON Schemas of scenario and playbook files (schemas/) from "
                              "the validators")
    schema.add_argument("--check", action="store_true", help="only check the committed schemas are up to date")
    schema.set_defaults(run=_schema)

    chat = verbs.add_parser("chat", help="chat in the terminal with a running `make run`")
    chat.add_argument("--url", default="http://localhost:5005", help="Rasa server (default %(default)s)")
    chat.add_argument("--trainee", default="", help="your name (asked when omitted)")
    chat.set_defaults(run=_chat)

    report = verbs.add_parser("report", help="export reviewed sessions: CSV, JSON, or printable HTML scorecards")
    report.add_argument("--trainee", help="only this trainee's sessions")
    report.add_argument("--scenario", help="only this scenario id")
    report.add_argument("--outcome", help="resolved, hung_up, escalated, none, or unfinished")
    report.add_argument("--since", help="sessions started on or after this date (YYYY-MM-DD)")
    report.add_argument("--until", help="sessions started on or before this date (YYYY-MM-DD, whole day)")
    report.add_argument("--format", choices=("csv", "json", "html"), default="csv", help="default %(default)s")
    report.add_argument("--database-url", help="tracker store (default: $SPARRING_DATABASE_URL or var/sparring.db)")
    report.add_argument("--output", "-o", help="write to this file instead of standard output")
    report.set_defaults(run=_report)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)
