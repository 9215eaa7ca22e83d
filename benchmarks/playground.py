"""Time the image playground's redraw in chromium, on a CPU slowed to a phone's pace.

Budget (issue "Explorers that show the arithmetic": "the result redraws within
one animation frame on a phone-class CPU for a 256x256 image"): one frame at
60 Hz is 16.7 ms. A phone-class CPU is approximated the way Lighthouse's mobile
preset does it, by Chrome's CPU throttling at 4x (DevTools protocol,
``Emulation.setCPUThrottlingRate``). The page measures each redraw itself
(``performance.now()`` around filtering and drawing; its ``data-redraw-ms``
attribute); this script switches the controls that force a full redraw and
reports the median of repeated redraws for each image kind and kernel size.
Wall-clock budgets live here, never in the unit tests.

Run from the repository root (needs Debian's chromium and Playwright)::

    .venv/bin/python benchmarks/playground.py [--throttle 4] [--repeats 15]

Exit status 0 when every case is within budget, 1 otherwise.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from convdoc.explore import ImagePlayground

CHROMIUM = "/usr/bin/chromium"
FRAME_MS = 1000 / 60


def _serve(root: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def measure(throttle: float, repeats: int) -> dict[str, float]:
    """Median redraw time in ms for greyscale/RGB x 3x3/5x5 (dense kernels)."""
    from playwright.sync_api import sync_playwright

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        # Dense kernels: the filter skips zero taps, so the blurs are the worst case.
        (root / "index.html").write_text(
            "<!doctype html><meta charset='utf-8'><title>playground bench</title>"
            + ImagePlayground(kernel="box_blur").to_html(),
            encoding="utf-8",
        )
        httpd = _serve(root)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1100, "height": 900})
                page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/index.html")
                page.wait_for_function("document.querySelector('[data-image-ready]') !== null")
                session = page.context.new_cdp_session(page)
                session.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
                root_el = page.locator("[data-image-ready]").first
                colour = root_el.get_by_label("Image")
                size = root_el.get_by_label("Kernel size")
                boundary = root_el.get_by_label("Boundary")
                rules = [o for o in boundary.locator("option").all_inner_texts()]
                for image in ("grey", "rgb"):
                    colour.select_option(image)
                    for k in ("3", "5"):
                        size.select_option(k)
                        times = []
                        for i in range(repeats):
                            # A boundary change redraws everything once.
                            boundary.select_option(rules[i % len(rules)])
                            times.append(float(root_el.get_attribute("data-redraw-ms")))
                        results[f"{image} {k}x{k}"] = statistics.median(times)
                browser.close()
        finally:
            httpd.shutdown()
            httpd.server_close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--throttle", type=float, default=4.0,
                        help="CPU slow-down factor (Lighthouse's mobile preset uses 4)")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"playground: {CHROMIUM} not found (apt-get install chromium)", file=sys.stderr)
        return 1
    results = measure(args.throttle, args.repeats)
    ok = True
    print(f"image playground, 256x256, CPU throttled {args.throttle:g}x, "
          f"budget one frame ({FRAME_MS:.1f} ms)")
    for case, ms in results.items():
        within = ms <= FRAME_MS
        ok &= within
        print(f"  {case:10s} {ms:7.2f} ms  {'PASS' if within else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
