"""Which language a family reads: the one the roster gives for the guardian when the product
speaks it, else the visitor's browser (LocaleMiddleware), else English."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings


class HasLanguage(Protocol):
    preferred_language: str


def supported(code: str) -> str | None:
    """The product's language for a code such as "es", "es-MX", "spa" or "Spanish" (None: not spoken)."""
    code = code.strip().lower().replace("_", "-")
    names = {"spa": "es", "spanish": "es", "español": "es", "espanol": "es", "eng": "en", "english": "en"}
    code = names.get(code, code)
    base = code.split("-")[0]
    offered = {language for language, _ in settings.LANGUAGES}
    return base if base in offered else None


def family_language(guardian: HasLanguage | None, fallback: str | None = None) -> str:
    preferred = supported(guardian.preferred_language) if guardian is not None else None
    return preferred or (supported(fallback) if fallback else None) or settings.LANGUAGE_CODE
