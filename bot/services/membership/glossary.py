"""The glossary behind /jargon: plain-English meanings of the words the group uses."""

from __future__ import annotations

from bot.services.base import Service
from bot.services.errors import NotFound


class Glossary(Service):
    """Look words up in the configured glossary."""

    def glossary_matches(
        self, query: str, limit: int = 25, guild_id: int | None = None
    ) -> list[str]:
        """Return a server's glossary terms containing the query, best first."""
        q = query.strip().casefold()
        terms = sorted(self.settings_for(guild_id).glossary, key=str.casefold)
        starts = [t for t in terms if t.casefold().startswith(q)]
        contains = [t for t in terms if q in t.casefold() and t not in starts]
        return (starts + contains)[:limit]

    def explain(self, term: str, guild_id: int | None = None) -> tuple[str, str]:
        """Return a glossary term and its plain-English meaning (in a server's glossary)."""
        wanted = term.strip().casefold()
        for key, meaning in self.settings_for(guild_id).glossary.items():
            if key.casefold() == wanted:
                return key, meaning
        suggestions = self.glossary_matches(term, limit=3, guild_id=guild_id)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise NotFound(f"I don't have an explanation for {term.strip()[:50]!r} yet.{hint}")
