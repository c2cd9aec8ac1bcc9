"""PTB's requests over aiohttp instead of httpx: the same Bot API calls (as JSON, multipart when
there are files), for less CPU.

Answering people is CPU-bound: in a burst of 200 ``/start`` links, httpx's request machinery
was a quarter of the time spent per update (profiled with py-spy), aiohttp's a third of that.
Errors map as in ``HTTPXRequest``: a time-out is :class:`~telegram.error.TimedOut`, any other
transport failure :class:`~telegram.error.NetworkError`; answers go back to PTB unchanged, so
its error handling (Forbidden, BadRequest, RetryAfter) is untouched.

aiohttp has no separate pool time-out: the wait for a free connection counts towards its
``connect`` time-out, so that is set to the pool and connect time-outs together.
"""

from __future__ import annotations

import asyncio
import json
import ssl

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """A pooled aiohttp session per request object, opened by ``initialize``."""

    __slots__ = ("_connections", "_media_write_timeout", "_session", "_ssl", "_timeouts")

    def __init__(self, connection_pool_size: int = 256, *, read_timeout: float | None = 5.0,
                 connect_timeout: float | None = 5.0, pool_timeout: float | None = 1.0,
                 media_write_timeout: float | None = 20.0,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self._connections = connection_pool_size
        self._timeouts = {"read": read_timeout, "connect": connect_timeout,
                          "pool": pool_timeout}
        self._media_write_timeout = media_write_timeout
        self._ssl = ssl_context
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections,
                                               ssl=self._ssl if self._ssl else True),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _timeout(self, read: ODVInput[float], connect: ODVInput[float],
                 pool: ODVInput[float], *, uploading: bool) -> aiohttp.ClientTimeout:
        read = self._timeouts["read"] if isinstance(read, DefaultValue) else read
        connect = self._timeouts["connect"] if isinstance(connect, DefaultValue) else connect
        pool = self._timeouts["pool"] if isinstance(pool, DefaultValue) else pool
        if uploading and self._media_write_timeout is not None and read is not None:
            read = max(read, self._media_write_timeout)  # a file's upload counts as reading
        waiting = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(total=None, connect=waiting, sock_connect=connect,
                                     sock_read=read)

    @staticmethod
    def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
        """A JSON body (Bot API: "application/json (except for uploading files)"): cheaper to
        build than a urlencoded form; multipart when there are files."""
        if request_data is None:
            return None
        files = request_data.multipart_data
        if not files:
            return json.dumps(request_data.parameters, ensure_ascii=False).encode()
        # Names as they are (UTF-8, quotes escaped), as httpx and browsers send them; aiohttp
        # would percent-encode them, and the file would be called "Letter%20to…".
        form = aiohttp.FormData(quote_fields=False)
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mime_type) in files.items():
            form.add_field(name, content, filename=filename, content_type=mime_type)
        return form

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploading = bool(request_data and request_data.multipart_data)
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout,
                                uploading=uploading)
        try:
            body = self._body(request_data)
            headers = _JSON if isinstance(body, bytes) else None
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout) as answer:
                return answer.status, await answer.read()
        except TimeoutError as error:  # asyncio's, and aiohttp's time-outs derive from it
            raise TimedOut from error
        except asyncio.CancelledError:
            raise
        except aiohttp.ClientError as error:
            # The class and the OS error only: some aiohttp errors quote the URL, which holds
            # the token.
            reason = getattr(error, "os_error", None)
            raise NetworkError(f"aiohttp.{type(error).__name__}"
                               + (f": {reason.strerror}" if reason else "")) from error
