"""The chat case editor's domain code (no Telegram): a draft case document, field by field,
checked with the same schema and messages as a case file (``content.loader.parse_case``)."""
