"""Every page that invites the reader to use a control has that control.

A sentence such as "move the padding slider", "tick *Transposed*", "switch the
mode", "step through ..." or "press Play" is a promise: the page must carry a
control of the matching kind (``<input type="range">``, a checkbox, a
``<select>``, a ``<button>``) in its content. The gallery once told the reader
to use an explorer on nine pages that showed only the line ``Explorer2D(...)``
(``sphinx_gallery_capture_repr = ()`` hid it); this test reads the text of every
built page (gallery pages and chapters) and fails on any such broken promise.

Only prose counts: code blocks, their printed output, math, and the explorers'
own markup (whose buttons read "Step" and "Play") are set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

#: Control kinds a page can offer.
RANGE, CHECKBOX, SELECT, BUTTON = "range", "checkbox", "select", "button"

#: What each inviting verb needs on the page (any one of the kinds listed).
VERB_NEEDS: dict[str, frozenset[str]] = {
    "move": frozenset({RANGE}),
    "drag": frozenset({RANGE}),
    "tick": frozenset({CHECKBOX}),
    "untick": frozenset({CHECKBOX}),
    "toggle": frozenset({CHECKBOX, BUTTON}),
    "switch": frozenset({SELECT, CHECKBOX}),
    "pick": frozenset({SELECT, CHECKBOX, RANGE}),
    "step": frozenset({BUTTON, RANGE}),
    "play": frozenset({BUTTON}),
    "click": frozenset({BUTTON, CHECKBOX, SELECT}),
    "press": frozenset({BUTTON}),
}
#: Nouns that promise a control wherever the prose names them.
NOUN_NEEDS: dict[str, frozenset[str]] = {
    "slider": frozenset({RANGE}),
    "sliders": frozenset({RANGE}),
    "checkbox": frozenset({CHECKBOX}),
    "check box": frozenset({CHECKBOX}),
    "drop-down": frozenset({SELECT}),
    "explorer below": frozenset({RANGE, CHECKBOX, SELECT, BUTTON}),
    "explorer above": frozenset({RANGE, CHECKBOX, SELECT, BUTTON}),
}

_VERBS = "|".join(VERB_NEEDS)
# A clause starts a sentence, follows a comma, ";", ":" or a dash, or follows
# "and"/"or"/"then" after a comma or a verb phrase ("... and watch", ", or tick").
_CLAUSE_START = r"(?:^|(?<=[.,;:!?—–])\s*|\b(?:and|or|then|now)\s+|\byou\s+can\s+)"
_INVITATION = re.compile(
    _CLAUSE_START + rf"(?P<verb>{_VERBS})\b(?=(?P<rest>[^.;:!?]*))", re.IGNORECASE
)
_GERUND = {
    "moving": "move", "dragging": "drag", "ticking": "tick", "switching": "switch",
    "stepping": "step", "playing": "play", "clicking": "click", "pressing": "press",
    "picking": "pick", "toggling": "toggle",
}  # fmt: skip
_TRY = re.compile(rf"\btry\s+(?P<verb>{'|'.join(_GERUND)})\b", re.IGNORECASE)
# "Step" is an invitation only when it moves somewhere: "step through", "step to
# the last output"; "Step 40 covers ..." and "step 0" name a step.
_STEP_MOVES = re.compile(r"^\s*(?:through|to|forward|back|along|over|across)\b", re.I)
_BLOCKS = ["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "th", "td", "caption",
           "figcaption", "blockquote", "div"]
_BREAK = "\u00b6"  # the pilcrow: no prose uses it once header links are gone
# "tick Transposed" names the checkbox: its label must be on the page.
_TICK_LABEL = re.compile(r"^\s*(?:the\s+)?([A-Z][\w-]*)")


@dataclass(frozen=True)
class Promise:
    """One sentence part that invites the reader to use a control."""

    words: str
    needs: frozenset[str]
    label: str | None = None


def promises(text: str) -> list[Promise]:
    """The invitations to use a control in a piece of prose.

    Parameters
    ----------
    text : str
        Running text (no code, no math).

    Returns
    -------
    list of Promise
        Each with the control kinds any one of which keeps it, and for "tick X"
        the checkbox label X.
    """
    found: list[Promise] = []
    for sentence in re.split(rf"(?<=[.!?])\s+|\s*{_BREAK}\s*", " ".join(text.split())):
        for match in _INVITATION.finditer(sentence):
            verb, rest = match["verb"].lower(), match["rest"]
            if verb == "step" and not _STEP_MOVES.match(rest):
                continue
            if verb == "play" and re.match(r"^\s*(?:a|an|its|their|the)\s+(?:role|part)\b", rest):
                continue  # "X plays the role of", "plays a part"
            label = None
            if verb in {"tick", "untick"}:
                named = _TICK_LABEL.match(rest)
                label = named.group(1) if named else None
            found.append(Promise((match.group(0) + rest).strip(), VERB_NEEDS[verb], label))
        for match in _TRY.finditer(sentence):
            verb = _GERUND[match["verb"].lower()]
            found.append(Promise(match.group(0), VERB_NEEDS[verb]))
        lowered = sentence.lower()
        for noun, needs in NOUN_NEEDS.items():
            if re.search(rf"\b{re.escape(noun)}\b", lowered):
                found.append(Promise(noun, needs))
    return found


def _prose(article: Tag) -> str:
    """The article's running text: no code, output, math, explorer markup or scripts."""
    for element in article.select(
        "pre, code, script, style, noscript, .katex, .math, .convdoc-explorer, "
        ".sphx-glr-download, .sphx-glr-script-out, .headerlink, .sphx-glr-timing, "
        "nav, .toctree-wrapper"
    ):
        element.decompose()
    # A heading, paragraph or list item ends a sentence even without a full stop.
    for block in article.find_all(_BLOCKS):
        block.append(f" {_BREAK} ")
    return article.get_text(" ")


