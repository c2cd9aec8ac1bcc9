"""Reporting back: some appeals ask supporters to tell them what they did, quoting the appeal's
code (the Observatory's "Kindly inform us of any action undertaken quoting the code"). After
[I sent it] on such a case the wizard offers that report as a prepared e-mail. Pure texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.i18n import t
from bot.letters import Letter, render_report
from bot.wizard import AddresseeOption, plain_length, who
from content.schema import Case


def offer_text(case: Case, lang: str) -> str:
    """The line under the thanks for a letter (empty when the appeal asks for no report)."""
    if case.report_to is None:
        return ""
    return t("📨 {name} asks everyone who acts on this appeal to tell them, quoting "
             "{codes}. I have prepared that e-mail for you.", lang,
             name=escape(case.report_to.name),
             codes=", ".join(f"<code>{escape(code)}</code>" for code in case.codes))


def offer_label(case: Case, lang: str) -> str:
    return t("📨 Tell {name}", lang, name=case.report_to.name if case.report_to else "")


def report(case: Case, options: Sequence[AddresseeOption], language: str) -> Letter:
    """The report listing every addressee of the case this person has written to."""
    return render_report(case, [who(option.authority) for option in options if option.written],
                         language)


def report_help_text(case: Case, letter: Letter, lang: str) -> str:
    """How to send the report, with the address, subject and text to copy."""
    assert case.report_to is not None
    lines = [
        t("📨 <b>Your report to {name}</b>", lang, name=escape(case.report_to.name)), "",
        t("<b>To:</b> {to}", lang, to=f"<code>{escape(case.report_to.email)}</code>"),
        t("<b>Subject:</b> <code>{subject}</code>", lang, subject=escape(letter.subject)),
        f"<pre>{escape(letter.body)}</pre>", "",
        t("Open the attached draft in your mail app, or copy the subject and the text. I record "
          "nothing about this report.", lang),
    ]
    text = "\n".join(lines)
    if plain_length(text) > 4000:  # a case with very many addressees: the draft file has it all
        lines[4] = t("The text is in the attached draft.", lang)
        text = "\n".join(lines)
    return text
