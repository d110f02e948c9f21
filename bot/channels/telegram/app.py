"""Building the python-telegram-bot Application: the one place where handlers are wired."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import UTC, datetime, time, timedelta

try:
    import uvloop
except ImportError:  # not built for Windows: asyncio's own loop serves there
    uvloop = None
from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.app import Core, build_core, health, refresh_metrics, reload_knowledge
from bot.channels.telegram import texts
from bot.channels.telegram.callbacks import CallbackSigner
from bot.channels.telegram.desk import AdvisorDesk
from bot.channels.telegram.flood import FloodGuard
from bot.channels.telegram.front import GroupFront, PrivateFront
from bot.channels.telegram.http import AiohttpRequest
from bot.channels.telegram.web import WEBHOOK_PATH, build_web_app, web_server
from bot.config import Config
from bot.dialog.answers import Answerer
from bot.handoff.hours import BERLIN
from bot.i18n import translator
from bot.kb.model import LANGUAGES
from bot.logs import quiet_http_logs
from bot.metrics import Metrics
from bot.store.cases import Cases
from bot.store.insights import Insights
from bot.store.people import RECENT_DAYS, People

log = logging.getLogger("bot.telegram")


async def publish_profile(application: Application) -> None:
    """The command menu and descriptions in every language (and English for everyone else)."""
    bot = application.bot
    scope = BotCommandScopeAllPrivateChats()
    for lang in (None, *LANGUAGES):
        _ = translator(lang or "en")
        commands = [BotCommand(name, _(description)) for name, description in texts.COMMANDS]
        try:
            await bot.set_my_commands(commands, scope=scope, language_code=lang)
            await bot.set_my_description(_(texts.DESCRIPTION), language_code=lang)
            await bot.set_my_short_description(_(texts.SHORT_DESCRIPTION), language_code=lang)
        except TelegramError as exc:  # a profile that could not be set must not stop the bot
            log.warning("profile not published", extra={"fields": {"lang": lang, "error": type(exc).__name__}})


def build_desk(config: Config, core: Core, signer: CallbackSigner, metrics: Metrics) -> AdvisorDesk | None:
    if config.advisor_chat_id is None:
        return None
    db = core.db
    return AdvisorDesk(
        config.advisor_chat_id,
        Cases(db),
        People(db),
        Insights(db),
        core.answerer,
        core.dialog.handoff,
        signer,
        remind_after=timedelta(minutes=config.remind_after_minutes),
        retention=timedelta(days=config.retention_days),
        metrics=metrics,
        reload=lambda: reload_knowledge(core, config),
        guides=core.dialog.guides,
    )


def build_application(config: Config, core: Core, metrics: Metrics | None = None) -> Application:
    quiet_http_logs()
    signer = CallbackSigner(config.callback_secret or config.bot_token or "")
    metrics = metrics or Metrics()
    desk = build_desk(config, core, signer, metrics)
    private = PrivateFront(
        core.dialog, People(core.db), signer, FloodGuard(config.flood_limit, 60.0), config.typing_delay, desk,
        metrics,
    )
    groups = GroupFront()
    application = (
        ApplicationBuilder()
        .token(config.bot_token or "")
        .base_url(f"{config.telegram_api_url}/bot")
        .base_file_url(f"{config.telegram_api_url}/file/bot")
        .rate_limiter(AIORateLimiter(overall_max_rate=config.rate_limit, max_retries=5))
        .concurrent_updates(config.concurrent_updates)
        # A pool a little larger than the updates in flight keeps connections reused without hundreds idle.
        .request(AiohttpRequest(pool_size=config.concurrent_updates + 8))
        .get_updates_request(AiohttpRequest())
        .post_init(publish_profile)
        .build()
    )

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if desk is not None and chat is not None and chat.id == desk.chat_id:
            await desk.on_button(update, context)
        elif chat is not None and chat.type == ChatType.PRIVATE:
            await private.on_button(update, context)

    everything = filters.UpdateType.MESSAGES
    # Order matters: private chats, then the advisors' group, then the pointer for any other group.
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & everything, private.on_message), group=0)
    application.add_handler(CallbackQueryHandler(on_button), group=0)
    other_groups = filters.ChatType.GROUPS
    if desk is not None:
        advisors = filters.Chat(desk.chat_id)
        application.add_handler(MessageHandler(advisors & filters.UpdateType.MESSAGE, desk.on_message), group=0)
        other_groups = other_groups & ~advisors
        application.bot_data["desk"] = desk
    application.add_handler(MessageHandler(other_groups & filters.COMMAND, groups.on_message), group=1)
    application.add_error_handler(private.on_error)
    application.bot_data["people"] = People(core.db)
    return application


async def forget_old_questions(context: ContextTypes.DEFAULT_TYPE) -> None:
    people: People = context.application.bot_data["people"]
    cutoff = (datetime.now(UTC) - timedelta(days=RECENT_DAYS)).isoformat(timespec="seconds")
    removed = await people.forget_old_questions(cutoff)
    log.info("old questions forgotten", extra={"fields": {"rows": removed}})


async def start_desk(application: Application, config: Config) -> None:
    """Send what a crash left unsent; schedule the waiting reminder and the purges of old personal data."""
    application.job_queue.run_daily(forget_old_questions, time=time(3, 15, tzinfo=BERLIN), name="forget-questions")
    desk: AdvisorDesk | None = application.bot_data.get("desk")
    if desk is None:
        return
    await desk.flush(application.bot)
    jobs = application.job_queue
    interval = timedelta(minutes=config.reminder_interval_minutes)
    jobs.run_repeating(desk.remind_waiting, interval=interval, first=interval, name="remind-waiting")
    jobs.run_daily(desk.purge, time=time(3, 0, tzinfo=BERLIN), name="purge-closed")


PID_FILE = "bot.pid"  # where `python -m bot kb reload` finds the running bot
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


async def serve(config: Config, stop: asyncio.Event, answerer: Answerer | None = None,
                reload: asyncio.Event | None = None) -> None:
    """Serve until ``stop`` is set (polling, or webhook with BOT_MODE=webhook); then finish the updates in
    hand, close the database and return. ``reload`` re-reads the knowledge base whenever it is set."""
    core = await build_core(config, advisors=config.advisor_chat_id is not None, answerer=answerer)
    metrics = Metrics()
    core.answerer.searcher.observer = metrics.search_seconds.observe
    application = build_application(config, core, metrics)
    server = None
    if config.port:
        web = build_web_app(application, lambda: health(core), metrics, lambda: refresh_metrics(core, metrics),
                            config.webhook_secret if config.bot_mode == "webhook" else None)
        server = web_server(web, config.port, config.web_host)
    tasks: list[asyncio.Task] = []
    pid_file = config.database_path.parent / PID_FILE
    try:
        await application.initialize()
        await publish_profile(application)
        if config.bot_mode == "webhook":
            await application.bot.set_webhook(f"{config.webhook_url}{WEBHOOK_PATH}", secret_token=config.webhook_secret,
                                              allowed_updates=ALLOWED_UPDATES)
        else:
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, poll_interval=0.0, timeout=30)
        await application.start()
        await start_desk(application, config)
        if server is not None:
            tasks.append(asyncio.create_task(server.serve()))
        if reload is not None:
            tasks.append(asyncio.create_task(reload_on(reload, core, config)))
        pid_file.write_text(str(os.getpid()))
        log.info("started", extra={"fields": {"mode": config.bot_mode, "articles": len(core.answerer.kb.articles)}})
        await stop.wait()
    finally:
        pid_file.unlink(missing_ok=True)
        if server is not None:
            server.should_exit = True
        for task in tasks:
            if task.get_coro().__name__ == "reload_on":
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        await core.close()
        log.info("stopped")


async def reload_on(event: asyncio.Event, core: Core, config: Config) -> None:
    while True:
        await event.wait()
        event.clear()
        problems = await reload_knowledge(core, config)
        if problems:
            log.error("knowledge base not reloaded", extra={"fields": {"errors": len(problems)}})
        else:
            log.info("knowledge base reloaded", extra={"fields": {"articles": len(core.answerer.kb.articles)}})


def run(config: Config) -> int:
    """``python -m bot run``: serve until SIGTERM or SIGINT; SIGHUP re-reads the knowledge base."""
    async def main() -> None:
        stop, reload = asyncio.Event(), asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, reload.set)
        await serve(config, stop, reload=reload)

    # uvloop's event loop costs far less per network round trip than asyncio's own; the bot is mostly that.
    (uvloop.run if uvloop else asyncio.run)(main())
    return 0
