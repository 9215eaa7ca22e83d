// Shared start-up of convdoc's explorers (prepended to explorer.js and playground.js).
//
// An explorer inside a part of the page the browser renders only near the screen
// (CSS content-visibility: auto, as the site's long pages do) is started when it
// comes within NEAR of the viewport, not while the page loads: on a phone each
// explorer's first drawing would add to the load's main-thread work (Lighthouse's
// total blocking time). Others (the home page's, a notebook's) start at once, so
// nothing on the first screen moves. The initAll(now) it returns starts, with
// now === true, every explorer at once; the page does so before printing.
window.convdocLazyStart = window.convdocLazyStart || function (accepts, init) {
  var NEAR = "600px 0px";
  var watcher = null;

  function offscreen(root) {
    if (!window.IntersectionObserver || !window.getComputedStyle) return false;
    for (var node = root.parentElement; node; node = node.parentElement) {
      if (getComputedStyle(node).contentVisibility === "auto") return true;
    }
    return false;
  }

  function dataOf(root) {
    return JSON.parse(root.querySelector('script[type="application/json"]').textContent);
  }

  function start(root) {
    if (root.hasAttribute("data-ready")) return;
    if (watcher) watcher.unobserve(root);
    var data = dataOf(root);
    root.setAttribute("data-ready", "true");
    init(root, data);
  }

  function later(root) {
    if (!watcher) {
      watcher = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) start(entry.target);
        });
      }, { rootMargin: NEAR });
    }
    watcher.observe(root);
  }

  // Each script starts only the kinds it draws (accepts(kind)); the others have theirs.
  function initAll(now) {
    var roots = document.querySelectorAll(".convdoc-explorer:not([data-ready])");
    Array.prototype.forEach.call(roots, function (root) {
      if (!accepts(dataOf(root).kind)) return;
      if (now !== true && offscreen(root)) later(root);
      else start(root);
    });
  }

  window.addEventListener("beforeprint", function () { initAll(true); });
  return initAll;
};
