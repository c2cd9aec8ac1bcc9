"""Turning the text of an urgent appeal (an e-mail, a web page, a PDF) into a draft case.

Pure code: no Telegram, no database. ``extract`` gets the text out of a document, ``appeal``
finds the fields (``observatory`` and ``amnesty`` know their formats' addressee blocks),
``directory`` matches the addressees to the authorities the bot already knows.
"""
