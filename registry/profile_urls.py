"""Recognising social-media profile addresses.

Two ways of writing the same account (`https://www.instagram.com/Some.Team/?hl=en` and
`instagram.com/some.team`) must end up as one key, or the registry would hold duplicates and
the duplicate check would be worthless. Each platform's rule says which hosts it answers on,
which path shapes are a profile (as opposed to a post or a search), and whether handles are
case-sensitive. Anything on an unknown host is a blog or website, keyed by host and path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

WEBSITE = "website"
OTHER = "other"


class ProfileAddressError(ValueError):
    """The address or handle cannot be read as a profile on the chosen platform."""


@dataclass(frozen=True)
class ProfileAddress:
    platform: str  # platform slug
    handle: str  # as people write it: "@team", "company/lakeshore", "example.org/athletics"
    key: str  # what makes two registrations the same account
    url: str  # canonical address of the profile


@dataclass(frozen=True)
class PlatformRule:
    slug: str
    hosts: tuple[str, ...]
    # Path shapes (without the leading slash) that are a profile; group "handle" is the part kept.
    paths: tuple[str, ...]
    profile_url: str  # formatted with the handle
    handle_format: str = "{handle}"  # how the handle is shown, e.g. "@{handle}"
    # Handle shapes accepted when no address is given (usually the same as the bare path).
    handle_pattern: str = r"@?(?P<handle>[A-Za-z0-9._-]+)"
    reserved: frozenset[str] = frozenset()  # first path segments that are not profiles
    case_sensitive_prefixes: tuple[str, ...] = ()  # handles starting so keep their case (YouTube channel ids)

    def matches_host(self, host: str) -> bool:
        return any(host == domain or host.endswith("." + domain) for domain in self.hosts)


_NAME = r"[A-Za-z0-9._-]+"

RULES: dict[str, PlatformRule] = {
    rule.slug: rule
    for rule in (
        PlatformRule(
            slug="facebook",
            hosts=("facebook.com", "fb.com", "fb.me"),
            paths=(
                r"(?P<handle>groups/" + _NAME + ")",
                r"(?:pages|people)/[^/]+/(?P<handle>\d+)",
                r"(?P<handle>" + _NAME + ")",
            ),
            profile_url="https://www.facebook.com/{handle}",
            handle_pattern=r"@?(?P<handle>(?:groups/)?" + _NAME + ")",
            reserved=frozenset({"watch", "events", "share", "story.php", "photo", "photo.php", "sharer", "login"}),
        ),
        PlatformRule(
            slug="instagram",
            hosts=("instagram.com", "instagr.am"),
            paths=(r"(?P<handle>[A-Za-z0-9._]{1,30})",),
            profile_url="https://www.instagram.com/{handle}/",
            handle_format="@{handle}",
            handle_pattern=r"@?(?P<handle>[A-Za-z0-9._]{1,30})",
            reserved=frozenset({"p", "reel", "reels", "explore", "stories", "accounts", "tv", "direct"}),
        ),
        PlatformRule(
            slug="x",
            hosts=("x.com", "twitter.com"),
            paths=(r"@?(?P<handle>\w{1,15})",),
            profile_url="https://x.com/{handle}",
            handle_format="@{handle}",
            handle_pattern=r"@?(?P<handle>\w{1,15})",
            reserved=frozenset({"home", "i", "intent", "search", "hashtag", "share", "explore", "settings"}),
        ),
        PlatformRule(
            slug="youtube",
            hosts=("youtube.com",),
            paths=(
                r"(?P<handle>@[A-Za-z0-9._-]{3,30})",
                r"(?P<handle>channel/UC[A-Za-z0-9_-]{22})",
                r"(?P<handle>(?:c|user)/" + _NAME + ")",
            ),
            profile_url="https://www.youtube.com/{handle}",
            handle_pattern=r"(?P<handle>@[A-Za-z0-9._-]{3,30}|channel/UC[A-Za-z0-9_-]{22}|(?:c|user)/" + _NAME + ")",
            reserved=frozenset({"watch", "results", "playlist", "shorts", "feed"}),
            case_sensitive_prefixes=("channel/",),
        ),
        PlatformRule(
            slug="tiktok",
            hosts=("tiktok.com",),
            paths=(r"@(?P<handle>[A-Za-z0-9._]{2,24})",),
            profile_url="https://www.tiktok.com/@{handle}",
            handle_format="@{handle}",
            handle_pattern=r"@?(?P<handle>[A-Za-z0-9._]{2,24})",
        ),
        PlatformRule(
            slug="linkedin",
            hosts=("linkedin.com",),
            paths=(r"(?P<handle>(?:company|school|showcase|in)/[^/]+)",),
            profile_url="https://www.linkedin.com/{handle}/",
            handle_pattern=r"(?P<handle>(?:company|school|showcase|in)/[A-Za-z0-9._%-]+)",
        ),
        PlatformRule(
            slug="pinterest",
            hosts=("pinterest.com", "pinterest.ca", "pinterest.co.uk"),
            paths=(r"(?P<handle>[A-Za-z0-9_]{3,30})",),
            profile_url="https://www.pinterest.com/{handle}/",
            handle_pattern=r"@?(?P<handle>[A-Za-z0-9_]{3,30})",
            reserved=frozenset({"pin", "search", "ideas", "today"}),
        ),
        PlatformRule(
            slug="snapchat",
            hosts=("snapchat.com",),
            paths=(r"(?:add/|@)(?P<handle>[A-Za-z0-9._-]{3,15})",),
            profile_url="https://www.snapchat.com/add/{handle}",
            handle_pattern=r"@?(?P<handle>[A-Za-z0-9._-]{3,15})",
        ),
        PlatformRule(
            slug="flickr",
            hosts=("flickr.com",),
            paths=(r"(?:photos|people)/(?P<handle>[A-Za-z0-9@._-]+)",),
            profile_url="https://www.flickr.com/photos/{handle}/",
            handle_pattern=r"(?P<handle>[A-Za-z0-9@._-]+)",
        ),
    )
}

# Mobile and regional prefixes that name the same site.
_HOST_PREFIXES = ("www.", "m.", "mobile.", "web.", "business.")
# Query parameters that identify a profile rather than track a visit.
_PROFILE_QUERY = {"facebook": "id"}


def _split(raw: str) -> tuple[str, str, str, str]:
    """(scheme, host, path, query) of an address typed with or without its scheme."""
    text = raw.strip()
    if not text:
        raise ProfileAddressError("Enter the address of the profile.")
    if any(ch.isspace() for ch in text):
        raise ProfileAddressError("A web address cannot contain spaces.")
    if "://" not in text:
        text = "https://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises on a malformed port
    except ValueError:
        raise ProfileAddressError("This is not a web address.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ProfileAddressError("Use an address that starts with https://.")
    host = (parts.hostname or "").lower().rstrip(".")
    if "." not in host or parts.username or parts.password:
        raise ProfileAddressError("This is not a web address.")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    if port not in (None, 80, 443):
        host = f"{host}:{port}"
    return parts.scheme.lower(), host, parts.path, parts.query


def _key(rule: PlatformRule, handle: str) -> str:
    if any(handle.startswith(prefix) for prefix in rule.case_sensitive_prefixes):
        return handle
    return handle.lower()


def _address(rule: PlatformRule, handle: str) -> ProfileAddress:
    key = _key(rule, handle)
    return ProfileAddress(
        platform=rule.slug,
        handle=rule.handle_format.format(handle=handle),
        key=key,
        url=rule.profile_url.format(handle=key),
    )


def platform_for_url(raw: str) -> str:
    """The slug of the platform an address belongs to (blog or website when no rule knows it)."""
    _scheme, host, _path, _query = _split(raw)
    for rule in RULES.values():
        if rule.matches_host(host):
            return rule.slug
    return WEBSITE


def parse_profile_url(raw: str) -> ProfileAddress:
    """Read a profile address, whatever form it was pasted in."""
    scheme, host, path, query = _split(raw)
    rule = next((rule for rule in RULES.values() if rule.matches_host(host)), None)
    if rule is None:
        return _website(scheme, host, path)
    path = path.strip("/")
    id_param = _PROFILE_QUERY.get(rule.slug)
    if id_param and path.endswith(".php"):
        values = parse_qs(query).get(id_param, [])
        if path == "profile.php" and values and values[0].isdigit():
            return _address(rule, values[0])
        raise ProfileAddressError(f"This is a link to a post or a page of {_label(rule)}, not to a profile.")
    first = path.split("/", 1)[0]
    if not path or first.lower() in rule.reserved:
        raise ProfileAddressError(f"This is a link to a post or a page of {_label(rule)}, not to a profile.")
    for pattern in rule.paths:
        match = re.match(pattern + r"(?:/.*)?$", path)
        if match:
            return _address(rule, match.group("handle"))
    raise ProfileAddressError(f"This address does not look like a profile on {_label(rule)}.")


def read_reported(raw: str) -> tuple[str, ProfileAddress | None]:
    """A page someone reports: its platform, and the profile when the address is one (a link to a post
    names only its platform). Raises ProfileAddressError when it is not a web address at all."""
    slug = platform_for_url(raw)
    try:
        return slug, parse_profile_url(raw)
    except ProfileAddressError:
        return slug, None


def profile_from_handle(platform: str, handle: str) -> ProfileAddress:
    """Read a handle typed on its own (`@Some.Team`) for a platform chosen from the list."""
    text = handle.strip()
    if not text:
        raise ProfileAddressError("Enter the handle or the address of the profile.")
    if "://" in text or ("/" in text and "." in text.split("/", 1)[0]):  # an address pasted as the handle
        address = parse_profile_url(text)
        if address.platform != platform and platform not in (OTHER,):
            raise ProfileAddressError(f"This address is not on {_label_for(platform)}.")
        return address
    rule = RULES.get(platform)
    if rule is None:
        if platform == WEBSITE:
            return parse_profile_url(text)
        # A platform without a rule (“other”): the handle is kept as typed, compared without case.
        if len(text) > 150 or any(ch.isspace() for ch in text):
            raise ProfileAddressError("Enter the handle without spaces, as the platform shows it.")
        return ProfileAddress(platform=platform, handle=text, key=text.lower(), url="")
    match = re.fullmatch(rule.handle_pattern, text)
    if not match:
        raise ProfileAddressError(f"This is not a valid {_label(rule)} handle.")
    return _address(rule, match.group("handle"))


def resolve_profile(platform: str, *, handle: str = "", url: str = "") -> ProfileAddress:
    """One answer from whatever the person gave: the address wins, the handle must agree with it."""
    if url.strip():
        address = parse_profile_url(url)
        if platform and platform != OTHER and address.platform != platform:
            raise ProfileAddressError(
                f"This address is on {_label_for(address.platform)}, not on {_label_for(platform)}."
            )
        if platform == OTHER:
            address = ProfileAddress(platform=OTHER, handle=address.handle, key=address.key, url=address.url)
        if handle.strip():
            typed = profile_from_handle(address.platform, handle) if address.platform in RULES else None
            if typed is not None and typed.key != address.key:
                raise ProfileAddressError("The handle and the address name different profiles.")
        return address
    if not platform:
        raise ProfileAddressError("Choose the platform or paste the profile's address.")
    return profile_from_handle(platform, handle)


def _website(scheme: str, host: str, path: str) -> ProfileAddress:
    path = path.rstrip("/")
    handle = host + path
    return ProfileAddress(platform=WEBSITE, handle=handle, key=handle.lower(), url=f"{scheme}://{handle}")


_LABELS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "x": "X (Twitter)",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "linkedin": "LinkedIn",
    "pinterest": "Pinterest",
    "snapchat": "Snapchat",
    "flickr": "Flickr",
    WEBSITE: "a blog or website",
    OTHER: "another platform",
}


def network_named(name: str) -> str | None:
    """The social network a tool-list entry names (“TikTok”, “X”, “X (Twitter)”), if any."""
    wanted = name.strip().lower()
    for slug in RULES:
        label = _LABELS[slug].lower()
        if wanted in (slug, label, label.split(" (")[0]):
            return slug
    return None


def _label(rule: PlatformRule) -> str:
    return _LABELS[rule.slug]


def _label_for(slug: str) -> str:
    return _LABELS.get(slug, slug)
