"""HTML scaffolding shared by the explorers: assets, data block, controls."""

from __future__ import annotations

import hashlib
import html
import itertools
import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["HTMLExplorer", "explorer_html", "explorer_script", "range_field", "select_field"]


@cache
def _asset(name: str) -> str:
    return resources.files("convdoc.explore").joinpath(name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    # Inside <script>, "</" could close the element early; "<\/" means the same in JS and JSON.
    return text.replace("</", "<\\/")


_instances = itertools.count(1)


def element_id(kind: str, payload: str) -> str:
    """An id for an explorer's root element, unique within the process.

    The digest ties the id to the settings; the counter keeps two identical
    explorers on one page apart.
    """
    digest = hashlib.sha1(payload.encode()).hexdigest()[:8]
    return f"convdoc-{kind}-{digest}-{next(_instances)}"


def range_field(
    root_id: str, name: str, label: str, value: float, lo: float, hi: float, step: float
) -> str:
    """A labelled ``<input type="range">`` with a live ``<output>``."""
    fid = f"{root_id}-{name}"
    return (
        f'<div class="cdx-field"><label for="{fid}">{html.escape(label)}</label>'
        f'<input type="range" id="{fid}" data-control="{name}" min="{lo}" max="{hi}" '
        f'step="{step}" value="{value}">'
        f'<output for="{fid}" data-value-of="{name}">{value}</output></div>'
    )


def select_field(
    root_id: str, name: str, label: str, options: dict[str, str], value: str
) -> str:
    """A labelled ``<select>``; ``options`` maps values to shown text."""
    fid = f"{root_id}-{name}"
    opts = "".join(
        f'<option value="{html.escape(v)}"{" selected" if v == value else ""}>'
        f"{html.escape(text)}</option>"
        for v, text in options.items()
    )
    return (
        f'<div class="cdx-field"><label for="{fid}">{html.escape(label)}</label>'
        f'<select id="{fid}" data-control="{name}">{opts}</select></div>'
    )


def checkbox_field(root_id: str, name: str, label: str, checked: bool) -> str:
    """A labelled checkbox."""
    fid = f"{root_id}-{name}"
    return (
        f'<div class="cdx-field"><input type="checkbox" id="{fid}" data-control="{name}"'
        f'{" checked" if checked else ""}><label for="{fid}">{html.escape(label)}</label></div>'
    )


def settings(root_id: str, controls: str) -> str:
    """An explorer's settings: a disclosure, open on wide screens, folded on phones.

    ``controls`` is the fields' HTML. On an explorer narrower than 560 CSS px a
    small script folds the disclosure while the page is parsed, before it is first
    painted: folded later by the explorer's script, the buttons and the drawing
    under them would jump up the screen (a layout shift, which Lighthouse counts).
    The script names its explorer, so it differs from every other explorer's
    (the site keeps one copy of identical inline scripts).
    """
    fold = (
        f'<script>(function (r) {{ var d = r && r.querySelector("details.cdx-settings");'
        f' if (d && r.clientWidth < 560) d.open = false; }})'
        f'(document.getElementById("{root_id}"));</script>'
    )
    return (
        '<details class="cdx-settings" open><summary>Settings</summary>'
        f'<div class="cdx-controls">{controls}</div></details>{fold}'
    )


def buttons(root_id: str = "", speeds: tuple[float, ...] = (), speed: float = 0) -> str:
    """Step back, step forward, play (with a speed select), and save-as-SVG buttons.

    ``speeds`` are the playback rates offered, in steps per second; ``speed`` the
    one selected first.
    """
    options = "".join(
        f'<option value="{v:g}"{" selected" if v == speed else ""}>{v:g} steps/s</option>'
        for v in speeds
    )
    fid = f"{root_id}-speed"
    select = (
        f'<span class="cdx-speed"><label for="{fid}">Speed</label><select id="{fid}" '
        f'data-control="speed">{options}</select></span>'
        if speeds else ""
    )
    return (
        '<div class="cdx-buttons">'
        '<button type="button" data-action="prev" aria-label="Previous step">◀ Step</button>'
        '<button type="button" data-action="next" aria-label="Next step">Step ▶</button>'
        '<button type="button" data-action="play" aria-pressed="false">Play</button>'
        f"{select}"
        '<button type="button" data-action="save">Save SVG</button>'
        "</div>"
    )


def explorer_script(script: str) -> str:
    """The inline code of an explorer: the shared start-up, then the packaged script.

    Parameters
    ----------
    script : str
        The packaged script that draws the explorer (``"explorer.js"``,
        ``"playground.js"``); both start through ``lazystart.js``.

    Returns
    -------
    str
        The JavaScript, identical for every explorer drawn by the same script (the
        site keeps one copy per page).
    """
    return _asset("lazystart.js") + "\n" + _asset(script)


def explorer_html(
    kind: str, data: dict[str, Any], body: Any, title: str, script: str = "explorer.js"
) -> str:
    """Assemble a self-contained explorer: style, markup, inline data and script.

    Parameters
    ----------
    kind : str
        ``"1d"`` or ``"2d"``; written into the data block for the script.
    data : dict
        JSON-serialisable data the script needs.
    body : callable
        ``body(root_id) -> str`` returning the controls and panels markup.
    title : str
        Accessible name of the explorer region.
    script : str, default "explorer.js"
        The packaged script that draws it.

    Returns
    -------
    str
        One ``<div>`` holding everything, with no external reference.
    """
    payload = json.dumps({"kind": kind, **data}, separators=(",", ":"), allow_nan=False)
    root_id = element_id(kind, payload)
    return (
        f'<div class="convdoc-explorer" id="{root_id}" role="region" '
        f'aria-label="{html.escape(title)}">'
        f"<style>{_asset('explorer.css')}</style>"
        f"{body(root_id)}"
        '<noscript><p class="cdx-note">This explorer needs JavaScript to draw. The '
        "figures of convdoc.plot show the same steps without it.</p></noscript>"
        f'<script type="application/json">{_script_safe(payload)}</script>'
        f"<script>{_script_safe(explorer_script(script))}</script>"
        "</div>"
    )


class HTMLExplorer:
    """Base of the explorers: one self-contained ``<div>`` from ``_body`` and ``_data``.

    Subclasses set ``_kind`` (``"1d"``/``"2d"``, read by the script) and
    ``_heading`` (the region's accessible name), and define ``_body``.
    """

    _kind: str
    _heading: str

    def _data(self) -> dict[str, Any]:
        """JSON-serialisable data the script needs besides the controls."""
        return {}

    def _body(self, root_id: str) -> str:
        raise NotImplementedError

    def to_html(self) -> str:
        """The explorer as one self-contained HTML ``<div>``.

        Returns
        -------
        str
            Markup with the data, the style sheet and the script inline; put
            it in any page (it needs no other file and no network).
        """
        return self._repr_html_()

    def _repr_html_(self) -> str:
        return explorer_html(self._kind, self._data(), self._body, self._heading)
