"""Membership: one facade over sign-ups, members' own records, data rights and the glossary.

- signups: join with consent, a worker's approval or decline   (signups.py)
- members: profile, breaks, leaving, equality answers           (members.py)
- data_rights: /mydata and /forgetme across every feature       (data_rights.py)
- glossary: /jargon                                              (glossary.py)
- owed: what the cog's outbox senders read and record           (owed.py)
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.base import Service, Wake
from bot.services.membership.data_rights import DataRights

# Sessions and the service tests import these two from here; keep that path working.
from bot.services.membership.forms import ADJUSTMENTS as ADJUSTMENTS
from bot.services.membership.forms import JoinForm as JoinForm
from bot.services.membership.glossary import Glossary
from bot.services.membership.members import MemberRecords
from bot.services.membership.owed import OwedDeliveries
from bot.services.membership.signups import SignUps
from bot.settings import Settings

Db = async_sessionmaker[AsyncSession]


class MembershipService(Service):
    """Everything about being (or becoming, or ceasing to be) a member, made of four parts."""

    def __init__(self, settings: Settings, db: Db, clock: Clock, wake: Wake | None = None) -> None:
        super().__init__(settings, db, clock, wake)
        self.signups = SignUps(settings, db, clock, wake)
        self.members = MemberRecords(settings, db, clock, wake)
        self.data_rights = DataRights(settings, db, clock, wake)
        self.glossary = Glossary(settings, db, clock, wake)
        self.owed = OwedDeliveries(settings, db, clock, wake)
        # Every feature (and its tests) calls membership by these flat names; the parts own them.
        self.check_can_join = self.signups.check_can_join
        self.join = self.signups.join
        self.set_card = self.signups.set_card
        self.worker_log_channel = self.signups.worker_log_channel
        self.get_for_worker = self.signups.get_for_worker
        self.pending = self.signups.pending
        self.confirm_carer_aware = self.signups.confirm_carer_aware
        self.approve = self.signups.approve
        self.decline = self.signups.decline
        self.profile = self.members.profile
        self.status_of = self.members.status_of
        self.update_profile = self.members.update_profile
        self.pause = self.members.pause
        self.resume = self.members.resume
        self.leave = self.members.leave
        self.save_equality = self.members.save_equality
        self.audiences = self.members.audiences
        self.groups_of = self.members.groups_of
        self.register_personal_data = self.data_rights.register_personal_data
        self.export = self.data_rights.export
        self.forget = self.data_rights.forget
        self.glossary_matches = self.glossary.glossary_matches
        self.explain = self.glossary.explain
