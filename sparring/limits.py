"""What the product accepts from outside, as policy in one place.

Every channel (REST, socket.io), the web server and the scenario loader read their limits
here, so a limit is changed once and documented once (docs/security.md).
"""

from __future__ import annotations

import re

# The longest trainee reply, in characters. A real reply is a few sentences; a longer one
# is refused with a clear error before it reaches Rasa, so nothing is stored half-way.
MAX_MESSAGE_CHARS = 2000
# Conversation ids (REST `sender`, socket.io `session_id`) and scenario ids.
MAX_ID_CHARS = 128
# A scenario, test or playbook file (the largest shipped one is about 15 KB): checked before
# the file is parsed, so a huge file is refused in milliseconds, not after minutes.
MAX_FILE_BYTES = 200_000
# How much of a refused value an error message repeats.
MAX_ECHO_CHARS = 60

# A trainee's text that starts with "/" would be read by Rasa as an intent ("/restart",
# "/session_start"). The channels put this invisible mark (WORD JOINER) in front of it so
# Rasa reads it as text; the actions and the transcript reader take it off again.
LITERAL_MARK = "\u2060"
# The only commands a client may send: the REST contract's start and end (docs: README).
COMMAND = re.compile(r"^/(?:start_scenario(?:\{.*\})?|end_session)$", re.S)


def echo(value: object) -> str:
    """A refused value, bounded, for an error message."""
    text = str(value)
    return text if len(text) <= MAX_ECHO_CHARS else text[:MAX_ECHO_CHARS] + f"… ({len(text)} characters)"


def as_text(message: str, commands_allowed: bool) -> str:
    """The message as Rasa must read it: a command only when the client may send one and it
    is one of ours; anything else starting with "/" is marked as plain text."""
    if message.startswith("/") and not (commands_allowed and COMMAND.match(message.strip())):
        return LITERAL_MARK + message
    return message


def unmarked(text: str) -> str:
    """The trainee's text as typed (the channel's mark removed)."""
    return text[len(LITERAL_MARK):] if text.startswith(LITERAL_MARK) else text
