"""Every guest and host message in each of the 13 languages the API accepts (issue 10).

Guest-facing msgids are those with an occurrence in GUEST_FACING_SOURCES: the email templates and the
composition code of apps/notifications. The rest of a catalogue (the invite portal's and the front desk's
page text) may stay untranslated in a language; those pages fall back to English.
"""

# ruff: noqa: RUF001, E501 - typographic dashes, quotes and full-width punctuation; a table of whole lines.

import datetime as dt
import email
import email.policy
import gettext
import html as html_lib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import trans_real
from icalendar import Calendar

from apps.core.languages import DJANGO_CODES, DJANGO_LANGUAGES, Language, language_default
from apps.notifications.emails import outbox_message_compose
from apps.notifications.models import OutboxMessage
from apps.visits.models import Event, Invitation
from tests.factories import (
    ContactFactory,
    EmployeeFactory,
    EntranceFactory,
    EventFactory,
    IntegrationFactory,
    InvitationFactory,
    LocationFactory,
    OutboxMessageFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
GUEST_FACING_SOURCES = (
    "templates/emails/",
    "apps/notifications/emails.py",
    "apps/notifications/ics.py",
    "apps/notifications/arrival.py",
    "apps/notifications/dates.py",
)
LANGUAGES = list(Language)
TRANSLATED = [language for language in Language if language != Language.EN]

# Tuesday 3 December 2030, 09:00 to 11:00 in Berlin (CET, UTC+01:00).
STARTS = dt.datetime(2030, 12, 3, 8, 0, tzinfo=dt.UTC)
ENDS = STARTS + dt.timedelta(hours=2)
# What the test data itself says: names of people, places and things, left as written in every language.
DATA = {
    "event": "Projekt Zeta",
    "description": "Quartalsbericht",
    "location": "Zentrale",
    "address": "Unter den Linden 1, 10117 Berlin",
    "entrance": "Nordtor",
    "host": ("Jana", "Nováková", "jana@example.com"),
    "guest": ("Tomás", "Ortega", "tomas@example.org"),
    "company": "Acme",
    "integration": "Kalender",
}


@pytest.fixture
def event():
    location = LocationFactory(name=DATA["location"], address=DATA["address"], timezone="Europe/Berlin")
    first, last, email = DATA["host"]
    return EventFactory(
        name=DATA["event"],
        description=DATA["description"],
        starts_at=STARTS,
        ends_at=ENDS,
        location=location,
        entrance=EntranceFactory(location=location, name=DATA["entrance"]),
        host=EmployeeFactory(email=email, first_name=first, last_name=last),
        integration=IntegrationFactory(name=DATA["integration"]),
    )


def _guest(event: Event, language: str, *, n: int = 0) -> Invitation:
    first, last, email = DATA["guest"]
    return InvitationFactory(
        event=event,
        language=language,
        contact=ContactFactory(
            first_name=first,
            last_name=f"{last}{'' if n == 0 else n}",
            email=f"{n}{email}",
            company_name=DATA["company"],
        ),
    )


def _guest_message(event: Event, language: str, kind: str) -> OutboxMessage:
    invitation = _guest(event, language)
    if kind == OutboxMessage.Kind.CANCELLATION:
        Invitation.objects.filter(pk=invitation.pk).update(
            status="CANCELLED", cancel_reason="REMOVED", cancelled_at=timezone.now()
        )
        invitation.refresh_from_db()
    return OutboxMessageFactory(invitation=invitation, kind=kind)


def _host_summary(event: Event, language: str, *, invited: int = 1, removed: int = 1, cancelled=False):
    event.host.language = language
    event.host.save()
    guests = [_guest(event, Language.EN, n=n + 1) for n in range(invited + removed)]
    return OutboxMessageFactory(
        kind=OutboxMessage.Kind.HOST_SUMMARY,
        invitation=None,
        event=event,
        employee=event.host,
        payload={
            "invited": [g.pk for g in guests[:invited]],
            "removed": [g.pk for g in guests[invited:]],
            **({"event_cancelled": True} if cancelled else {}),
        },
    )


def _arrival(event: Event, language: str) -> OutboxMessage:
    event.host.language = language
    event.host.save()
    invitation = _guest(event, Language.EN)
    Invitation.objects.filter(pk=invitation.pk).update(
        status="CHECKED_IN", checked_in_at=STARTS + dt.timedelta(minutes=57)
    )
    invitation.refresh_from_db()
    return OutboxMessageFactory(kind=OutboxMessage.Kind.ARRIVAL, invitation=invitation, employee=event.host)


MESSAGES = {
    "invitation": lambda event, lang: _guest_message(event, lang, OutboxMessage.Kind.INVITATION),
    "update": lambda event, lang: _guest_message(event, lang, OutboxMessage.Kind.UPDATE),
    "cancellation": lambda event, lang: _guest_message(event, lang, OutboxMessage.Kind.CANCELLATION),
    "host_summary": lambda event, lang: _host_summary(event, lang),
    "host_cancelled": lambda event, lang: _host_summary(event, lang, invited=0, cancelled=True),
    "arrival": _arrival,
}


def _texts(mail) -> dict[str, str]:
    """Everything a recipient reads: subject, text, HTML as text, the calendar file's texts, file names."""
    [(html, _)] = mail.alternatives
    texts = {
        "subject": mail.subject,
        "text": mail.body,
        "html": html_lib.unescape(re.sub(r"<[^>]+>", " ", html)),
        "files": " ".join(
            [name for name, _content, _mimetype in mail.attachments]
            + [image.filename for image in mail.inline_images]
        ),
    }
    for _name, content, mimetype in mail.attachments:
        if mimetype == "text/calendar":
            [entry] = Calendar.from_ical(content).walk("VEVENT")
            texts["calendar"] = "\n".join(str(entry[key]) for key in ("SUMMARY", "DESCRIPTION", "LOCATION"))
    return texts


def _compose(event: Event, language: str, kind: str):
    return outbox_message_compose(message=MESSAGES[kind](event, language))


# Words the English message shares with the data or that no language translates.
# CET is CLDR's own abbreviation of the zone in most of these languages.
_NOT_ENGLISH = {"UTC", "CET", "png", "ics", "jana", "example", "com", "org", "tomas"}
# Words that are spelt the same in English and in that language, and that the translation means.
_SHARED_WORDS = {
    Language.DE: {"Check"},
    Language.ES: {"portal"},
    Language.FR: {"Invitation", "invitation", "invite", "message", "code", "Europe"},
    Language.HR: {"portal"},
    Language.IT: {"file", "reception"},
    Language.NL: {"code"},
    Language.PL: {"portal"},
    Language.RO: {"calendar"},
}


def _words(texts: dict[str, str]) -> set[str]:
    data_words = set(re.findall(r"[^\W\d_]+", " ".join(str(v) for v in DATA.values())))
    words = set(re.findall(r"[^\W\d_]{3,}", " ".join(texts.values())))
    return words - data_words - _NOT_ENGLISH


@pytest.mark.parametrize("kind", list(MESSAGES))
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_written_in_the_recipients_language_with_no_english_left(event, language, kind):
    english = _words(_texts(_compose(event, Language.EN, kind)))
    mail = _compose(event, language, kind)
    texts = _texts(mail)

    assert _words(texts) & english - _SHARED_WORDS.get(language, set()) == set()
    [(html, _)] = mail.alternatives
    assert f'<html lang="{DJANGO_CODES[language]}">' in html
    # Names of people and places are left as written.
    assert "Jana Nováková" in texts["text"]
    assert "Projekt Zeta" in texts["subject"] + texts["text"]


SUBJECT_AND_WHEN = {
    Language.CS: (
        "Pozvánka: Projekt Zeta, 3. prosince 2030",
        "Kdy: úterý 3. prosince 2030, 9:00–11:00 (středoevropský standardní čas, UTC+01:00)",
    ),
    Language.DE: (
        "Einladung: Projekt Zeta, 3. Dezember 2030",
        "Wann: Dienstag, 3. Dezember 2030, 09:00 – 11:00 (Mitteleuropäische Normalzeit, UTC+01:00)",
    ),
    Language.EN: (
        "Invitation: Projekt Zeta, Dec. 3, 2030",
        "When: Tuesday, Dec. 3, 2030, 9 a.m. – 11 a.m. (Europe/Berlin, UTC+01:00)",
    ),
    Language.ES: (
        "Invitación: Projekt Zeta, 3 de diciembre de 2030",
        "Cuándo: martes, 3 de diciembre de 2030, de 9:00 a 11:00 (hora estándar de Europa central, UTC+01:00)",
    ),
    Language.FR: (
        "Invitation\u00a0: Projekt Zeta, 3 décembre 2030",
        "Quand\u00a0: mardi 3 décembre 2030, de 09:00 à 11:00 (heure normale d’Europe centrale, UTC+01:00)",
    ),
    Language.HR: (
        "Pozivnica: Projekt Zeta, 3. prosinca 2030.",
        "Kada: utorak, 3. prosinca 2030., 09:00 – 11:00 (srednjoeuropsko standardno vrijeme, UTC+01:00)",
    ),
    Language.HU: (
        "Meghívó: Projekt Zeta, 2030. december 3.",
        "Mikor: 2030. december 3., kedd 9:00–11:00 (közép-európai téli idő, UTC+01:00)",
    ),
    Language.IT: (
        "Invito: Projekt Zeta, 3 dicembre 2030",
        "Quando: martedì 3 dicembre 2030, dalle 09:00 alle 11:00 (Ora standard dell’Europa centrale, UTC+01:00)",
    ),
    Language.NL: (
        "Uitnodiging: Projekt Zeta, 3 december 2030",
        "Wanneer: dinsdag 3 december 2030, 09:00–11:00 uur (Midden-Europese standaardtijd, UTC+01:00)",
    ),
    Language.PL: (
        "Zaproszenie: Projekt Zeta, 3 grudnia 2030",
        "Kiedy: wtorek, 3 grudnia 2030, 09:00–11:00 (czas środkowoeuropejski standardowy, UTC+01:00)",
    ),
    Language.RO: (
        "Invitație: Projekt Zeta, 3 decembrie 2030",
        "Când: marți, 3 decembrie 2030, 09:00–11:00 (Ora standard a Europei Centrale, UTC+01:00)",
    ),
    Language.RU: (
        "Приглашение: Projekt Zeta, 3 декабря 2030\u202fг.",
        "Когда: вторник, 3 декабря 2030\u202fг., 09:00–11:00 (Центральная Европа, стандартное время, UTC+01:00)",
    ),
    Language.ZH_CN: (
        "邀请：Projekt Zeta，2030年12月3日",
        "时间：2030年12月3日星期二 09:00–11:00（中欧标准时间，UTC+01:00）",
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_subject_and_date_of_a_fixed_event_are_written_as_the_language_writes_them(event, language):
    mail = _compose(event, language, "invitation")

    subject, when = SUBJECT_AND_WHEN[language]
    assert mail.subject == subject
    assert f"\n{when}\n" in mail.body


# The count line of a host confirmation for 1, 2, 5 and 21 invited guests.
PLURALS = {
    Language.CS: ["1 pozvaný host:", "2 pozvaní hosté:", "5 pozvaných hostů:", "21 pozvaných hostů:"],
    Language.DE: ["1 Gast eingeladen:", "2 Gäste eingeladen:", "5 Gäste eingeladen:", "21 Gäste eingeladen:"],
    Language.EN: ["1 guest invited:", "2 guests invited:", "5 guests invited:", "21 guests invited:"],
    Language.ES: [
        "1 persona invitada:",
        "2 personas invitadas:",
        "5 personas invitadas:",
        "21 personas invitadas:",
    ],
    Language.FR: [
        f"{n} personne{'s' if n > 1 else ''} invitée{'s' if n > 1 else ''}\u00a0:" for n in (1, 2, 5, 21)
    ],
    Language.HR: ["Pozvan je 1 gost:", "Pozvana su 2 gosta:", "Pozvano je 5 gostiju:", "Pozvan je 21 gost:"],
    Language.HU: [
        "1 meghívott vendég:",
        "2 meghívott vendég:",
        "5 meghívott vendég:",
        "21 meghívott vendég:",
    ],
    Language.IT: ["1 ospite invitato:", "2 ospiti invitati:", "5 ospiti invitati:", "21 ospiti invitati:"],
    Language.NL: [
        "1 gast uitgenodigd:",
        "2 gasten uitgenodigd:",
        "5 gasten uitgenodigd:",
        "21 gasten uitgenodigd:",
    ],
    Language.PL: [
        "1 zaproszony gość:",
        "2 zaproszonych gości:",
        "5 zaproszonych gości:",
        "21 zaproszonych gości:",
    ],
    Language.RO: [
        "1 persoană invitată:",
        "2 persoane invitate:",
        "5 persoane invitate:",
        "21 de persoane invitate:",
    ],
    Language.RU: ["Приглашён 1 гость:", "Приглашены 2 гостя:", "Приглашено 5 гостей:", "Приглашён 21 гость:"],
    Language.ZH_CN: ["已邀请 1 位访客：", "已邀请 2 位访客：", "已邀请 5 位访客：", "已邀请 21 位访客："],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_guest_counts_take_the_languages_plural_forms(event, language):
    event.host.language = language
    event.host.save()
    guests = [_guest(event, Language.EN, n=n + 1) for n in range(21)]
    lines = []
    for count in (1, 2, 5, 21):
        message = OutboxMessageFactory(
            kind=OutboxMessage.Kind.HOST_SUMMARY,
            invitation=None,
            event=event,
            employee=event.host,
            payload={"invited": [g.pk for g in guests[:count]], "removed": []},
        )
        body = outbox_message_compose(message=message).body
        rows = body.splitlines()
        lines.append(
            rows[next(i for i, row in enumerate(rows) if row.startswith("- ")) - 1]
        )  # over the names

    assert lines == PLURALS[language]


def test_an_unknown_language_is_written_in_english(event):
    message = _guest_message(event, Language.EN, OutboxMessage.Kind.INVITATION)
    Invitation.objects.filter(pk=message.invitation_id).update(language="XX")
    message.invitation.refresh_from_db()

    assert outbox_message_compose(message=message).subject == "Invitation: Projekt Zeta, Dec. 3, 2030"


def test_a_msgid_missing_from_a_catalogue_is_written_in_english_and_the_message_still_composes(
    event, monkeypatch
):
    french = trans_real.translation("fr")
    translated = french.gettext
    monkeypatch.setattr(
        french, "gettext", lambda text: text if text == "You are invited" else translated(text)
    )

    mail = _compose(event, Language.FR, "invitation")

    [(html, _)] = mail.alternatives
    assert "You are invited" in html
    assert "Jana Nováková vous invite à «\u00a0Projekt Zeta\u00a0»." in html


def test_a_new_employee_is_written_to_in_the_portals_language(settings):
    settings.LANGUAGE_CODE = "de"

    assert EmployeeFactory().language == Language.DE == language_default()


def test_one_list_of_languages_serves_the_api_the_models_django_and_the_emails():
    from apps.visits.sync.planning import LANGUAGES as API_LANGUAGES

    assert set(Language.values) == API_LANGUAGES
    assert settings.LANGUAGES == DJANGO_LANGUAGES
    assert [code for code, _ in settings.LANGUAGES] == [DJANGO_CODES[language] for language in Language]
    assert DJANGO_CODES[Language.ZH_CN] == "zh-hans"


def _guest_facing(catalogue) -> dict:
    return {
        (message.context, message.id): message
        for message in catalogue
        if message.id and any(path.startswith(GUEST_FACING_SOURCES) for path, _line in message.locations)
    }


def _catalogue(path: Path):
    with path.open("rb") as file:
        return read_po(file)


LOCALE_DIRS = sorted(path.parent.parent.name for path in (ROOT / "locale").glob("*/LC_MESSAGES/django.po"))


def test_every_language_has_a_catalogue():
    assert sorted(translation.to_locale(DJANGO_CODES[lang]) for lang in TRANSLATED) == LOCALE_DIRS


@pytest.mark.parametrize("locale_dir", LOCALE_DIRS)
def test_every_guest_facing_msgid_is_translated_in_the_catalogue_and_its_compiled_file(locale_dir):
    folder = ROOT / "locale" / locale_dir / "LC_MESSAGES"
    messages = _guest_facing(_catalogue(folder / "django.po"))
    with (folder / "django.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)

    assert len(messages) >= 50
    untranslated = [
        key
        for key, m in messages.items()
        if m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert untranslated == []
    for (context, msgid), message in messages.items():
        singular = msgid[0] if isinstance(msgid, tuple) else msgid
        key = f"{context}\x04{singular}" if context else singular
        expected = message.string[0] if isinstance(message.string, tuple) else message.string
        if isinstance(msgid, tuple):
            assert compiled.ngettext(key, msgid[1], 1) == expected, key
        else:
            assert compiled.gettext(key) == expected, key


@pytest.mark.skipif(shutil.which("msgmerge") is None, reason="needs GNU gettext")
def test_makemessages_would_add_no_guest_facing_msgid(tmp_path):
    for name in ("manage.py", "portal", "apps", "templates", "locale"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-a", "--no-obsolete"],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "1"},
        check=True,
        capture_output=True,
    )

    for locale_dir in LOCALE_DIRS:
        fresh = _guest_facing(_catalogue(tmp_path / "locale" / locale_dir / "LC_MESSAGES" / "django.po"))
        committed = _guest_facing(_catalogue(ROOT / "locale" / locale_dir / "LC_MESSAGES" / "django.po"))
        assert set(fresh) == set(committed), locale_dir


@pytest.mark.parametrize(
    ("language", "files"),
    [(Language.EN, ["qr-code.png", "invite.ics"]), (Language.ZH_CN, ["二维码.png", "邀请.ics"])],
)
def test_attachment_names_reach_the_mail_client_in_the_language(event, language, files):
    mail = _compose(event, language, "invitation")

    received = email.message_from_bytes(mail.message().as_bytes(), policy=email.policy.default)
    assert [part.get_filename() for part in received.walk() if part.get_filename()] == files
