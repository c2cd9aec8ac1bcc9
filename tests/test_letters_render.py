"""The letter-rendering layer (bot/letters.py, content/letters/*.txt.j2): pure, no Telegram."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.letters import (
    CITY_MAX,
    LANGUAGES,
    NAME_MAX,
    Letter,
    SignatureError,
    Signer,
    build_eml,
    build_pdf,
    channel_label,
    clean_signature,
    format_date,
    postal_block,
    reachable_channels,
    render_letter,
    split_for_telegram,
)
from bot.pdf_fonts import missing_glyphs
from content.schema import Authority, Case

BODY_MIN, BODY_MAX = 400, 3500

# --------------------------------------------------------------------------- fixtures

PROSECUTOR = Authority(
    key="kz-prosecutor-general",
    name="Zhakyp Assanov",
    name_ru="Жакип Асанов",
    role="Prosecutor General of the Republic of Kazakhstan",
    country="Kazakhstan",
    as_of="2017-10-04",
    salutation={"en": "Dear Prosecutor General,", "ru": "Уважаемый господин Генеральный прокурор!"},
    emails=["prokuratura@example.kz"],
    faxes=["+7 7172 506 402"],
)
# Bare salutations: the letter adds the punctuation each language expects.
COMMISSION = Authority(
    key="european-commission",
    name="Jean-Claude Juncker",
    name_ru="Жан-Клод Юнкер",
    role="President of the European Commission",
    as_of="2017",
    salutation={"en": "Dear Mr President", "ru": "Уважаемый господин Председатель"},
    postal_address="Rue de la Loi / Wetstraat 200, 1049 Brussels, Belgium",
    web_form="https://example.org/contact",
)
NO_CHANNEL = Authority(
    key="pace",
    name="Stella Kyriakides",
    role="President of PACE",
    as_of="2017",
    salutation={"en": "Dear Madam President,", "ru": "Уважаемая госпожа Председатель!"},
    phones=["+33 3 88 41 20 00"],
)

ACTIONS = [
    {
        "en": "Release Ivan Ivanov immediately and unconditionally, since he is held solely for "
        "his peaceful human rights work.",
        "ru": "Незамедлительно и безусловно освободить Ивана Иванова, поскольку он содержится под "
        "стражей исключительно за мирную правозащитную деятельность.",
    },
    {
        "en": "Pending his release, guarantee him regular access to his lawyer, his family and "
        "any medical care he needs.",
        "ru": "До освобождения обеспечить ему регулярный доступ к адвокату, свидания с семьёй и "
        "необходимую медицинскую помощь.",
    },
    {
        "en": "Ensure that human rights defenders in Kazakhstan can carry out their work without "
        "fear of reprisals.",
        "ru": "Обеспечить правозащитникам в Казахстане возможность вести свою работу, не опасаясь "
        "преследований.",
    },
]


def make_case(**changes) -> Case:
    data = {
        "slug": "ivanov",
        "codes": ["KAZ 003/1017/OBS 107", "UA 12/24"],
        "title": {"en": "Human rights defender Ivan Ivanov detained",
                  "ru": "Задержан правозащитник Иван Иванов"},
        "country": "Kazakhstan",
        "people": [{"name": "Ivan Ivanov", "role": "human rights defender"}],
        "status": "open",
        "summary": {"en": "Ivan Ivanov, a human rights defender, was detained on 3 March 2024 "
                    "after a peaceful protest in Almaty."},
        "requested_actions": ACTIONS,
        "addressees": ["kz-prosecutor-general", "european-commission"],
        "letter_about": {
            "en": "human rights defender Ivan Ivanov",
            "ru": "правозащитника Ивана Иванова",
        },
        "letter_concern": {
            "en": "He has been held in pre-trial detention since 3 March 2024, apparently solely "
            "for peacefully exercising his right to freedom of expression.",
            "ru": "С 3 марта 2024 года он находится под стражей, по всей видимости, исключительно "
            "за мирное осуществление права на свободу выражения мнений.",
        },
        "sources": [{"publisher": "Example", "title": "Urgent appeal"}],
    }
    data.update(changes)
    return Case(**data)


CASE = make_case()
ONE_CODE = make_case(codes=["UA 12/24"])
NO_CODE = make_case(codes=[])
JANE = Signer(name="Jane Doe", city="Berlin")
AUTHORITIES = [PROSECUTOR, COMMISSION]


def lines(letter: Letter) -> list[str]:
    return letter.body.splitlines()


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("case", [CASE, ONE_CODE], ids=["two-codes", "one-code"])
def test_subject_and_opening_quote_every_code(case, language):
    letter = render_letter(case, PROSECUTOR, language, JANE)
    assert "\n" not in letter.subject
    opening = letter.body.split("\n\n")[1]
    for code in case.codes:
        assert code in letter.subject
        assert code in opening  # "please quote the reference ... in any reply"
    assert getattr(case.letter_about, language) in letter.subject
    assert letter.subject not in letter.body  # the subject is not repeated in the body


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_subject_without_code_names_the_person(language):
    letter = render_letter(NO_CODE, PROSECUTOR, language, JANE)
    assert getattr(NO_CODE.letter_about, language) in letter.subject
    assert "UA" not in letter.subject
    reply_request = {"en": "quote", "ru": "ссылаться"}[language]
    assert reply_request not in letter.body


def test_reply_request_wording():
    en = render_letter(ONE_CODE, PROSECUTOR, "en", JANE).body
    ru = render_letter(ONE_CODE, PROSECUTOR, "ru", JANE).body
    assert "please quote the reference UA 12/24." in en
    assert "При ответе прошу ссылаться на номер UA 12/24." in ru
    en = render_letter(CASE, PROSECUTOR, "en", JANE).body
    ru = render_letter(CASE, PROSECUTOR, "ru", JANE).body
    assert "the references KAZ 003/1017/OBS 107 and UA 12/24." in en
    assert "на номера KAZ 003/1017/OBS 107 и UA 12/24." in ru


@pytest.mark.parametrize(
    ("authority", "language", "expected"),
    [
        (PROSECUTOR, "en", "Dear Prosecutor General,"),
        (PROSECUTOR, "ru", "Уважаемый господин Генеральный прокурор!"),
        (COMMISSION, "en", "Dear Mr President,"),
        (COMMISSION, "ru", "Уважаемый господин Председатель!"),
    ],
)
def test_salutation_per_language(authority, language, expected):
    letter = render_letter(CASE, authority, language, JANE)
    assert lines(letter)[0] == expected
    assert letter.body.startswith(expected + "\n\n")


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_opening_says_whom_and_why(language):
    letter = render_letter(CASE, PROSECUTOR, language, JANE)
    opening = letter.body.split("\n\n")[1]
    assert getattr(CASE.letter_about, language) in opening
    assert getattr(CASE.letter_concern, language) in opening
    lead = {"en": "I am writing to you with regard to", "ru": "Обращаюсь к Вам в связи с"}[language]
    assert opening.startswith(lead)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_requested_action_numbered_in_its_language(language):
    letter = render_letter(CASE, PROSECUTOR, language, JANE)
    body_lines = lines(letter)
    lead = {"en": "I respectfully urge you to:", "ru": "Прошу Вас:"}[language]
    start = body_lines.index(lead)
    for number, action in enumerate(CASE.requested_actions, start=1):
        assert body_lines[start + number] == f"{number}. {getattr(action, language)}"
    other = "ru" if language == "en" else "en"
    for action in CASE.requested_actions:
        assert getattr(action, other) not in letter.body


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_signature_named_and_anonymous(language):
    close = {"en": "Yours sincerely,", "ru": "С уважением,"}[language]
    anonymous = {"en": "A concerned member of the public", "ru": "Неравнодушный человек"}

    named = lines(render_letter(CASE, PROSECUTOR, language, JANE))
    assert named[-3:] == [close, "Jane Doe", "Berlin"]

    name_only = lines(render_letter(CASE, PROSECUTOR, language, Signer(name="Jane Doe")))
    assert name_only[-2:] == [close, "Jane Doe"]

    nobody = lines(render_letter(CASE, PROSECUTOR, language, Signer()))
    assert nobody[-2:] == [close, anonymous[language]]

    city_only = lines(render_letter(CASE, PROSECUTOR, language, Signer(city="Berlin")))
    assert city_only[-3:] == [close, anonymous[language], "Berlin"]


def test_signer_line_breaks_cannot_reshape_the_letter():
    signer = Signer(name="x\r\nBcc: evil@example.com", city="Berlin\n\nP.S.")
    body_lines = lines(render_letter(CASE, PROSECUTOR, "en", signer))
    assert body_lines[-2:] == ["x Bcc: evil@example.com", "Berlin P.S."]
    assert "\r" not in "\n".join(body_lines)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("case", [CASE, ONE_CODE, NO_CODE], ids=["two", "one", "none"])
@pytest.mark.parametrize("signer", [JANE, Signer()], ids=["named", "anonymous"])
@pytest.mark.parametrize("authority", AUTHORITIES, ids=lambda a: a.key)
def test_length_bounds(case, authority, language, signer):
    letter = render_letter(case, authority, language, signer)
    assert BODY_MIN <= len(letter.body) <= BODY_MAX, len(letter.body)
    assert len(letter.subject) <= 200
    assert "\n\n\n" not in letter.body
    assert letter.body == letter.body.strip()
    assert all(line == line.rstrip() for line in letter.body.splitlines())


def test_russian_has_no_english_boilerplate():
    letter = render_letter(CASE, COMMISSION, "ru", Signer(name="Анна Петрова", city="Берлин"))
    text = letter.subject + "\n" + letter.body
    for code in CASE.codes:
        text = text.replace(code, "")
    assert not re.search(r"[A-Za-z]", text), text  # everything else is Cyrillic
    english = render_letter(CASE, COMMISSION, "en", Signer(name="Anna Petrova", city="Berlin"))
    assert not re.search(r"[А-Яа-яЁё]", english.subject + english.body)


def test_letter_metadata_and_determinism():
    letter = render_letter(CASE, PROSECUTOR, "ru", JANE)
    assert letter == render_letter(CASE, PROSECUTOR, "ru", JANE)
    assert letter.language == "ru"
    assert letter.to_name == "Жакип Асанов"
    assert letter.case_slug == "ivanov"
    assert letter.authority_key == "kz-prosecutor-general"
    assert render_letter(CASE, PROSECUTOR, "en", JANE).to_name == "Zhakyp Assanov"
    no_ru_name = NO_CHANNEL.model_copy(update={"name_ru": None})
    assert render_letter(CASE, no_ru_name, "ru", JANE).to_name == "Stella Kyriakides"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown letter language"):
        render_letter(CASE, PROSECUTOR, "de", JANE)


def test_plain_text_is_not_html_escaped():
    case = make_case(
        requested_actions=[
            {"en": "Stop <reprisals> & abuse", "ru": "Прекратить «давление» & <травлю>"}
        ]
    )
    assert "1. Stop <reprisals> & abuse" in render_letter(case, PROSECUTOR, "en", JANE).body
    assert "1. Прекратить «давление» & <травлю>" in render_letter(case, PROSECUTOR, "ru", JANE).body


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    ("text", "name", "city"),
    [
        ("Jane Doe, Berlin", "Jane Doe", "Berlin"),
        ("  Jane   Doe ,  Berlin  ", "Jane Doe", "Berlin"),
        ("Jane Doe", "Jane Doe", None),
        ("Jane Doe\nBerlin", "Jane Doe", "Berlin"),
        ("Doe, Jane\nBerlin", "Doe, Jane", "Berlin"),
        ("Jane Doe\nAmnesty group 12\nBerlin\n", "Jane Doe, Amnesty group 12", "Berlin"),
        ("Dr. Jane Doe, Jr., Berlin", "Dr. Jane Doe, Jr.", "Berlin"),
        ("Jane Doe,", "Jane Doe", None),
        (", Berlin", None, "Berlin"),
        ("Анна Петрова, Алматы", "Анна Петрова", "Алматы"),
        ("<b>Jane</b>, Berlin", "<b>Jane</b>", "Berlin"),
    ],
)
def test_clean_signature_parses(text, name, city):
    assert clean_signature(text) == Signer(name=name, city=city)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "empty"),
        ("   \n  ", "empty"),
        (" , ", "empty"),
        ("x\r\nBcc: evil@example.com", "control"),
        ("Jane\tDoe", "control"),
        ("Jane\u202eeoD", "control"),  # right-to-left override
        ("Jane\u200bDoe", "control"),  # zero-width space
        ("Jane\x00Doe", "control"),
        ("Jane\u2028Berlin", "control"),  # Unicode line separator
        ("J" * (NAME_MAX + 1), "name_too_long"),
        ("Jane Doe, " + "B" * (CITY_MAX + 1), "city_too_long"),
    ],
)
def test_clean_signature_refuses(text, key):
    with pytest.raises(SignatureError) as caught:
        clean_signature(text)
    assert caught.value.key == key
    assert isinstance(caught.value, ValueError)
    assert str(caught.value)  # a message fit to show the supporter


def test_clean_signature_limits_are_inclusive():
    assert clean_signature("J" * NAME_MAX + ", " + "B" * CITY_MAX) == Signer(
        name="J" * NAME_MAX, city="B" * CITY_MAX
    )


def _forbidden(char: str) -> bool:
    return char != "\n" and unicodedata.category(char) in {"Cc", "Cf"}


@settings(max_examples=400)
@given(st.text())
def test_clean_signature_never_crashes(text):
    try:
        signer = clean_signature(text)
    except SignatureError as error:
        assert error.key in {"empty", "control", "name_too_long", "city_too_long", "no_glyph"}
        return
    assert not any(_forbidden(char) for char in text)
    assert not missing_glyphs((signer.name or "") + (signer.city or ""))  # all printable
    assert signer.name is not None or signer.city is not None
    for part, limit in ((signer.name, NAME_MAX), (signer.city, CITY_MAX)):
        if part is not None:
            assert part and part == part.strip()
            assert "\r" not in part and "\n" not in part
            assert len(part) <= limit
            assert not any(unicodedata.category(c) in {"Cc", "Cf"} for c in part)


@given(
    st.text(),
    st.sampled_from(
        [chr(c) for c in range(0x20) if c != 0x0A] + ["\x7f", "\u200d", "\u202e", "\ufeff"]
    ),
    st.text(),
)
def test_clean_signature_refuses_control_characters(before, control, after):
    with pytest.raises(SignatureError) as caught:
        clean_signature(before + control + after)
    assert caught.value.key == "control"


# --------------------------------------------------------------------------- e-mail

WHEN = dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC)


def parse_eml(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def eml_body(message) -> str:
    return message.get_content().replace("\r\n", "\n")


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_build_eml_round_trip(language):
    letter = render_letter(CASE, PROSECUTOR, language, JANE)
    data = build_eml(letter, "prokuratura@example.kz", date=WHEN)
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")  # CRLF only
    assert data.isascii()  # headers encoded, body quoted-printable
    head = data.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))
    message = parse_eml(data)
    assert message["To"] == "prokuratura@example.kz"
    assert message["Subject"] == letter.subject
    assert message["X-Unsent"] == "1"
    assert message["MIME-Version"] == "1.0"
    assert message["From"] is None
    assert message["Date"].datetime == WHEN
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert eml_body(message) == letter.body + "\n"


def test_build_eml_date_defaults_to_now():
    message = parse_eml(build_eml(render_letter(CASE, PROSECUTOR, "en", JANE), "a@example.org"))
    assert abs(message["Date"].datetime - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def _letter(subject: str, body: str = "Dear Sir,\n\nBody.", to_name: str = "X") -> Letter:
    return Letter(
        subject=subject, body=body, language="en", to_name=to_name, case_slug="s", authority_key="k"
    )


def test_build_eml_injection_adds_no_header():
    letter = render_letter(CASE, PROSECUTOR, "en", Signer(name="x\r\nBcc: evil@example.com"))
    hostile = _letter(
        "Hello\r\nBcc: evil@example.com\nX-Evil: 1\rCc: evil@example.com",
        body=letter.body + "\r\nBcc: evil@example.com",
        to_name="Name\r\nBcc: evil@example.com",
    )
    for item in (letter, hostile):
        message = parse_eml(build_eml(item, "a@example.org", date=WHEN))
        assert sorted(message.keys()) == sorted(
            [
                "To",
                "Subject",
                "Date",
                "X-Unsent",
                "Content-Type",
                "Content-Transfer-Encoding",
                "MIME-Version",
            ]
        )
        assert message["Bcc"] is None and message["Cc"] is None
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert parse_eml(build_eml(hostile, "a@example.org"))["Subject"] == (
        "Hello Bcc: evil@example.com X-Evil: 1 Cc: evil@example.com"
    )


@pytest.mark.parametrize(
    "address",
    [
        "a@example.org\r\nBcc: evil@example.com",
        "a@example.org\n",
        "a@example.org\r",
        " a@example.org",
        "[email protected]",
        "not an address",
        "",
        "Name <a@example.org>",
    ],
)
def test_build_eml_refuses_unusable_address(address):
    with pytest.raises(ValueError):
        build_eml(render_letter(CASE, PROSECUTOR, "en", JANE), address, date=WHEN)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=300))
def test_build_eml_subject_round_trips(subject):
    data = build_eml(_letter(subject), "a@example.org", date=WHEN)
    message = parse_eml(data)
    header_lines = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert all(len(line) <= 998 for line in header_lines)
    if not subject.isascii():
        assert all(len(line) <= 78 for line in header_lines)
    expected = " ".join(
        "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in subject).split()
    )
    assert (message["Subject"] or "") == expected
    assert sorted(message.keys()) == sorted(
        [
            "To",
            "Subject",
            "Date",
            "X-Unsent",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
        ]
    )


# --------------------------------------------------------------------------- PDF


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_build_pdf_renders_both_scripts(language):
    letter = render_letter(CASE, COMMISSION, language, Signer(name="Анна Петрова", city="Алматы"))
    data = build_pdf(letter, recipient_block=postal_block(COMMISSION), date=dt.date(2025, 3, 4))
    assert data.startswith(b"%PDF")
    assert data.rstrip().endswith(b"%%EOF")
    assert b"DejaVu" in data  # the Unicode font is embedded
    # deterministic with a fixed date
    assert data == build_pdf(
        letter, recipient_block=postal_block(COMMISSION), date=dt.date(2025, 3, 4)
    )


def test_build_pdf_without_recipient_block_and_long_body():
    letter = render_letter(CASE, PROSECUTOR, "ru", JANE)
    long_letter = _letter(letter.subject, body=(letter.body + "\n\n") * 6 + "x" * 500)
    assert build_pdf(long_letter).startswith(b"%PDF")
    assert build_pdf(letter, date=dt.date(2025, 1, 1)).startswith(b"%PDF")


def test_postal_block_and_dates():
    assert postal_block(COMMISSION) == (
        "Jean-Claude Juncker\nPresident of the European Commission\n"
        "Rue de la Loi / Wetstraat 200, 1049 Brussels, Belgium"
    )
    assert (
        postal_block(PROSECUTOR)
        == "Zhakyp Assanov\nProsecutor General of the Republic of Kazakhstan"
    )
    assert format_date(dt.date(2025, 3, 4), "en") == "4 March 2025"
    assert format_date(dt.date(2025, 3, 4), "ru") == "4 марта 2025 г."


# --------------------------------------------------------------------------- Telegram


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_split(text: str, limit: int) -> list[str]:
    pieces = split_for_telegram(text, limit)
    position = 0
    for index, piece in enumerate(pieces):
        assert piece and piece == piece.strip()
        assert utf16_len(piece) <= limit
        found = text.find(piece, position)
        assert found >= 0
        assert text[position:found].strip() == "", "only whitespace may be dropped"
        if index and max((utf16_len(w) for w in text.split()), default=0) <= limit:
            assert found > position, "no word is cut unless it alone exceeds the limit"
        position = found + len(piece)
    assert text[position:].strip() == ""
    return pieces


words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n "), max_size=12
)
structured = st.lists(
    st.tuples(words, st.sampled_from([" ", "\n", "\n\n", "  ", "\n \n"])), max_size=300
).map(lambda items: "".join(word + sep for word, sep in items))


@settings(max_examples=300)
@given(st.one_of(structured, st.text()), st.integers(min_value=2, max_value=200))
def test_split_for_telegram_properties(text, limit):
    pieces = check_split(text, limit)
    if not text.strip():
        assert pieces == []
    # never inside a word, unless that word alone is longer than the limit
    longest_word = max((utf16_len(w) for w in text.split()), default=0)
    if longest_word <= limit:
        assert [w for piece in pieces for w in piece.split()] == text.split()


def test_split_for_telegram_prefers_paragraphs_then_lines():
    paragraphs = ["a" * 30 + " " + "b" * 30, "c" * 50, "d" * 20 + "\n" + "e" * 20]
    text = "\n\n".join(paragraphs)
    assert split_for_telegram(text, 70) == paragraphs
    assert split_for_telegram(text, 10_000) == [text]
    # a line break wins over a later space...
    assert split_for_telegram("x" * 25 + "\n" + "y" * 25 + " " + "z" * 10, 60) == [
        "x" * 25,
        "y" * 25 + " " + "z" * 10,
    ]
    # ...and without one the cut falls between words
    assert split_for_telegram("x" * 25 + " " + "y" * 25 + " " + "z" * 10, 60) == [
        "x" * 25 + " " + "y" * 25,
        "z" * 10,
    ]
    assert split_for_telegram("w" * 25, 10) == ["w" * 10, "w" * 10, "w" * 5]
    assert split_for_telegram("😀" * 5, 4) == ["😀😀", "😀😀", "😀"]  # UTF-16 units
    assert split_for_telegram("  \n\n ") == []
    with pytest.raises(ValueError):
        split_for_telegram("text", 1)


def test_split_real_letter():
    letter = render_letter(CASE, PROSECUTOR, "ru", JANE)
    assert split_for_telegram(letter.body) == [letter.body]
    pieces = check_split(letter.body, 300)
    assert len(pieces) > 2
    assert all("\n\n" not in piece or utf16_len(piece) <= 300 for piece in pieces)


# --------------------------------------------------------------------------- channels


def test_reachable_channels_and_labels():
    assert reachable_channels(PROSECUTOR) == ["email", "fax"]
    assert reachable_channels(COMMISSION) == ["post", "web"]
    assert reachable_channels(NO_CHANNEL) == []
    # a redacted address never counts, even if it slipped past the schema
    redacted = Authority.model_construct(**{**PROSECUTOR.__dict__, "emails": ["[email protected]"]})
    assert reachable_channels(redacted) == ["fax"]
    assert [channel_label(c) for c in ("email", "fax", "post", "web")] == [
        "✉️ Email",
        "📠 Fax",
        "📮 Post",
        "🌐 Web form",
    ]
    assert channel_label("fax", "ru") == "📠 Факс"
    with pytest.raises(ValueError):
        channel_label("pigeon")


# --------------------------------------------------------------------------- shipped library


def _shipped_library():
    loader = pytest.importorskip("content.loader")
    library, errors = loader.load_library()
    if not library.cases:
        pytest.skip("the case library has no cases yet")
    return library, errors


def test_every_shipped_letter_renders():
    library, errors = _shipped_library()
    assert not errors, "\n".join(map(str, errors))
    lengths: list[int] = []
    for case in library.cases.values():
        for key in case.addressees:
            authority = library.authorities[key]
            for language in LANGUAGES:
                for signer in (JANE, Signer()):
                    letter = render_letter(case, authority, language, signer)
                    where = f"{case.slug} → {key} ({language})"
                    for code in case.codes:
                        assert code in letter.subject, where
                        assert code in letter.body, where
                    for number, action in enumerate(case.requested_actions, start=1):
                        assert f"{number}. {getattr(action, language)}" in letter.body, where
                    salutation = getattr(authority.salutation, language)
                    assert letter.body.startswith(salutation.rstrip(",!")), where
                    assert BODY_MIN <= len(letter.body) <= BODY_MAX, (where, len(letter.body))
                    if language == "ru":
                        for phrase in ("Dear", "Yours", "I am writing", "urge", "quote"):
                            assert phrase not in letter.body, (where, phrase)
                    assert split_for_telegram(letter.body) == [letter.body]
                    if signer == JANE:
                        lengths.append(len(letter.body))
    print(
        f"\nrendered {len(lengths)} case×addressee×language letters; "
        f"body length {min(lengths)}–{max(lengths)} characters"
    )
