"""axe-core (the npm package, installed by the setup command) run in the page: WCAG 2.0/2.1 A and AA."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.real_services import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Page) -> list[dict[str, Any]]:
    """The page's WCAG A and AA violations, as (rule, impact, where) summaries. The browser context must
    be opened with bypass_csp=True: the product's policy rightly refuses an injected script."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        WCAG_AA,
    )
    return [{"rule": v["id"], "impact": v["impact"], "where": [n["target"] for n in v["nodes"]][:5]} for v in found]
