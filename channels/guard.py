"""What both channels check before a message reaches Rasa (limits in sparring.limits).

A message is refused when it is not what a client of ours sends: a conversation id that
is not a short string, a message that is not text, or a reply longer than the product
accepts. A trainee's text that starts with "/" is marked so Rasa reads it as text, never
as an intent; only a client's own controls may send our two commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from sparring.auth import CHAT_PREFIX
from sparring.limits import MAX_ID_CHARS, MAX_MESSAGE_CHARS, as_text, echo


@dataclass(frozen=True)
class Refusal:
    """Why a message was not passed on: ``code`` for programs, ``message`` for people."""

    code: str
    message: str

    def payload(self) -> dict:
        """The same shape as the actions' errors: a text plus a custom error."""
        return {"text": self.message, "custom": {"type": "error", "error": self.code, "message": self.message}}


def conversation_id(value: Any, field: str) -> Optional[Refusal]:
    if not isinstance(value, str) or not value.strip():
        return Refusal("bad_request", f"`{field}` is required: a text that names the conversation")
    if len(value) > MAX_ID_CHARS or not value.isprintable():
        return Refusal("bad_request", f"`{field}` must be printable and at most {MAX_ID_CHARS} characters; "
                                      f"got {echo(value)!r}")
    return None


def rest_sender(value: Any) -> Optional[Refusal]:
    """A REST client names its own conversation, but never one of the chat page's, whose ids
    are derived from a secret only the trainee's browser holds (sparring.auth.conversation_of)."""
    refusal = conversation_id(value, "sender")
    if refusal is None and value.startswith(CHAT_PREFIX):
        return Refusal("bad_request", f"`sender` ids beginning {CHAT_PREFIX!r} belong to the chat page")
    return refusal


def message_text(value: Any, commands_allowed: bool) -> tuple[Optional[str], Optional[Refusal]]:
    """The text to hand to Rasa, or why not."""
    if not isinstance(value, str):
        return None, Refusal("bad_request", f"`message` must be text; got {type(value).__name__}")
    if len(value) > MAX_MESSAGE_CHARS:
        return None, Refusal("too_long", f"That reply is {len(value)} characters long; the limit is "
                                         f"{MAX_MESSAGE_CHARS}. Nothing was sent: shorten it and send it again.")
    return as_text(value, commands_allowed), None
