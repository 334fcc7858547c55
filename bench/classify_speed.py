"""Benchmark: how small a part of a turn is classification?

Prints (and with --markdown writes docs/performance.md):
  * replies per second of the checklist detector over the labelled replies, one process,
    pinned to one core by the caller (`taskset -c 0`);
  * p50/p95 time of one trainee reply inside the Rasa custom action (ActionCustomerTurn.run
    with a real rasa_sdk Tracker, the engine and the detector, no network);
  * optionally (--rest URL) p50/p95 of a whole turn through a running Rasa server over REST,
    and (--rest-baseline URL) the same, interleaved turn by turn, through another server, such
    as the previous release, so that both see the same machine load.
A benchmark, not a test: it reports numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def classify_throughput(rounds: int = 3) -> dict:
    from sparring.detector import default_detector
    from sparring.evaluation import load_split

    detector = default_detector()
    examples = load_split("all")
    for example in examples[:50]:  # warm up
        detector.detect(example.text, example.context)
    start = time.perf_counter()
    for _ in range(rounds):
        for example in examples:
            detector.detect(example.text, example.context)
    elapsed = time.perf_counter() - start
    return {"replies": len(examples) * rounds, "seconds": round(elapsed, 3),
            "replies_per_second": round(len(examples) * rounds / elapsed, 1)}


def action_latency(turns: int = 400) -> dict:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.actions import SIMULATOR, ActionCustomerTurn
    from sparring.evaluation import load_split

    replies = [e.text for e in load_split("test")]
    action = ActionCustomerTurn()
    timings = []
    state, _ = SIMULATOR.start("double-charge", "bench")
    for i in range(turns):
        if state.ended:
            state, _ = SIMULATOR.start("double-charge", f"bench-{i}")
        text = replies[i % len(replies)]
        slots = {"customer_state": state.as_dict(), "mode": "practice", "scenario_id": "double-charge"}
        events = [{"event": "bot", "timestamp": time.time() - 5, "text": "..."},
                  {"event": "user", "timestamp": time.time(), "text": text}]
        tracker = Tracker("bench", slots, {"text": text, "intent": {"name": "nlu_fallback"}, "entities": []},
                          events, False, None, {}, "action_listen")
        start = time.perf_counter()
        result = action.run(CollectingDispatcher(), tracker, {})
        timings.append((time.perf_counter() - start) * 1000)
        state_event = next(e for e in result if e.get("name") == "customer_state")
        from sparring.customer import CustomerState
        state = CustomerState.from_dict(state_event["value"])
    return {"turns": turns, "p50_ms": round(statistics.median(timings), 2), "p95_ms": round(percentile(timings, 0.95), 2),
            "max_ms": round(max(timings), 2)}


# A trainee's replies that keep the conversation going (restating, empathising, asking), so
# every timed turn is a scored turn of a live conversation, not an error after its end.
REST_REPLIES = (
    "I'm so sorry your broadband has been down since Monday, with payroll due on Friday that's a real worry.",
    "So the hub shows a red light even after five restarts and a factory reset?",
    "Are you managing to work at all at the moment, for example on your phone's data?",
    "That sounds exhausting, especially with 140 people waiting to be paid.",
    "ok, noted",
)


def rest_latency(urls: dict[str, str], turns: int = 30) -> dict:
    """Whole turns through running Rasa servers, one conversation per server, turns
    interleaved so that both see the same machine load (this host's speed drifts)."""
    def send(url, sender, message):
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
        start = time.perf_counter()
        urllib.request.urlopen(request, timeout=60).read()
        return (time.perf_counter() - start) * 1000

    senders = {name: f"bench-{name}-{uuid.uuid4().hex[:8]}" for name in urls}
    for name, url in urls.items():
        send(url, senders[name], '/start_scenario{"scenario_id": "broadband-outage", "trainee": "bench"}')
    timings: dict[str, list[float]] = {name: [] for name in urls}
    for turn in range(turns):
        for name, url in urls.items():
            timings[name].append(send(url, senders[name], REST_REPLIES[turn % len(REST_REPLIES)]))
    return {name: {"turns": turns, "p50_ms": round(statistics.median(values), 1),
                   "p95_ms": round(percentile(values, 0.95), 1), "first_ms": round(values[0], 1),
                   "last_ms": round(values[-1], 1)} for name, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rest", help="also time whole turns through a running Rasa server at this URL")
    parser.add_argument("--rest-baseline", help="and, interleaved, through another one (e.g. the previous release)")
    parser.add_argument("--baseline-label", default="another server", help="what the baseline server runs, for the notes")
    parser.add_argument("--markdown", help="write the figures as markdown to this file")
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    figures = {"cores_used": cores, "python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
               "classify": classify_throughput(), "action": action_latency()}
    if args.rest:
        urls = {"rest": args.rest, **({"rest_baseline": args.rest_baseline} if args.rest_baseline else {})}
        figures.update(rest_latency(urls))
        figures["baseline_label"] = args.baseline_label
    print(json.dumps(figures, indent=2))
    if args.markdown:
        write_markdown(Path(args.markdown), figures)


def write_markdown(path: Path, figures: dict) -> None:
    lines = [
        "# Performance",
        "",
        "Produced by `taskset -c 0 .venv/bin/python bench/classify_speed.py --markdown docs/performance.md"
        + (" --rest URL" if "rest" in figures else "") + (" --rest-baseline URL" if "rest_baseline" in figures else "")
        + "` "
        f"on {time.strftime('%Y-%m-%d')} ({figures['cpu']}, Python {figures['python']}, cores {figures['cores_used']}).",
        "",
        "| measure | figure | target |",
        "|---|---|---|",
        f"| `classify` throughput, one core | {figures['classify']['replies_per_second']} replies/s "
        f"({figures['classify']['replies']} replies in {figures['classify']['seconds']} s) | >= 300 replies/s |",
        f"| one reply inside the custom action, p50 | {figures['action']['p50_ms']} ms | |",
        f"| one reply inside the custom action, p95 | {figures['action']['p95_ms']} ms ({figures['action']['turns']} turns) | <= 20 ms |",
    ]
    for name, label in (("rest", "this release"), ("rest_baseline", "the baseline, interleaved")):
        if name in figures:
            rest = figures[name]
            target = "" if name == "rest_baseline" else (
                f"<= 1.3 x baseline ({1.3 * figures['rest_baseline']['p95_ms']:.1f} ms p95)" if "rest_baseline" in figures else "")
            lines.append(f"| whole turn over REST, {label}, p50 / p95 | {rest['p50_ms']} / {rest['p95_ms']} ms "
                         f"(turn 1: {rest['first_ms']} ms, turn {rest['turns']}: {rest['last_ms']} ms) | {target} |")
    lines += ["", "The action's time covers reading the slots, the detector (rules, both trained classifiers and the",
              "grounding of the reply in the scenario's case: facts restated, wrong facts, offers), the customer's",
              "reaction and building the events; it does not grow with the transcript (the customer's state is a",
              "bounded slot, and only the last few events are read)."]
    if "rest_baseline" in figures:
        lines += ["", f"The baseline is {figures['baseline_label']}, on this machine at the same time: both servers",
                  "play one conversation of realistic replies, turn by turn in alternation, so both see the same load."]
    if "rest" in figures:
        lines += ["", "A whole REST turn does grow with the conversation, because Rasa ships the session's whole tracker",
                  "to the action server on every turn (a known Rasa cost); the action's own share stays flat."]
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
