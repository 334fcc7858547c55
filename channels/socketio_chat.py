"""Rasa 3.6's socket.io channel, with custom payloads that actually reach the browser.

Rasa 3.6's ``SocketIOOutput.send_custom_json`` calls ``sio.emit(event, **json_message)``:
every key of the custom payload becomes a keyword argument of ``AsyncServer.emit``, so
our ``{"type": "turn", ...}`` messages raise ``TypeError: emit() got an unexpected
keyword argument 'type'``. The exception aborts the turn before the tracker is saved, so
the conversation is lost, not only the message. Here a custom payload is sent as the
event's data, ``{"custom": {...}}``, the same shape as in the REST channel's answer.
Everything else (session persistence, rooms, reminders) is Rasa's own code.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from channels.guard import conversation_id, message_text


class SocketIOOutput(rasa_socketio.SocketIOOutput):
    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class SocketIOInput(rasa_socketio.SocketIOInput):
    """Drop-in replacement for ``socketio:`` in credentials.yml (same options)."""

    def get_output_channel(self) -> Optional[SocketIOOutput]:
        return SocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio

        # Rasa's own handler, behind the guard (channels.guard), and with our output channel.
        # What a trainee types is text; the page's own controls (start, end) say so with
        # ``"control": true``, and only our two commands are accepted that way. Metadata
        # from the client is dropped (the transcript trusts ``is_external`` from Rasa only).
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                if conversation_id(data.get("session_id"), "session_id"):
                    return
                sender_id = data["session_id"]
            else:
                sender_id = sid
            text, refusal = message_text(data.get("message"), commands_allowed=data.get("control") is True)
            if refusal:
                await sio.emit(self.bot_message_evt, refusal.payload(), room=sid)
                return
            await on_new_message(UserMessage(text, SocketIOOutput(sio, self.bot_message_evt),
                                             sender_id, input_channel=self.name()))

        return blueprint
