"""The languages the portal writes to people in: the one list behind the API's validation, the models'
choices, Django's `LANGUAGES` and the emails.

The API and the database speak the sync contract's codes (`EN`, `ZH_CN`); Django's translation machinery
speaks its own language codes (`en`, `zh-hans`). Both are listed here, side by side, and nowhere else.

Settings import this module, so it needs nothing that wants configured settings at import time.
"""

from django.db import models


class Language(models.TextChoices):
    """A guest's or employee's language, by the sync contract's code; labels are each language's own name."""

    CS = "CS", "Čeština"
    DE = "DE", "Deutsch"
    EN = "EN", "English"
    ES = "ES", "Español"
    FR = "FR", "Français"
    HR = "HR", "Hrvatski"
    HU = "HU", "Magyar"
    IT = "IT", "Italiano"
    NL = "NL", "Nederlands"
    PL = "PL", "Polski"
    RO = "RO", "Română"
    RU = "RU", "Русский"
    ZH_CN = "ZH_CN", "中文 (简体)"


# Contract code -> Django language code. ZH_CN is simplified Chinese, which Django calls zh-hans (a
# browser's zh-cn falls back to it).
DJANGO_CODES: dict[str, str] = {
    Language.CS: "cs",
    Language.DE: "de",
    Language.EN: "en",
    Language.ES: "es",
    Language.FR: "fr",
    Language.HR: "hr",
    Language.HU: "hu",
    Language.IT: "it",
    Language.NL: "nl",
    Language.PL: "pl",
    Language.RO: "ro",
    Language.RU: "ru",
    Language.ZH_CN: "zh-hans",
}

# The value of Django's LANGUAGES setting: every language, named in itself.
DJANGO_LANGUAGES: list[tuple[str, str]] = [(DJANGO_CODES[lang], lang.label) for lang in Language]

# Written in when a stored code is unknown (a value from before a migration, a hand-edited row).
FALLBACK_DJANGO_CODE = "en"


def language_django_code(*, language: str) -> str:
    """The Django language code to write in for a contract code; English for a code the portal lacks."""
    return DJANGO_CODES.get(language, FALLBACK_DJANGO_CODE)


def language_from_django_code(*, code: str | None) -> str | None:
    """The contract code for a Django language code (`de`, `de-at`, `zh-hans`, `zh-cn`), or None."""
    if not code:
        return None
    code = code.lower().replace("_", "-")
    by_django = {django: contract for contract, django in DJANGO_CODES.items()}
    if code in by_django:
        return by_django[code]
    if code in ("zh-cn", "zh-sg", "zh-my"):  # the regions that write simplified Chinese
        return Language.ZH_CN
    return by_django.get(code.split("-")[0])


def language_default() -> str:
    """The contract code of the portal's own language (LANGUAGE_CODE): an employee's until they choose."""
    from django.conf import settings  # at call time: this module is imported by the settings themselves

    return language_from_django_code(code=settings.LANGUAGE_CODE) or Language.EN
