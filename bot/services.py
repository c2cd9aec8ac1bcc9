"""What handlers need from the running bot, kept in ``application.bot_data``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.config import Settings
from storage.db import Database

if TYPE_CHECKING:
    from telegram.ext import CallbackContext

SERVICES_KEY = "services"


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=Clock)
    # Filled by features that run in the background (the delivery worker, reminders).
    extras: dict[str, Any] = field(default_factory=dict)


def services(context: CallbackContext) -> Services:
    return context.application.bot_data[SERVICES_KEY]
