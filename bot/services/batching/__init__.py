"""Group commit: clicks on the same thing that arrive together share one transaction."""

from bot.services.batching.commit import Batch, GroupCommit, Outcomes

__all__ = ["Batch", "GroupCommit", "Outcomes"]
