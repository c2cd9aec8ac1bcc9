"""What handlers need from the running bot, kept in ``application.bot_data``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Settings
from storage.db import Database

if TYPE_CHECKING:
    from telegram.ext import CallbackContext

    from bot.delivery import DeliveryWorker

SERVICES_KEY = "services"


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=Clock)
    # The one sender of broadcasts, while it runs (post_init starts it, post_shutdown stops it).
    delivery: DeliveryWorker | None = None
    # The process role (bot/roles.py): run (everything), web (updates) or worker (sending, jobs).
    role: str = "run"

    @property
    def handles_updates(self) -> bool:
        return self.role in ("run", "web")

    @property
    def runs_jobs(self) -> bool:
        """Delivery, reminders and purges run here (not in a `web` process)."""
        return self.role in ("run", "worker")


def services(context: CallbackContext) -> Services:
    return context.application.bot_data[SERVICES_KEY]
