"""Telegram rendering: escaped HTML, safe splitting, signed buttons, the flood guard."""
from __future__ import annotations

from bot.channels.telegram.callbacks import CallbackSigner
from bot.channels.telegram.flood import ALLOW, DROP, NOTICE, FloodGuard
from bot.channels.telegram.render import CHUNK_LIMIT, keyboard, split_html, to_html
from bot.dialog.types import Button, Reply
from tests.fake_telegram import check_html, utf16_len


def test_everything_is_escaped_and_sources_become_links():
    reply = Reply("Kosten < 100 € & mehr", "de", title="<b>Titel</b>", sources=("https://www.bamf.de/a?b=1&c=2",))
    html_text = to_html(reply)
    assert "&lt;b&gt;Titel&lt;/b&gt;" in html_text and "Kosten &lt; 100 € &amp; mehr" in html_text
    assert '<a href="https://www.bamf.de/a?b=1&amp;c=2">bamf.de</a>' in html_text
    assert check_html(html_text)[0] is None


def test_long_replies_are_split_below_the_limit_into_valid_pieces():
    paragraph = ("Ein Satz mit <Zeichen> & Umlauten äöü. " * 30).strip()
    reply = Reply("\n\n".join([paragraph] * 12) + "\n\n" + "x" * 5000, "de", title="Titel",
                  sources=("https://www.bamf.de/",))
    chunks = split_html(to_html(reply))
    assert len(chunks) > 2
    for chunk in chunks:
        error, _ = check_html(chunk)
        assert error is None
        assert utf16_len(chunk) <= CHUNK_LIMIT
    assert chunks[0].startswith("<b>Titel</b>")
    assert chunks[-1].endswith('<a href="https://www.bamf.de/">bamf.de</a>')


def test_buttons_are_signed_and_forgeries_are_refused():
    signer = CallbackSigner("secret")
    markup = keyboard(Reply("x", "en", buttons=((Button("A", "art:visa-blue-card"),),)), signer)
    data = markup.inline_keyboard[0][0].callback_data
    assert len(data.encode()) <= 64
    assert signer.verify(data) == "art:visa-blue-card"
    assert signer.verify(data.replace("blue", "red")) is None
    assert CallbackSigner("other secret").verify(data) is None
    assert signer.verify(None) is None and signer.verify("no signature") is None


def test_every_article_button_fits_into_telegrams_64_bytes(kb):
    signer = CallbackSigner("secret")
    for aid in kb.articles:
        for action in (f"art:{aid}", f"fb:{aid}:0"):
            assert len(signer.sign(action).encode()) <= 64


def test_flood_guard_allows_then_warns_once_then_stays_silent_until_the_window_passes():
    now = [0.0]
    guard = FloodGuard(limit=3, window=60, clock=lambda: now[0])
    assert [guard.check("p") for _ in range(5)] == [ALLOW, ALLOW, ALLOW, NOTICE, DROP]
    assert guard.check("someone else") == ALLOW
    now[0] = 61
    assert guard.check("p") == ALLOW
    guard.forget_idle()
    now[0] = 200
    guard.forget_idle()
    assert guard._seen == {}
