"""The ASGI app of `appeal-bot web` and `appeal-bot worker` (Starlette, served by uvicorn)."""
