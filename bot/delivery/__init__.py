"""Delivery: the one place that sends broadcasts.

- :mod:`~bot.delivery.worker` drains the outbox (claims under lease, heartbeat, group commits,
  progress, the end of each alert) and knows no channel;
- :mod:`~bot.delivery.pacing` decides when the next message may go,
  :mod:`~bot.delivery.retry` when a failed one is tried again, and
  :mod:`~bot.delivery.breaker` when the channel is down for everyone;
- :mod:`~bot.delivery.transport` talks to Telegram and maps its answers to a
  :class:`~bot.delivery.results.SendResult`;
- :mod:`~bot.delivery.report` formats progress and keeps the coordinator's status message.

The wiring (``bot/app.py``) builds them and gives the worker its buttons and progress callback.
"""

from bot.delivery.breaker import CircuitBreaker
from bot.delivery.pacing import Pacer
from bot.delivery.report import OnProgress, Report, StatusMessages, format_report
from bot.delivery.results import SendOutcome, SendResult, Transport
from bot.delivery.retry import RetryPolicy
from bot.delivery.transport import TelegramTransport
from bot.delivery.worker import DeliveryWorker, MarkupFor

__all__ = [
    "CircuitBreaker",
    "DeliveryWorker",
    "MarkupFor",
    "OnProgress",
    "Pacer",
    "Report",
    "RetryPolicy",
    "SendOutcome",
    "SendResult",
    "StatusMessages",
    "TelegramTransport",
    "Transport",
    "format_report",
]
