// Search ranking and snippets for the convdoc site (conf.py: html_search_scorer).
//
// Sphinx inlines this file into _static/language_data.js, which the search
// page loads after searchtools.js: the Scorer defined here replaces the default
// one before any query runs, and Search (defined by searchtools.js) exists.
//
// Ranking: the tutorial chapters are the main text. Sphinx scores a word in a
// page's title 15 and in its body 5, so a gallery script titled "Stride, no
// padding" used to beat the chapter that explains stride and padding. A
// chapter's score is doubled and raised by 10: a chapter with the word in its
// body (5 -> 20) now outranks an example with the word in its title (15),
// while a chapter with only a partial match (2 -> 14) does not.
//
// Snippets: searchtools.js shows 240 characters of the page's text around the
// first hit. Left out of that text: sphinx-gallery's "Go to the end to download
// the full example code" note and download footer, code and its printed output,
// the explorers' markup, and KaTeX's MathML copy of each formula (KaTeX writes
// every formula as MathML with its TeX source plus as HTML glyphs, so the raw
// text showed each formula three times, "\left\lfloor" included).

var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    const chapter = docname.startsWith("tutorial/") && docname !== "tutorial/index";
    return chapter ? 2 * score + 10 : score;
  },
  // Sphinx's defaults for everything else.
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};

(function () {
  if (typeof Search === "undefined") return;
  const LEFT_OUT = [
    ".headerlink", "script", "style",
    ".sphx-glr-download-link-note", ".sphx-glr-footer", ".sphx-glr-signature",
    ".sphx-glr-timing", "div.highlight", "pre", ".sphx-glr-script-out",
    ".katex-mathml", ".convdoc-explorer", ".convdoc-downloads", ".cell_output",
  ];
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    for (const query of LEFT_OUT) {
      doc.querySelectorAll(query).forEach((el) => el.remove());
    }
    let root = null;
    if (anchor) root = doc.querySelector(`[role="main"] ${anchor}`);
    if (!root) root = doc.querySelector('[role="main"]');
    if (!root) return "";
    // Blocks run together in textContent ("...the end.Next paragraph"): keep a space.
    return root.textContent.replace(/\s+/g, " ").trim();
  };
})();
