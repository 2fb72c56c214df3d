"""Every model, imported so that Base.metadata knows every table."""

from bot.db.models.membership import AuditEntry, EqualityMonitoring, GuildConfig, LevelRole, Member

__all__ = ["AuditEntry", "EqualityMonitoring", "GuildConfig", "LevelRole", "Member"]
