"""Reads a pasted guest list: one guest a line (`First Last <email>`, `email`, `First Last email`), or CSV
(comma, semicolon or tab separated) with a header row, as spreadsheets copy it."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

# Header names as people write them, in the portal's languages; compared without case, spaces, _ or -.
HEADERS = {
    "first_name": {"firstname", "first", "givenname", "vorname", "jmeno", "jméno", "krestnijmeno"},
    "last_name": {"lastname", "last", "surname", "familyname", "nachname", "prijmeni", "příjmení"},
    "name": {"name", "fullname", "guest", "gast", "jmenoaprijmeni"},
    "email": {"email", "mail", "emailaddress", "emailadresse", "epost", "emailováadresa"},
    "company_name": {"company", "companyname", "organisation", "organization", "firma", "unternehmen"},
    "language": {"language", "lang", "sprache", "jazyk"},
}
ANGLE = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]*)>\s*,?$")


@dataclass(frozen=True, slots=True)
class PastedGuest:
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    company_name: str = ""
    language: str = ""


@dataclass
class PasteResult:
    guests: list[PastedGuest] = field(default_factory=list)
    # Line numbers (1-based) that held neither a name nor an email address.
    unreadable_lines: list[int] = field(default_factory=list)


def _key(header: str) -> str | None:
    plain = re.sub(r"[\s_\-.]", "", header.strip().lower())
    return next((key for key, names in HEADERS.items() if plain in names), None)


def _split_name(name: str) -> tuple[str, str]:
    words = name.split()
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0], ""
    return " ".join(words[:-1]), words[-1]


def _csv_header(line: str) -> tuple[str, list[str | None]] | None:
    for delimiter in ("\t", ";", ","):
        if delimiter in line:
            keys = [_key(cell) for cell in next(csv.reader([line], delimiter=delimiter))]
            if "email" in keys or "first_name" in keys or "last_name" in keys or "name" in keys:
                return delimiter, keys
    return None


def guests_parse(*, text: str) -> PasteResult:
    lines = text.splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        return PasteResult()
    header = _csv_header(numbered[0][1])
    if header is not None:
        return _parse_csv(numbered[1:], *header)
    return _parse_lines(numbered)


def _parse_csv(numbered: list[tuple[int, str]], delimiter: str, keys: list[str | None]) -> PasteResult:
    result = PasteResult()
    for number, line in numbered:
        cells = next(csv.reader([line], delimiter=delimiter))
        values: dict[str, str] = {}
        for key, cell in zip(keys, cells, strict=False):
            if key is not None and cell.strip():
                values[key] = cell.strip()
        if "name" in values:
            first, last = _split_name(values.pop("name"))
            values.setdefault("first_name", first)
            values.setdefault("last_name", last)
        guest = PastedGuest(**values)
        if guest.email or guest.first_name or guest.last_name:
            result.guests.append(guest)
        else:
            result.unreadable_lines.append(number)
    return result


def _parse_lines(numbered: list[tuple[int, str]]) -> PasteResult:
    result = PasteResult()
    for number, raw in numbered:
        line = raw.strip().strip(",;").strip()
        if match := ANGLE.match(line):
            name, email = match["name"].strip().strip('"').strip(), match["email"].strip()
        else:
            words = line.replace(",", " ").replace(";", " ").split()
            emails = [w for w in words if "@" in w]
            email = emails[-1] if emails else ""
            name = " ".join(w for w in words if w != email)
        first, last = _split_name(name)
        if email or first:
            result.guests.append(PastedGuest(first_name=first, last_name=last, email=email))
        else:
            result.unreadable_lines.append(number)
    return result
