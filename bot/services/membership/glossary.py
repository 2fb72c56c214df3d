"""The glossary behind /jargon: plain-English meanings of the words the group uses."""

from __future__ import annotations

from bot.services.base import Service
from bot.services.errors import NotFound


class Glossary(Service):
    """Look words up in the configured glossary."""

    def glossary_matches(self, query: str, limit: int = 25) -> list[str]:
        """Return glossary terms containing the query, best first."""
        q = query.strip().casefold()
        terms = sorted(self.settings.glossary, key=str.casefold)
        starts = [t for t in terms if t.casefold().startswith(q)]
        contains = [t for t in terms if q in t.casefold() and t not in starts]
        return (starts + contains)[:limit]

    def explain(self, term: str) -> tuple[str, str]:
        """Return a glossary term and its plain-English meaning."""
        wanted = term.strip().casefold()
        for key, meaning in self.settings.glossary.items():
            if key.casefold() == wanted:
                return key, meaning
        suggestions = self.glossary_matches(term, limit=3)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise NotFound(f"I don't have an explanation for {term.strip()[:50]!r} yet.{hint}")
