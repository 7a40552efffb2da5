"""What a family reads on its consent link, in its language: for each scope, what yes and what no
mean, under the scope's permission model and public-arena rule. The page shows exactly these
sentences, and the signature keeps them (with their SHA-256), so the district can prove what was
agreed to. Call within translation.override(language)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from consent.models import ConsentScope, ScopeKind


@dataclass(frozen=True)
class ScopeText:
    scope: ConsentScope
    title: str
    asked: str  # the district's own words, in the family's language where it gave them
    where: str
    yes: str
    no: str
    without_answer: str
    public_events: str


def _title(scope: ConsentScope) -> str:
    titles = {
        ScopeKind.SOCIAL_MEDIA: _("District and school social media"),
        ScopeKind.WEBSITE: _("District website and newsletters"),
        ScopeKind.YEARBOOK: _("Yearbook"),
        ScopeKind.NEWS_MEDIA: _("News media"),
        ScopeKind.DIRECTORY_INFORMATION: _("Directory information"),
    }
    return str(titles.get(ScopeKind(scope.kind), scope.name)) if scope.kind in ScopeKind.values else scope.name


def _where(scope: ConsentScope) -> str:
    places = {
        ScopeKind.SOCIAL_MEDIA: _(
            "Photos and videos on the official social media pages of the district, its schools, clubs and teams."
        ),
        ScopeKind.WEBSITE: _("Photos on the district's and schools' websites and in their newsletters."),
        ScopeKind.YEARBOOK: _("Your child's photo and name in the school yearbook."),
        ScopeKind.NEWS_MEDIA: _("Photos and interviews by newspapers, radio and television visiting the school."),
        ScopeKind.DIRECTORY_INFORMATION: _(
            "Directory information, such as your child's name, grade, activities and photo, which the district may "
            "share without asking each time."
        ),
    }
    return str(places.get(ScopeKind(scope.kind), "")) if scope.kind in ScopeKind.values else ""


def scope_text(scope: ConsentScope, language: str) -> ScopeText:
    if scope.is_participation:  # taking part in a tool with a class: the authorization's own words
        return ScopeText(
            scope=scope,
            title=scope.name,
            asked=scope.description_in(language),
            where=_("Your child would use this tool with the class, club or team named above."),
            yes=_("Yes: your child may take part."),
            no=_("No: your child will not use the tool; the school gives them another way to take part."),
            without_answer=_("If you do not answer, your child does not use the tool."),
            public_events="",
        )
    if scope.is_written_consent:
        without = _("If you do not answer, your child's picture is not posted.")
    else:
        without = _("If you do not answer, your child's picture may be posted.")
    return ScopeText(
        scope=scope,
        title=_title(scope),
        asked=scope.description_in(language),
        where=_where(scope),
        yes=_("Yes: the school may include your child here."),
        no=_("No: the school will not include your child here."),
        without_answer=without,
        public_events=_("Students at public events, such as games and performances, may appear whatever you answer.")
        if scope.public_arena_exception
        else "",
    )


def signing_statement() -> str:
    return _(
        "By typing my name I confirm that I am this student's parent or guardian and that these are my answers. "
        "I can change them at any time with this link or by contacting the school."
    )


def full_text(texts: list[ScopeText], heading: str) -> str:
    """Every sentence the family is shown, in order: what the signature keeps and hashes."""
    lines = [heading]
    for text in texts:
        lines += [f"## {text.title}", text.asked, text.where, text.yes, text.no, text.without_answer]
        lines.append(text.public_events)
    lines.append(signing_statement())
    return "\n".join(line for line in lines if line)
