"""The content security policy allows no inline script or style, so no page template may carry one:
a template that did would be broken in every browser, silently. Scanned from the files, so a new
template is covered without a test of its own. E-mails are not pages (mail clients need inline
styles) and are left out, and so are the PDF reports, which WeasyPrint renders on the server and no
browser ever loads."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PDF_TEMPLATES = {Path("evidence/pack.html")}
PAGE_TEMPLATES = sorted(
    path
    for path in TEMPLATES.rglob("*.html")
    if "emails" not in path.relative_to(TEMPLATES).parts and path.relative_to(TEMPLATES) not in PDF_TEMPLATES
)

INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE),
    "an inline style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "a style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "an inline event handler": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "a javascript: link": re.compile(r"javascript:", re.IGNORECASE),
}


def test_there_are_page_templates_to_check():
    assert len(PAGE_TEMPLATES) > 50


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_it_has_no_inline_script_or_style(template: Path):
    text = template.read_text()

    found = [f"{what} on line {text[: match.start()].count(chr(10)) + 1}"
             for what, pattern in INLINE.items() for match in pattern.finditer(text)]  # fmt: skip

    assert not found, f"{template.relative_to(TEMPLATES)}: {', '.join(found)}"


def test_the_policy_allows_only_the_apps_own_scripts_and_styles():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]

    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
