"""axe-core in the browser tests: the rules of the accessibility checkers, run in the page.

axe-core comes from the pinned `axe-playwright-python` test dependency (it ships axe.min.js);
Playwright evaluates it in the page, so the page's Content-Security-Policy stays as it is."""

from axe_playwright_python.sync_playwright import Axe

SERIOUS = {"serious", "critical"}
_axe = Axe()


def serious_violations(page) -> list[str]:
    """The serious and critical axe-core violations of the page as it is now, one line each
    (rule, impact, the first offending elements), for an assertion message."""
    results = _axe.run(page)
    found = []
    for v in results.response["violations"]:
        if v.get("impact") in SERIOUS:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            found.append(f"{v['id']} ({v['impact']}): {targets} — {v['help']}")
    return found
