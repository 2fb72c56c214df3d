"""Custom ids for forms (modals) that several people may have open at once."""

from __future__ import annotations

import secrets


def unique(custom_id: str) -> str:
    """Return a modal custom_id no one else's open form shares.

    discord.py keeps open modals by custom_id alone, so two people with the same form open
    would otherwise receive each other's submissions (and one of them would be lost).
    """
    return f"{custom_id}:{secrets.token_hex(4)}"[:100]
