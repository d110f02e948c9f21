"""The bot's small HTTP side (Starlette + uvicorn, as python-telegram-bot's custom-webhook example does it):
``POST /telegram`` receives updates in webhook mode, ``GET /healthz`` and ``GET /metrics`` serve operators."""
from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger("bot.web")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram"


def build_web_app(
    application: Application,
    health: Callable[[], Awaitable[dict]],
    metrics: Metrics,
    refresh_metrics: Callable[[], Awaitable[None]],
    webhook_secret: str | None,
) -> Starlette:
    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not webhook_secret or not hmac.compare_digest(given, webhook_secret):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = await request.json()
        except json.JSONDecodeError:
            return PlainTextResponse("not JSON", status_code=400)
        await application.update_queue.put(Update.de_json(data, application.bot))
        return Response(status_code=200)

    async def healthz(request: Request) -> Response:
        state = await health()
        return JSONResponse(state, status_code=200 if state["ok"] else 503)

    async def prometheus(request: Request) -> Response:
        await refresh_metrics()
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    routes = [Route("/healthz", healthz), Route("/metrics", prometheus)]
    if webhook_secret:
        routes.append(Route(WEBHOOK_PATH, telegram, methods=["POST"]))
    return Starlette(routes=routes)


def web_server(app: Starlette, port: int, host: str = "0.0.0.0") -> uvicorn.Server:
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
    return uvicorn.Server(config)
