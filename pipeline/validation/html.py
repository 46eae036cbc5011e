"""The offline results page: one self-contained HTML file, no external assets.

GX's own Data Docs load Bootstrap, jQuery, Vega and Font Awesome from CDNs and
render unstyled without a network, so the page is ours: a jinja2 template with
autoescaping on, rendered from results.json (counts only, no patient data).
"""

from __future__ import annotations

import functools
from pathlib import Path

TEMPLATE = "results.html.j2"


@functools.cache
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(results: dict) -> str:
    """The results page for RESULTS (the dict written to results.json)."""
    by_suite = {
        s["name"]: [r for r in results["results"] if r["suite"] == s["name"]]
        for s in results["suites"]
    }
    return _environment().get_template(TEMPLATE).render(results=results, by_suite=by_suite)
