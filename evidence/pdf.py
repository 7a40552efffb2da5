"""The pack's PDF summary: an HTML template rendered by WeasyPrint, with nothing fetched from outside
(fonts are the system's; a stylesheet or image address is refused)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher


def local_only_fetcher() -> URLFetcher:
    """Only data: addresses; http(s), file and the rest are refused."""
    return URLFetcher(allowed_protocols={"data"})


def render_pdf(context: dict[str, Any]) -> bytes:
    html = render_to_string("evidence/pack.html", context)
    return HTML(string=html, base_url="", url_fetcher=local_only_fetcher()).write_pdf()
