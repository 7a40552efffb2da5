"""The pack's PDF summary: an HTML template rendered by WeasyPrint, with nothing fetched from outside
(fonts are the system's; a stylesheet or image address is refused)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher


def render_pdf(context: dict[str, Any]) -> bytes:
    html = render_to_string("evidence/pack.html", context)
    # Only data: addresses; http(s), file and the rest are refused.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url="", url_fetcher=fetcher).write_pdf()
