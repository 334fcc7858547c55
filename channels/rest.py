"""Rasa's REST channel behind the guard of ``channels.guard``: the same URL
(``/webhooks/rest/webhook``) and the same answers, but a request without a ``sender`` (or
with one of the chat page's), with a message that is not text, or with a reply over the
length limit is answered at once and never reaches Rasa; a reply starting with "/" is text unless it is one of the contract's two
commands (``/start_scenario{...}``, ``/end_session``). Metadata from clients is dropped:
the transcript reader trusts ``is_external`` only from Rasa's own reminders.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels import rest as rasa_rest
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from channels.guard import message_text, rest_sender


class RestInput(rasa_rest.RestInput):
    """Drop-in replacement for ``rest:`` in credentials.yml."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def guard(request: Request):
            if request.method != "POST":
                return None
            try:
                body = request.json
            except InvalidUsage:  # a body that is not JSON
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "bad_request", "message": "send a JSON object with sender and message"},
                                     status=400)
            refusal = rest_sender(body.get("sender"))
            if refusal:
                return response.json({"error": refusal.code, "message": refusal.message}, status=400)
            text, refusal = message_text(body.get("message"), commands_allowed=True)
            if refusal:
                if refusal.code == "bad_request":
                    return response.json({"error": refusal.code, "message": refusal.message}, status=400)
                return response.json([{"recipient_id": body["sender"], **refusal.payload()}])
            body["message"] = text
            return None

        return blueprint

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return None
