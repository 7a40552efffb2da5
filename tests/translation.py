"""Checking that a page families read is translated: its catalogs compiled, its visible words
compared in English and in another language."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

from django.core.management import call_command
from django.test.signals import language_changed

# Attributes a visitor reads or hears (a screen reader says the aria-label of a region).
READ_ATTRIBUTES = frozenset({"placeholder", "aria-label", "title", "alt"})
UNREAD_ELEMENTS = frozenset({"script", "style"})
LETTERS = re.compile(r"[^\W\d_]")
MASK = "\N{HORIZONTAL ELLIPSIS}"


def compile_catalogs() -> None:
    """Compile the project's .po files (a fresh checkout has no .mo) and make Django read them
    again: a catalog loaded before the .mo existed stays cached in the process otherwise."""
    call_command("compile_translations", verbosity=0)
    language_changed(setting="LOCALE_PATHS")  # what override_settings does when catalogs move


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._unread = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNREAD_ELEMENTS:
            self._unread += 1
        self.texts.extend(value for name, value in attrs if name in READ_ATTRIBUTES and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in UNREAD_ELEMENTS and self._unread:
            self._unread -= 1

    def handle_data(self, data: str) -> None:
        if not self._unread:
            self.texts.append(data)


def visible_texts(html: str, *, data: Iterable[str] = ()) -> set[str]:
    """The page's text nodes and read attributes, whitespace collapsed, with `data` (names, handles,
    the search words: what comes from the database or the visitor, not the template) masked, and
    what has no letters left dropped."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    data = sorted({d for d in data if d}, key=len, reverse=True)  # "North High" before "North"
    texts = set()
    for raw in reader.texts:
        text = " ".join(raw.split())
        for value in data:
            text = text.replace(value, MASK)
        if LETTERS.search(text):
            texts.add(text)
    return texts


def sentences(html: str, *, data: Iterable[str] = (), min_words: int = 3) -> set[str]:
    """The visible texts of at least `min_words` words (numbers count: "Page 1 of 2")."""
    return {text for text in visible_texts(html, data=data) if len(text.split()) >= min_words}


def untranslated(
    english: str, translated: str, *, data: Iterable[str] = (), min_words: int = 3, same: Iterable[str] = ()
) -> set[str]:
    """The English page's sentences that the translated page still shows word for word, leaving
    out `same` (what is rightly identical in both, such as each language's own name)."""
    data = list(data)
    return (sentences(english, data=data, min_words=min_words) - set(same)) & visible_texts(translated, data=data)


class LanguageSwitch:
    """The language switch of a page, as a browser sees it: where it posts, its hidden fields, its
    buttons (value, lang, words, whether it is the current one) and the words that label it."""

    def __init__(self, html: str) -> None:
        parser = _SwitchReader()
        parser.feed(html)
        parser.close()
        assert parser.forms == 1, f"expected one language switch, found {parser.forms}"
        self.action = parser.action
        self.method = parser.method
        self.hidden = parser.hidden
        self.buttons = parser.buttons
        self.label = " ".join(" ".join(parser.label_words.get(parser.labelledby, [])).split())


class _SwitchReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms = 0
        self.action = self.method = self.labelledby = ""
        self.hidden: dict[str, str] = {}
        self.buttons: list[dict[str, str]] = []
        self.label_words: dict[str, list[str]] = {}
        self._in_form = False
        self._button: dict[str, str] | None = None
        self._labels: list[str] = []  # ids of the open elements that may label the form
        self._depth: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form" and "language-switch" in a.get("class", "").split():
            self.forms += 1
            self._in_form = True
            self.action, self.method, self.labelledby = (
                a.get("action", ""),
                a.get("method", ""),
                a.get("aria-labelledby", ""),
            )
            return
        if not self._in_form:
            return
        if tag == "input" and a.get("type") == "hidden":
            self.hidden[a.get("name", "")] = a.get("value", "")
        elif tag == "button":
            self._button = {**a, "text": ""}
        elif tag not in ("input", "br", "img"):
            self._depth.append(a.get("id", ""))
            if a.get("id"):
                self._labels.append(a["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "button" and self._button is not None:
            self._button["text"] = " ".join(self._button["text"].split())
            self.buttons.append(self._button)
            self._button = None
        elif self._in_form and self._depth and self._depth.pop():  # an element with an id closes
            self._labels.pop()

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button["text"] += data
        for label in self._labels:
            self.label_words.setdefault(label, []).append(data)
