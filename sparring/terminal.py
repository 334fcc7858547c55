"""Terminal chat: play a scenario against a running Sparring (Rasa REST channel).

Uses only the public REST contract (README, "How to chat"), so it exercises exactly what the web
chat and any other client use.
"""

from __future__ import annotations

import json
import sys
import textwrap
import urllib.error
import urllib.request
import uuid

from sparring.checklist import MOVES


def send(url: str, sender: str, message: str, timeout: float = 60) -> list[dict]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{url.rstrip('/')}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"[]")


def format_scorecard(card: dict) -> str:
    lines = [
        "",
        "=" * 64,
        f" SCORECARD  {card['scenario_title']}  ({card['persona']})",
        f" trainee: {card['trainee'] or '-'}   outcome: {card['outcome'] or 'ended by you'}",
        f" overall: {card['overall']}/100   grade: {card['grade']}",
        "=" * 64,
    ]
    for move in MOVES:
        entry = card["moves"][move]
        lines.append(f" {move:<10} {entry['score']:>3}/100  (weight {card['weights'][move]})")
        for quote in entry["quotes"][:3]:
            restated = f" (restated: {quote['fact']})" if quote.get("fact") else ""
            lines.append(f"     turn {quote['turn']}: \"{quote['quote']}\"{restated}")
        for deduction in entry["deductions"]:
            lines.append(f"     - deducted: {deduction}")
    if card["penalties"]:
        lines.append(" penalties:")
        for penalty in card["penalties"]:
            lines.append(f"   -{penalty['points']:g} {penalty['penalty']} (turn {penalty['turn']}): \"{penalty['quote']}\"")
    order = card["order"]
    lines.append(f" acknowledged before offering a fix: {'yes' if order['acknowledged_before_resolve'] else 'no'}")
    lines.append(f" mood: {' -> '.join(f'{m:g}' for m in card['mood_trace'])}")
    lines.append(" coaching:")
    for tip in card["tips"]:
        where = f"turn {tip['turn']}: " if tip["turn"] else ""
        quoted = f"\"{tip['quote']}\" - " if tip["quote"] else ""
        lines.extend(textwrap.wrap(f"* {where}{quoted}{tip['text']}", 72, initial_indent="   ", subsequent_indent="     "))
    return "\n".join(lines)


def _show(messages: list[dict], customer: str) -> dict | None:
    """Print the customer's lines; return the scorecard or last turn payload if any."""
    result = None
    for message in messages:
        if "text" in message:
            print(f"\n{customer}: {message['text']}")
        custom = message.get("custom") or {}
        if custom.get("type") == "turn":
            moves = ", ".join(custom["moves"]) or "-"
            penalties = ", ".join(custom["penalties"]) or "-"
            print(f"   [mood {custom['mood']:g}/10 | moves: {moves} | penalties: {penalties}]")
            if custom.get("hint"):
                print(f"   hint: {custom['hint']}")
            result = custom
        elif custom.get("type") == "scorecard":
            result = custom
    return result


def chat(url: str, trainee: str) -> int:
    from sparring.scenarios import Catalogue

    scenarios = sorted(Catalogue().refresh().scenarios.values(), key=lambda s: (s.persona, s.id))
    if not scenarios:
        print("no valid scenarios: run `sparring lint`", file=sys.stderr)
        return 1
    try:
        trainee = trainee or input("Your name: ").strip()
        for number, scenario in enumerate(scenarios, 1):
            print(f" {number}. {scenario.title}  [{scenario.persona}, {scenario.difficulty}]\n    {scenario.situation}")
        choice = input(f"Pick a customer (1-{len(scenarios)}): ").strip()
        scenario = scenarios[int(choice) - 1] if choice.isdigit() and 0 < int(choice) <= len(scenarios) else scenarios[0]
        sender = f"{trainee or 'trainee'}-{uuid.uuid4().hex[:8]}"
        start = json.dumps({"scenario_id": scenario.id, "trainee": trainee})
        _show(send(url, sender, f"/start_scenario{start}"), scenario.customer_name)
        print("\n(type your replies; /end to finish and see the scorecard)")
        while True:
            text = input("\nyou: ")
            if text.strip() == "/end":
                break
            result = _show(send(url, sender, text), scenario.customer_name)
            if result and result.get("ended"):
                break
        final = _show(send(url, sender, "/end_session"), scenario.customer_name)
    except (EOFError, KeyboardInterrupt):
        print("\nbye")
        return 0
    except urllib.error.URLError as error:
        print(f"cannot reach Sparring at {url} ({error.reason}); is `make run` running?", file=sys.stderr)
        return 1
    if final and final.get("type") == "scorecard":
        print(format_scorecard(final["scorecard"]))
    return 0
