"""What moving between levels returns: a choice, a move, a decline, the eligible list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CHOICES = {"move_up", "stay"}
STATE_TEXT = {
    "unsent": "not told yet",
    "told": "told; no answer yet",
    "no_dms": "not messaged (they turned DMs from the bot off); they can see it in /progress",
    "move_up": "wants to move up: please confirm",
    "stay": "chose to stay",
    "declined": "a worker did not confirm the move",
    "unreachable": "could not be sent the message (DMs closed?); they can see it in /progress",
}


@dataclass(frozen=True)
class MoveChoice:
    """A member's answer to their notice; on move_up the cog posts a confirm card to workers."""

    notice_id: int
    member_id: int
    user_id: int
    preferred_name: str
    level_key: str
    level_name: str
    choice: str
    worker_log_channel_id: int | None
    text: str
    withdrawn: bool = False  # a move-up request taken back before a worker confirmed it


@dataclass(frozen=True)
class LevelMove:
    """A level change done; the cog swaps the roles and tells the member."""

    member_id: int
    user_id: int
    preferred_name: str
    direction: str
    from_level_key: str
    from_level_name: str
    to_level_key: str
    to_level_name: str
    remove_role_id: int | None
    add_role_id: int | None
    notice_id: int | None
    text: str


@dataclass(frozen=True)
class MoveDeclined:
    """A worker did not confirm a move; the member is told why."""

    notice_id: int
    user_id: int
    level_name: str
    reason: str
    text: str


@dataclass(frozen=True)
class EligibleView:
    """A member who meets their next level, for the workers' list."""

    notice_id: int
    member_id: int
    user_id: int
    preferred_name: str
    current_level_name: str
    next_level_key: str
    next_level_name: str
    state: str
    state_text: str
    eligible_at: datetime


def choice_text(level_name: str, choice: str, withdrawn: bool) -> str:
    """Return what a member is told after answering their level message."""
    if choice == "move_up":
        return (
            f"Thanks. You have asked to move up to {level_name}. A worker will confirm it, and "
            "you will get a message when they have. Changed your mind? Until then you can "
            "take it back with “I'd rather stay”, here or in /progress."
        )
    if withdrawn:
        return (
            f"Done: you have taken back your request to move up to {level_name}, and the "
            "workers can see that. You are staying where you are, which is completely fine. "
            "You can ask again later from /progress."
        )
    return (
        f"That's fine: you are staying where you are. You can choose {level_name} later "
        "from /progress."
    )
