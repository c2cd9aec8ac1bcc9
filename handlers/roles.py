"""Who may do what: owners come from ADMIN_IDS, coordinators are the people owners added, and
everyone else is a supporter. Anyone who tries a command above their audience gets a plain "not
available" and nothing changes."""

from __future__ import annotations

from telegram import Update

from bot.commands import Audience
from bot.coordination.scope import Scope, scope_of
from bot.i18n import N_, t
from bot.services import Services
from handlers.common import lang_of, respond
from storage import coordinators as coordinator_queries
from storage.models import Alert


def user_id_of(update: Update) -> int | None:
    return update.effective_user.id if update.effective_user else None


def is_owner(svc: Services, user_id: int | None) -> bool:
    return user_id is not None and user_id in svc.settings.admin_ids


async def can_coordinate(svc: Services, user_id: int | None) -> bool:
    if user_id is None:
        return False
    if is_owner(svc, user_id):
        return True
    async with svc.db.session() as session:
        return await coordinator_queries.is_coordinator(session=session, user_id=user_id)


async def audience_of(svc: Services, user_id: int | None) -> Audience:
    if is_owner(svc, user_id):
        return Audience.OWNER
    if await can_coordinate(svc, user_id):
        return Audience.COORDINATOR
    return Audience.SUPPORTER


async def not_available(update: Update) -> None:
    await respond(update, t("This command is not available.", lang_of(update)), edit=False)


async def scope_for(svc: Services, user_id: int | None) -> Scope:
    """The cases this person may coordinate (every case for owners and unlimited ones)."""
    async with svc.db.session() as session:
        return await scope_of(session=session, user_id=user_id, owners=svc.settings.admin_ids)


NOT_YOURS = N_("That case is not one of yours: an owner limited you to some cases. Ask an owner "
               "if you need to work on it.")
LIMITED_NO_NEW_CASE = N_("Adding a new case is for coordinators who may work on every case: an "
                         "owner limited you to some. Ask an owner to add it.")


async def may_work_on(svc: Services, user_id: int | None, case_id: int | None) -> bool:
    """Whether this coordinator's scope takes in the case (None: a case that does not exist)."""
    return (await scope_for(svc, user_id)).allows(case_id)


async def may_work_on_alert(svc: Services, user_id: int | None, alert_id: int) -> bool:
    """Whether the alert's case is in this coordinator's scope (a gone alert: let the command
    say it is gone)."""
    scope = await scope_for(svc, user_id)
    if not scope.limited:
        return True
    async with svc.db.session() as session:
        alert = await session.get(Alert, alert_id)
    return alert is None or scope.allows(alert.case_id)


async def may_add_cases(svc: Services, user_id: int | None) -> bool:
    return not (await scope_for(svc, user_id)).limited
