"""axe-core (from the npm registry, ``tests/browser/axe``) run inside a Playwright page.

``.ci/run`` installs it with ``npm ci --prefix tests/browser/axe``; without it the
accessibility tests skip on a developer's machine and fail under ``CI=true``. The
page's context must be opened with ``bypass_csp=True``: the sites' Content-Security-Policy
rightly refuses the injected script otherwise.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import IN_CI

AXE_JS = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0–2.2 A and AA plus axe's best practices (landmarks, headings, …).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

#: Controls smaller than 44 × 44 CSS px on a phone (text links inside a sentence excepted).
SMALL_TARGETS_JS = """
() => {
  const small = [];
  const seen = new Set();
  const targets = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]");
  for (const el of targets) {
    let target = el;
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      target = el.closest("label") || (el.labels && el.labels[0]) || el;  /* the label is hit */
    }
    if (seen.has(target)) continue;
    seen.add(target);
    const box = target.getBoundingClientRect();
    const style = getComputedStyle(target);
    if (!box.width || !box.height || style.visibility === "hidden") continue;
    if (el.matches("a") && style.display === "inline" && el.parentElement &&
        el.parentElement.matches("p, li, td, dd, small, span") &&
        el.parentElement.textContent.trim() !== el.textContent.trim()) continue;
    const [w, h] = [Math.round(box.width), Math.round(box.height)];
    if (w < 44 || h < 44) {
      small.push(`${target.outerHTML.slice(0, 90)} is ${w}×${h}`);
    }
  }
  return small;
}
"""


@cache
def axe_source() -> str:
    if not AXE_JS.exists():
        message = (f"{AXE_JS} is missing: npm ci --prefix tests/browser/axe "
                   "(.ci/run does it)")
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


def violations(page: Any) -> list[str]:
    """axe-core's violations on the page as it is now, one line per element."""
    source = axe_source()
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=source)
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})).violations", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')}"
            .replace("\n", " ") for v in result for node in v["nodes"]]


def small_targets(page: Any) -> list[str]:
    return list(page.evaluate(SMALL_TARGETS_JS))
