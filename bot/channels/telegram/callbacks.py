"""Signed callback data: a button's action plus a short HMAC, so buttons survive restarts
(nothing is kept in memory) and a forged or mangled press is recognised and refused."""
from __future__ import annotations

import base64
import hashlib
import hmac

from bot.dialog.actions import MAX_BYTES

SEPARATOR = "|"
SIGNATURE_CHARS = 10


class CallbackSigner:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("callback-data:" + secret).encode()).digest()

    def _signature(self, action: str) -> str:
        digest = hmac.new(self._key, action.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_CHARS]

    def sign(self, action: str) -> str:
        data = f"{action}{SEPARATOR}{self._signature(action)}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data longer than {MAX_BYTES} bytes: {action!r}")
        return data

    def verify(self, data: str | None) -> str | None:
        """The action, or None when the data was not signed by us."""
        if not data or SEPARATOR not in data:
            return None
        action, _, signature = data.rpartition(SEPARATOR)
        return action if hmac.compare_digest(signature, self._signature(action)) else None
