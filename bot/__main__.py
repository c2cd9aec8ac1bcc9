"""The `appeal-bot` command: run, web, worker, sandbox, check-content, db upgrade."""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings, SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="appeal-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (long polling); with no TELEGRAM_BOT_TOKEN, "
                                    "the offline sandbox")
    commands.add_parser("web", help="receive updates by webhook and answer them (several may "
                                    "run on one PostgreSQL); needs WEBHOOK_URL and WEBHOOK_SECRET")
    commands.add_parser("worker", help="deliver alerts, send reminders, purge (several may run "
                                       "on one PostgreSQL); /healthz and /metrics on WORKER_LISTEN")
    sandbox = commands.add_parser("sandbox", help="run the bot offline with a web chat")
    sandbox.add_argument("--port", type=int, default=None, help="web chat port (default 8080)")
    sandbox.add_argument("--memory", action="store_true", help="keep sandbox data in memory")
    commands.add_parser("check-content", help="validate content/ and list every problem")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"], help="upgrade: apply all migrations")
    args = parser.parse_args(argv)

    if args.command == "check-content":
        return check_content()
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"appeal-bot: {error}", file=sys.stderr)
        return 2
    if args.command == "db":
        from storage.db import upgrade_schema

        upgrade_schema(settings.database_url)
        print("Database schema is up to date.")
        return 0
    if args.command in ("web", "worker"):
        if settings.telegram_bot_token is None:
            print(f"appeal-bot {args.command} needs TELEGRAM_BOT_TOKEN (the token @BotFather "
                  "gave you)", file=sys.stderr)
            return 2
        from bot.roles import RoleError, check_role_settings

        try:
            check_role_settings(args.command, settings)
        except RoleError as error:
            print(f"appeal-bot: {error}", file=sys.stderr)
            return 2
        return run(settings, args.command)
    if args.command == "sandbox" or settings.telegram_bot_token is None:
        from bot.sandbox.run import run_sandbox

        if args.command == "run":
            print("No TELEGRAM_BOT_TOKEN is set: starting the offline sandbox instead.")
        return run_sandbox(settings, port=getattr(args, "port", None),
                           in_memory=getattr(args, "memory", False))
    return run(settings)


def check_content(root: str | None = None) -> int:
    from content.loader import CONTENT_ROOT, load_library, translation_gaps

    library, errors = load_library(root or CONTENT_ROOT)
    for error in errors:
        print(error)
    if errors:
        print(f"{len(errors)} problem(s) found.", file=sys.stderr)
        return 1
    gaps = translation_gaps(library)
    for file in sorted({gap.file for gap in gaps}):
        fields = [gap.field for gap in gaps if gap.file == file]
        print(f"warning: {file}: no Russian text yet for {len(fields)} field(s): "
              f"{', '.join(fields)}")
    events = sum(len(case.timeline) for case in library.cases.values())
    print(f"Content is valid: {len(library.cases)} cases, {events} timeline events, "
          f"{len(library.authorities)} authorities.")
    return 0


def run(settings: Settings, role: str = "run") -> int:
    """One process role (bot/roles.py); waits for the database and Telegram before it starts."""
    from bot.logging_setup import configure_logging
    from bot.roles import serve

    secrets = [settings.telegram_bot_token.get_secret_value()]
    if settings.webhook_secret is not None:
        secrets.append(settings.webhook_secret.get_secret_value())
    configure_logging(settings.log_level, secrets, settings.log_format)
    return serve(role, settings)


if __name__ == "__main__":
    sys.exit(main())
