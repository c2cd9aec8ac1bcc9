"""The control API under ``/control/``: act as the sandbox's people over JSON, from another
process or language. It uses only the public Python API (``tg.user()``, ``SimUser`` methods,
``commands_for``, ``wait_events``...).

* ``GET /control/info``, ``GET|POST /control/users`` (``{"first_name", "user_id"?,
  "started"?}``: ``started`` as if they had talked to the bot), ``GET /control/users/{id}``
* ``POST /control/users/{id}/send`` (``{"text"}``), ``/press`` (``{"callback_data"|"label",
  "message_id"?}``), ``/document`` (multipart ``document``), ``/block``, ``/unblock``
* ``GET /control/users/{id}/messages[?bot_only=1]``, ``GET /control/files/{file_id}``
* ``GET /control/commands?user_id=…|language_code=…``
* ``GET /control/events?after=N&timeout=S[&chat_id=…][&limit=N]`` (long poll)
* ``POST /control/faults`` (``{"method"?, "status"?, "seconds"?, "times"?, "chat_id"?,
  "delay"?, "answer_delay"?, "retry_after"?}``: Telegram fails on command, e.g. 502 for the next 60 s),
  ``DELETE /control/faults``
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from .core import SimTelegram
from .people import SimUser
from .protocol import json_response

__all__ = ["ControlApi"]


def _error(status: int, message: str) -> web.Response:
    return json_response({"ok": False, "error": message}, status)


def _not_found(message: str) -> web.HTTPNotFound:
    return web.HTTPNotFound(text=f'{{"ok":false,"error":"{message}"}}',
                            content_type="application/json")


class ControlApi:
    def __init__(self, tg: SimTelegram) -> None:
        self.tg = tg

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/control/info", self.info)
        r.add_get("/control/users", self.users)
        r.add_post("/control/users", self.create_user)
        r.add_get("/control/users/{id}", self.get_user)
        r.add_post("/control/users/{id}/send", self.send)
        r.add_post("/control/users/{id}/press", self.press)
        r.add_post("/control/users/{id}/document", self.document)
        r.add_post("/control/users/{id}/block", self.block)
        r.add_post("/control/users/{id}/unblock", self.unblock)
        r.add_get("/control/users/{id}/messages", self.messages)
        r.add_get("/control/files/{file_id}", self.file)
        r.add_get("/control/commands", self.commands)
        r.add_get("/control/events", self.events)
        r.add_post("/control/faults", self.add_fault)
        r.add_delete("/control/faults", self.clear_faults)

    # ------------------------------------------------------------------ request helpers
    def _user(self, request: web.Request) -> SimUser:
        try:
            uid = int(request.match_info["id"])
        except ValueError:
            raise _not_found("bad user id") from None
        user = self.tg.find_user(uid)
        if user is None:
            raise _not_found("no such user")
        return user

    @staticmethod
    async def _body(request: web.Request) -> dict:
        if not request.body_exists:
            return {}
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise web.HTTPBadRequest(text='{"ok":false,"error":"invalid JSON"}',
                                         content_type="application/json") from None
            return body if isinstance(body, dict) else {}
        return dict(await request.post())

    # ------------------------------------------------------------------ the sandbox
    async def info(self, request: web.Request) -> web.Response:
        tg = self.tg
        return json_response({"ok": True, "bot": tg.me(),
                              "users": [u.to_dict() for u in tg.users],
                              "last_event": tg.last_event_seq,
                              "pending_updates": tg.pending_updates})

    async def users(self, request: web.Request) -> web.Response:
        return json_response({"ok": True, "users": [u.to_dict() for u in self.tg.users]})

    async def create_user(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        name = str(body.get("first_name") or "").strip()
        if not name:
            return _error(400, "first_name is required")
        uid = body.get("user_id", body.get("id"))
        try:
            uid = int(uid) if uid not in (None, "") else None
        except (TypeError, ValueError):
            return _error(400, "user_id must be an integer")
        user = self.tg.user(name, uid, body.get("language_code") or "en",
                            last_name=body.get("last_name") or None,
                            username=body.get("username") or None,
                            started=body.get("started") in (True, "1", "true"))
        return json_response({"ok": True, "user": user.to_dict()})

    async def get_user(self, request: web.Request) -> web.Response:
        return json_response({"ok": True, "user": self._user(request).to_dict()})

    # ------------------------------------------------------------------ acting as a person
    async def send(self, request: web.Request) -> web.Response:
        user = self._user(request)
        body = await self._body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "text is required")
        sent = await user.send(text)
        return json_response({"ok": True, "message": user.message(sent["message_id"]).to_dict()})

    async def press(self, request: web.Request) -> web.Response:
        user = self._user(request)
        body = await self._body(request)
        mid = body.get("message_id")
        try:
            mid = int(mid) if mid not in (None, "") else None
            if "callback_data" in body:
                qid = await user.press_data(str(body["callback_data"]), message=mid)
            elif "label" in body:
                qid = await user.press(str(body["label"]), message=mid)
            else:
                return _error(400, "callback_data or label is required")
        except (AssertionError, ValueError, TypeError) as exc:
            return _error(400, str(exc))
        return json_response({"ok": True, "callback_query_id": qid})

    async def document(self, request: web.Request) -> web.Response:
        user = self._user(request)
        sent = await send_uploaded_document(user, request)
        if isinstance(sent, web.Response):
            return sent
        return json_response({"ok": True, "message": user.message(sent["message_id"]).to_dict()})

    async def block(self, request: web.Request) -> web.Response:
        user = self._user(request)
        self.tg.block(user.id, notify=True)
        return json_response({"ok": True, "user": user.to_dict()})

    async def unblock(self, request: web.Request) -> web.Response:
        user = self._user(request)
        self.tg.unblock(user.id, notify=True)
        return json_response({"ok": True, "user": user.to_dict()})

    # ------------------------------------------------------------------ reading
    async def messages(self, request: web.Request) -> web.Response:
        user = self._user(request)
        shown = user.messages if request.query.get("bot_only") in ("1", "true") else user.history
        return json_response({
            "ok": True,
            "messages": [m.to_dict() for m in shown],
            "callback_answers": [
                {"query_id": a.query_id, "text": a.text, "show_alert": a.show_alert,
                 "url": a.url, "message_id": a.message_id}
                for a in user.callback_answers
            ],
            "last_event": self.tg.last_event_seq,
        })

    async def file(self, request: web.Request) -> web.Response:
        doc = self.tg.file(request.match_info["file_id"])
        if doc is None:
            return _error(404, "no such file")
        headers = {}
        if doc.filename:
            safe = doc.filename.replace('"', "")
            headers["Content-Disposition"] = f'attachment; filename="{safe}"'
        return web.Response(body=doc.content,
                            content_type=doc.mime_type or "application/octet-stream",
                            headers=headers)

    async def commands(self, request: web.Request) -> web.Response:
        uid = request.query.get("user_id")
        if uid:
            try:
                commands = self.tg.commands_for(int(uid))
            except ValueError:
                return _error(400, "user_id must be an integer")
        else:
            commands = self.tg.commands(None, request.query.get("language_code", ""))
        return json_response({"ok": True, "commands": commands})

    async def add_fault(self, request: web.Request) -> web.Response:
        """Inject a failure (see ``BotApiServer.fail``)."""
        body = await self._body(request)
        fail = getattr(self.tg, "fail", None)
        if fail is None:
            return _error(501, "this server cannot inject faults")
        try:
            def number(key: str, kind: type) -> object:
                value = body.get(key)
                return None if value in (None, "") else kind(value)

            rule = fail(str(body.get("method") or "*"), number("status", int),
                        retry_after=number("retry_after", int),
                        times=number("times", int) if "times" in body else 1,
                        chat_id=number("chat_id", int), delay=number("delay", float) or 0.0,
                        seconds=number("seconds", float),
                        answer_delay=number("answer_delay", float) or 0.0)
        except (TypeError, ValueError) as exc:
            return _error(400, str(exc))
        return json_response({"ok": True, "fault": {"method": rule.method,
                                                    "status": rule.status}})

    async def clear_faults(self, request: web.Request) -> web.Response:
        clear = getattr(self.tg, "clear_faults", None)
        if clear is not None:
            clear()
        return json_response({"ok": True})

    async def events(self, request: web.Request) -> web.Response:
        """Long poll: ``{"events": [...], "last": <seq to pass as after next time>}``;
        ``"reset": true`` when ``after`` is ahead of the server (it was restarted): start
        again from ``last``."""
        try:
            after = int(request.query.get("after", "0"))
            timeout = min(60.0, float(request.query.get("timeout", "25")))
            limit = max(1, int(request.query.get("limit", "500")))
            chat_id = request.query.get("chat_id")
            chat_id = int(chat_id) if chat_id not in (None, "") else None
        except ValueError:
            return _error(400, "after/timeout/limit/chat_id must be numbers")
        tg = self.tg
        if after > tg.last_event_seq:
            return json_response({"ok": True, "events": [], "last": tg.last_event_seq,
                                  "reset": True})
        events = (await tg.wait_events(after, timeout))[:limit]
        last = events[-1].seq if events else after
        if chat_id is not None:
            events = [e for e in events if e.chat_id in (chat_id, None)]
        return json_response({"ok": True, "events": [e.to_dict() for e in events],
                              "last": last})


async def send_uploaded_document(user: SimUser, request: web.Request) -> dict | web.Response:
    """The person sends the file of a multipart request (field ``document``, optional
    ``caption``): the sent message, or a 400 answer saying what was wrong. The control API and
    the sandbox web chat both take uploads this way."""
    if not request.content_type.startswith("multipart/"):
        return _error(400, "multipart/form-data with a 'document' file is required")
    form = await request.post()
    field = form.get("document") or form.get("file")
    if not isinstance(field, web.FileField):
        return _error(400, "multipart field 'document' (a file) is required")
    content = field.file.read()
    if not content:
        return _error(400, "the file is empty")
    caption = form.get("caption")
    mime = field.content_type
    if not mime or mime == "application/octet-stream":
        mime = None
    return await user.send_document(Path(field.filename or "file").name, content,
                                    mime_type=mime, caption=str(caption) if caption else None)
