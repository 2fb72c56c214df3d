"""The private "waiting for approval" replies of recent sign-ups, so a decision can update them.

Discord lets an interaction's token edit its reply for 15 minutes. The interaction is kept in
memory only (a token is a short-lived credential, not a record): after a restart or once the
time is up the reply is left as it is, and the DM and the welcome post carry the news instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock
from bot.ui.context import Interaction

# A minute short of Discord's 15, so an edit never races the token's end.
LIFETIME = timedelta(minutes=14)


class SignUpReplies:
    """Each recent sign-up's private reply, while Discord still lets the bot edit it."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._held: dict[int, tuple[Interaction, datetime]] = {}

    def remember(self, member_id: int, interaction: Interaction) -> None:
        """Keep the interaction whose reply told this person they are waiting."""
        now = self.clock.now()
        # Drop the ones that can no longer be edited, so the map stays small.
        self._held = {k: v for k, v in self._held.items() if v[1] > now}
        self._held[member_id] = (interaction, now + LIFETIME)

    def live(self, member_id: int) -> Interaction | None:
        """Return the interaction behind someone's reply if it can still be edited."""
        held = self._held.get(member_id)
        if held is None or held[1] <= self.clock.now():
            return None
        return held[0]

    def forget(self, member_id: int) -> None:
        """Stop holding someone's reply (it was updated, or they were erased)."""
        self._held.pop(member_id, None)
