"""What coordinators do, as plain functions of a database session (no Telegram types here).

Every command that messages subscribers works in two steps:

1. A *proposal* function (``hearings.propose_hearing``, ``updates.propose_news``…) reads the
   command, checks it against the database and returns the facts of the alert as a payload;
   :func:`broadcasts.make_draft` renders the alert once with its kind's ``render`` and stores it
   as a :class:`~storage.models.PendingBroadcast` draft; the handler shows that exact text and
   the audience size.
2. :func:`broadcasts.confirm_broadcast` makes the change the draft stands for with its kind's
   ``apply`` (an event, a postponement, a closed case…) and queues the outbox alert, in one
   transaction that starts with a conditional UPDATE (draft → sent), so a second press, a
   second process or a stale button sends nothing.

The kinds are one table, :data:`registry.BROADCAST_KINDS`: a new kind is one entry there plus its
proposal, render and apply functions. Bad input raises :class:`bot.parsing.InputError`. Every
change is written to the audit log in the transaction that makes it.

Modules: ``kinds`` (the types), ``lookup`` (cases and hearings by what coordinators type),
``hearings`` and ``updates`` (the kinds), ``registry``, ``broadcasts`` (draft, preview, Send,
Cancel), ``reports`` (/upcoming, /stats, /audit), ``team`` (coordinators), ``uploads`` (case
files sent in chat).
"""