@dataclass(frozen=True)
class Controls:
    """The controls in a page's content, by kind, with the checkbox labels."""

    kinds: frozenset[str]
    checkbox_labels: frozenset[str]


def controls(article: Tag) -> Controls:
    """Which kinds of control the article holds (before its prose is extracted)."""
    kinds: set[str] = set()
    labels: set[str] = set()
    for element in article.find_all(["input", "select", "button", "textarea"]):
        if element.name == "select":
            kinds.add(SELECT)
        elif element.name == "button":
            kinds.add(BUTTON)
        elif element.name == "input":
            kind = (element.get("type") or "text").lower()
            if kind == "range":
                kinds.add(RANGE)
            elif kind in {"checkbox", "radio"}:
                kinds.add(CHECKBOX)
                label = article.find("label", attrs={"for": element.get("id")})
                if label is not None:
                    labels.add(label.get_text(strip=True))
            elif kind in {"button", "submit", "reset"}:
                kinds.add(BUTTON)
    return Controls(frozenset(kinds), frozenset(labels))


def broken_promises(html: str) -> list[str]:
    """The invitations in a page's content that no control on the page keeps."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article") or soup.body or soup
    have = controls(article)
    problems = []
    for promise in promises(_prose(article)):
        if not promise.needs & have.kinds:
            wanted = " or ".join(sorted(promise.needs))
            problems.append(f"{promise.words!r} needs a {wanted} control, the page has none")
        elif promise.label and promise.label not in have.checkbox_labels:
            problems.append(
                f"{promise.words!r} names a checkbox {promise.label!r}; the page's "
                f"checkboxes are {sorted(have.checkbox_labels)}"
            )
    return problems


# -- the detector itself --------------------------------------------------------

_EXPLORER = (
    '<article><p>{text}</p><div class="convdoc-explorer">'
    '<input type="range" id="e-input"><label for="e-t">Transposed</label>'
    '<input type="checkbox" id="e-t"><select id="e-m"></select>'
    '<button type="button">Step ▶</button><button>Play</button></div></article>'
)


@pytest.mark.parametrize(
    "text",
    [
        "Step through the same input in the page.",
        "Change the input size and watch the output; tick Transposed for the other direction.",
        "The same wave, stepped in the page. Switch the mode and watch the length.",
        "In full and same mode, pick a boundary rule to see what the window reads.",
        "Move the padding slider and watch the output grow.",
        "Press Play to run the steps.",
        "Try dragging the kernel size.",
        "Click a cell to see its window.",
        "The explorer below draws the same diagram.",
        "Switch the operation between convolve and correlate at step 6 and watch.",
    ],
)
def test_an_invitation_without_a_control_is_found(text: str) -> None:
    assert broken_promises(f"<article><p>{text}</p></article>"), text
    assert not broken_promises(_EXPLORER.format(text=text)), text


@pytest.mark.parametrize(
    "text",
    [
        "Step 40 covers inputs 40 to 60.",
        "All four steps are drawn; each step adds one output.",
        "An extra argument, output_padding, picks one.",
        "The window moves two cells between steps.",
        "The kernel switches sign at the centre.",
        "Padding plays the role of the missing samples.",
        "Flip the kernel and slide it along the signal.",
    ],
)
def test_prose_that_invites_nothing_is_left_alone(text: str) -> None:
    assert broken_promises(f"<article><p>{text}</p></article>") == [], text


def test_a_heading_ends_a_sentence() -> None:
    # "Try other sizes" (a heading, no full stop) then "Step through ...".
    page = "<article><h2>Try other sizes</h2><p>Step through the same input.</p></article>"
    assert broken_promises(page)


def test_the_control_must_be_of_the_promised_kind() -> None:
    # A page with only a slider does not keep "tick Transposed" or "press Play".
    page = '<article><p>{}</p><input type="range" id="a"></article>'
    assert broken_promises(page.format("Tick Transposed for the other direction."))
    assert broken_promises(page.format("Press Play."))
    assert not broken_promises(page.format("Move the slider."))


def test_tick_names_the_checkbox_it_means() -> None:
    page = (
        '<article><p>Tick {}.</p><input type="checkbox" id="c">'
        '<label for="c">Transposed</label></article>'
    )
    assert not broken_promises(page.format("Transposed"))
    assert broken_promises(page.format("Dilated"))


def test_code_output_math_and_the_explorer_markup_are_not_prose() -> None:
    page = (
        "<article><pre>Step through(x)</pre><p><code>tick Transposed</code></p>"
        '<div class="sphx-glr-script-out">Press Play</div>'
        '<span class="katex">move the slider</span>'
        '<div class="convdoc-explorer"><span>Step through the steps</span></div></article>'
    )
    assert broken_promises(page) == []


# -- the built site ---------------------------------------------------------------


def _content_pages(site: Path) -> list[Path]:
    pages = sorted((site / "auto_examples").rglob("*.html")) + sorted(
        (site / "tutorial").rglob("*.html")
    )
    return pages + sorted(site.glob("*.html"))


@pytest.mark.site
def test_every_page_keeps_the_promises_its_text_makes(site: Path) -> None:
    pages = _content_pages(site)
    assert len(pages) > 30, "gallery and tutorial pages not found in the built site"
    broken = {
        str(page.relative_to(site)): problems
        for page in pages
        if (problems := broken_promises(page.read_text(encoding="utf-8")))
    }
    report = "\n".join(f"{page}:\n  " + "\n  ".join(items) for page, items in broken.items())
    assert not broken, "pages that invite the reader to use a control they lack:\n" + report


@pytest.mark.site
def test_every_gallery_explorer_is_rendered(site: Path) -> None:
    # Every example that builds an explorer shows it: its script names an
    # Explorer class, so its page must hold an explorer with controls.
    from conftest import example_sources

    for example in example_sources():
        if not re.search(r"^\s*(?:\w+\s*=\s*)?(?:Explorer1D|Explorer2D|ImagePlayground)\(",
                         example.read_text(encoding="utf-8"), re.MULTILINE):
            continue
        page = site / "auto_examples" / example.parent.name / f"{example.stem}.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        shown = soup.select(".convdoc-explorer")
        assert shown, f"{page.relative_to(site)} builds an explorer but does not show it"
        assert all(box.find(["input", "select", "button"]) for box in shown), page
