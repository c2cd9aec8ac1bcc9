"""Real `appeal-bot` processes for the process-role tests, and the network pieces between
them: a TCP proxy in front of PostgreSQL that a test can refuse or black-hole (a partition),
and a round-robin HTTP proxy in front of several `appeal-bot web` processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
APPEAL_BOT = str(Path(sys.executable).with_name("appeal-bot"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TcpProxy:
    """127.0.0.1:<port> → target. ``down()``: refuse (listener closed, connections cut);
    ``blackhole()``: accept and hold, forward nothing (a network partition); ``up()``."""

    def __init__(self, target_port: int, port: int | None = None) -> None:
        self.target_port = target_port
        self.port = port or free_port()
        self.mode = "down"
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()

    async def up(self) -> None:
        self.mode = "up"
        self._flowing.set()
        if self._server is None:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port,
                                                      reuse_address=True)

    async def down(self) -> None:
        self.mode = "down"
        self._flowing.clear()
        if self._server is not None:
            self._server.close()
            self._server = None
        self._cut()

    async def blackhole(self) -> None:
        await self.up()
        self.mode = "blackhole"
        self._flowing.clear()

    def _cut(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            await self._flowing.wait()
        except asyncio.CancelledError:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        with contextlib.suppress(asyncio.CancelledError):  # the test's loop is closing
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer),
                                 return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()  # a partition holds the bytes
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()

    async def close(self) -> None:
        await self.down()


class RoundRobin:
    """An HTTP proxy that sends each request to the next backend in turn."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.port = free_port()
        self.counts = [0] * len(backends)
        self._next = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _forward(self, request: web.Request) -> web.Response:
        index, self._next = self._next, (self._next + 1) % len(self.backends)
        self.counts[index] += 1
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        try:
            async with self._session.request(request.method, self.backends[index]
                                             + request.path_qs, data=await request.read(),
                                             headers=headers) as answer:
                return web.Response(status=answer.status, body=await answer.read())
        except aiohttp.ClientError:
            return web.Response(status=502)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()


class BotProcess:
    """One `appeal-bot <role>` subprocess; its output goes to a log file."""

    def __init__(self, role: str, env: dict[str, str], log_path: Path,
                 listen: str | None = None) -> None:
        self.role = role
        self.env = env
        self.log_path = log_path
        self.listen = listen
        self.proc: subprocess.Popen | None = None

    def start(self) -> BotProcess:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in wait()
        self.proc = subprocess.Popen([APPEAL_BOT, self.role], env={**os.environ, **self.env},
                                     cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)
        return self

    @property
    def url(self) -> str:
        return f"http://{self.listen}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._log.close()

    async def wait(self, timeout: float = 20) -> int:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.proc.poll() is None:
            if loop.time() > deadline:
                raise TimeoutError(f"{self.role} did not exit\n{self.log()[-3000:]}")
            await asyncio.sleep(0.1)
        self._log.close()
        return self.proc.returncode

    async def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                return await self.wait()
            self.kill()
        return self.proc.returncode


async def get(url: str, **kwargs) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        try:
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=10),
                                   **kwargs) as answer:
                return answer.status, await answer.text()
        except aiohttp.ClientError:
            return 0, ""


async def until(predicate, *, timeout: float, what: str, every: float = 0.1):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every)
