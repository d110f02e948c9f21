"""Whole conversations on Telegram: the real bot, its real HTTP stack, a fake Bot API on 127.0.0.1."""
from __future__ import annotations

import pytest

from bot.kb.model import LANGUAGES
from tests.fake_telegram import FakeTelegram
from tests.telegram_harness import running_bot

pytestmark = pytest.mark.slow


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake, tmp_path, answerer):
    async with running_bot(fake, tmp_path, answerer) as config:
        yield config


async def test_profile_is_published_in_every_language(fake, bot):
    await fake.settle(0.2)
    assert set(fake.commands) == {None, *LANGUAGES}
    for lang in LANGUAGES:
        names = [c["command"] for c in fake.commands[lang]]
        assert names[:3] == ["start", "topics", "advisor"]
        assert all(name.islower() and "-" not in name for name in names)
    assert fake.descriptions["de"] != fake.descriptions["en"]
    assert set(fake.short_descriptions) == {None, *LANGUAGES}


async def test_first_contact_uses_the_telegram_language(fake, bot):
    await fake.say(1001, "/start", language_code="uk")
    welcome, picker = await fake.wait_for(1001, 2)
    assert "✓ Українська" in [label for label, _ in picker.buttons]
    assert welcome.params["parse_mode"] == "HTML"
    assert welcome.params["link_preview_options"]["is_disabled"] is True
