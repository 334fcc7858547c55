"""Rasa 3.6's socket.io channel, with custom payloads that actually reach the browser.

Rasa 3.6's ``SocketIOOutput.send_custom_json`` calls ``sio.emit(event, **json_message)``:
every key of the custom payload becomes a keyword argument of ``AsyncServer.emit``, so
our ``{"type": "turn", ...}`` messages raise ``TypeError: emit() got an unexpected
keyword argument 'type'``. The exception aborts the turn before the tracker is saved, so
the conversation is lost, not only the message. Here a custom payload is sent as the
event's data, ``{"custom": {...}}``, the same shape as in the REST channel's answer.

Two more changes (issue 10): every message passes the guard of ``channels.guard``, and a
conversation is named by ``sparring.auth.conversation_of`` the secret the page keeps, so a
conversation belongs to the browser that started it (sessions always persist, as
``session_persistence: true`` in credentials.yml says). Rooms, reminders and the rest are
Rasa's own code.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from channels.guard import conversation_id, message_text
from sparring.auth import conversation_of


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

        # The page sends the secret it keeps (as ``session_id``); the conversation and its room
        # are named by ``conversation_of(secret)``, so knowing a conversation's id (from a
        # log, an export, the dashboard) does not let another client join or write to it.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            secret = data.get("session_id") if isinstance(data, dict) else None
            if conversation_id(secret, "session_id"):
                return
            sio.enter_room(sid, conversation_of(secret))
            await sio.emit("session_confirm", secret, room=sid)

        # Rasa's own handler, behind the guard (channels.guard), and with our output channel.
        # What a trainee types on our page is text; the page's own controls (start, end) say so
        # with ``"control": true``, and only our two commands are accepted at all. Metadata
        # from the client is dropped (the transcript trusts ``is_external`` from Rasa only);
        # the channel says itself whether the message came from our page.
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return
            if conversation_id(data.get("session_id"), "session_id"):
                return
            sender_id = conversation_of(data["session_id"])
            # Our page says which messages are its controls; a standard widget (rasa-webchat)
            # says nothing, and its users type our two commands themselves.
            own_page = "control" in data
            text, refusal = message_text(data.get("message"), commands_allowed=data.get("control") is not False)
            if refusal:
                await sio.emit(self.bot_message_evt, refusal.payload(), room=sid)
                return
            await on_new_message(UserMessage(text, SocketIOOutput(sio, self.bot_message_evt), sender_id,
                                             input_channel=self.name(), metadata={"sparring_page": own_page}))

        return blueprint
