/* convdoc explorers: redraw the stepped convolution figures as the sliders move.
 *
 * Shipped inline with every explorer's HTML; the guard below defines the code
 * once per page and each run only initialises explorers not yet initialised,
 * so several explorers (or a re-rendered notebook cell) coexist. No library,
 * no network. Geometry follows convdoc.steps: the displayed numbers are also
 * written to data-* attributes so tests can compare them with convdoc.
 */
(function () {
  "use strict";
  if (window.convdocExplorer) {
    window.convdocExplorer.initAll();
    return;
  }
  var SVGNS = "http://www.w3.org/2000/svg";

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVGNS, name);
    for (var key in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, key)) node.setAttribute(key, attrs[key]);
    }
    if (parent) parent.appendChild(node);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function num(v) {
    // Integers without a decimal point, else up to 4 significant digits.
    if (Number.isInteger(v)) return v < 0 ? "\u2212" + -v : String(v);
    var s = Number(v.toPrecision(4)).toString();
    return s.charAt(0) === "-" ? "\u2212" + s.slice(1) : s;
  }

  function range(a, b) {
    if (a === b) return num(a);
    return a < 0 ? num(a) + " to " + num(b) : a + "\u2013" + b;
  }

  /* ---- numerics: the same definitions as convdoc ---------------------------------- */

  function gaussianKernel(size, sigma) {
    var k = [], total = 0, i, t;
    for (i = 0; i < size; i++) {
      t = i - (size - 1) / 2;
      k.push(Math.exp(-(t * t) / (2 * sigma * sigma)));
      total += k[i];
    }
    return k.map(function (v) { return v / total; });
  }

  function boxKernel(size) {
    var k = [];
    for (var i = 0; i < size; i++) k.push(1 / size);
    return k;
  }

  // Taps 1, 2, ..., size over their sum: asymmetric, so flipping it shows.
  function rampKernel(size) {
    var k = [], total = size * (size + 1) / 2;
    for (var i = 0; i < size; i++) k.push((i + 1) / total);
    return k;
  }

  // Value at position i of x extended by a numpy.pad mode (constant pads with
  // zeros). numpy.pad repeats the reflection for wide pads, which is periodic.
  function extended(x, i, boundary) {
    var n = x.length, period, m;
    if (i >= 0 && i < n) return x[i];
    if (boundary === "constant") return 0;
    if (boundary === "edge" || n === 1) return x[i < 0 ? 0 : n - 1];
    if (boundary === "wrap") return x[((i % n) + n) % n];
    period = boundary === "symmetric" ? 2 * n : 2 * n - 2;
    m = ((i % period) + period) % period;
    if (m < n) return x[m];
    return x[boundary === "symmetric" ? period - 1 - m : period - m];
  }

  // Cells added before/after the input for a kernel of length k (scipy's modes).
  function signalPad(k, mode) {
    if (mode === "full") return [k - 1, k - 1];
    if (mode === "same") return [Math.floor(k / 2), Math.floor((k - 1) / 2)];
    return [0, 0];
  }

  // As convdoc.convolve / convdoc.correlate: a sliding dot product of the taps
  // (the kernel flipped for a convolution, as given for a correlation) over the
  // input extended by the boundary rule; output n uses input positions
  // n - before ... n - before + k - 1. Correlating is convolving with the
  // reversed kernel, whose length is the same, so the padding is too.
  function filter1d(x, kernel, mode, operation, boundary) {
    var k = kernel.length, pad = signalPad(k, mode), before = pad[0];
    var count = x.length + pad[0] + pad[1] - k + 1, out = [];
    var taps = operation === "correlate" ? kernel.slice() : kernel.slice().reverse();
    for (var n = 0; n < count; n++) {
      var acc = 0;
      for (var j = 0; j < k; j++) acc += extended(x, n - before + j, boundary) * taps[j];
      out.push(acc);
    }
    return { output: out, taps: taps, before: before, after: pad[1] };
  }

  function convolve1d(x, kernel, mode) {
    return filter1d(x, kernel, mode, "convolve", "constant");
  }

  /* ---- shared controls --------------------------------------------------------------- */

  function control(root, name) {
    return root.querySelector('[data-control="' + name + '"]');
  }

  function intValue(root, name) {
    return parseInt(control(root, name).value, 10);
  }

  function showValue(root, name, text) {
    var out = root.querySelector('[data-value-of="' + name + '"]');
    if (out) out.textContent = text;
  }

  // Play/pause at the speed select's rate (steps per second), step back and forth;
  // with autoplay, play while at least half the explorer is in view, unless the
  // reader asked for reduced motion or paused it.
  function wirePlayback(root, redraw, autoplay) {
    var step = control(root, "step");
    var speed = control(root, "speed");
    var timer = null, userStopped = false;
    var play = root.querySelector('[data-action="play"]');
    function advance(delta) {
      var max = parseInt(step.max, 10), v = parseInt(step.value, 10) + delta;
      if (v > max) v = 0;
      if (v < 0) v = max;
      step.value = String(v);
      redraw();
    }
    function interval() {
      var rate = speed ? parseFloat(speed.value) : 8;
      return 1000 / (rate > 0 ? rate : 8);
    }
    function setPlaying(on) {
      if (timer) clearInterval(timer);
      timer = on ? setInterval(function () { advance(1); }, interval()) : null;
      play.setAttribute("aria-pressed", timer ? "true" : "false");
      play.textContent = timer ? "Pause" : "Play";
      root.setAttribute("data-playing", timer ? "true" : "false");
      // A caption announced several times a second would drown a screen reader.
      Array.prototype.forEach.call(root.querySelectorAll("[aria-live]"), function (node) {
        node.setAttribute("aria-live", timer ? "off" : "polite");
      });
    }
    root.querySelector('[data-action="prev"]').addEventListener("click", function () { advance(-1); });
    root.querySelector('[data-action="next"]').addEventListener("click", function () { advance(1); });
    play.addEventListener("click", function () {
      userStopped = !!timer;
      setPlaying(!timer);
    });
    if (speed) speed.addEventListener("change", function () { if (timer) setPlaying(true); });
    root.setAttribute("data-playing", "false");
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (autoplay && !reduced && window.IntersectionObserver) {
      new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting && !timer && !userStopped) setPlaying(true);
          else if (!entry.isIntersecting && timer) setPlaying(false);
        });
      }, { threshold: 0.5 }).observe(root);
    }
    root.setAttribute("data-autoplay", autoplay && !reduced ? "on" : "off");
  }

  // Redraw when the explorer's width changes (phone rotation, sidebar).
  function onResize(root, redraw) {
    var last = root.clientWidth, pending = false;
    window.addEventListener("resize", function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () {
        pending = false;
        if (root.clientWidth !== last) { last = root.clientWidth; redraw(); }
      });
    });
  }

  // The seed notebook could save its figure as SVG; so can the explorers. Styles
  // come from the page's CSS, so they are copied onto the clone to stand alone.
  var STYLE_PROPS = ["fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray",
    "stroke-opacity", "opacity", "font-size", "font-family", "text-anchor"];

  function standaloneSvg(root) {
    var panels = root.querySelectorAll("svg[data-panel]");
    var width = 0, height = 0, parts = [];
    Array.prototype.forEach.call(panels, function (panel) {
      var box = panel.viewBox.baseVal;
      var clone = panel.cloneNode(true);
      var originals = panel.querySelectorAll("*"), copies = clone.querySelectorAll("*");
      for (var i = 0; i < originals.length; i++) {
        var cs = getComputedStyle(originals[i]), decl = [];
        STYLE_PROPS.forEach(function (prop) {
          var v = cs.getPropertyValue(prop);
          if (v) decl.push(prop + ":" + v);
        });
        copies[i].setAttribute("style", decl.join(";"));
      }
      clone.setAttribute("y", String(height));
      clone.setAttribute("color", getComputedStyle(root).color);
      width = Math.max(width, box.width);
      height += box.height;
      parts.push(new XMLSerializer().serializeToString(clone));
    });
    // The caption (and the 2-D formula) say which step this is; keep them with the figure.
    ["formula", "caption"].forEach(function (role) {
      var node = root.querySelector('[data-role="' + role + '"]');
      if (!node || !node.textContent) return;
      height += 18;
      var text = el("text", { x: 4, y: height - 5,
        style: "font-size:12px;font-family:sans-serif;fill:" + getComputedStyle(root).color });
      text.textContent = node.textContent;
      width = Math.max(width, Math.ceil(node.textContent.length * 6.6) + 8);  // ~glyph width
      parts.push(new XMLSerializer().serializeToString(text));
    });
    return '<svg xmlns="' + SVGNS + '" width="' + width + '" height="' + height +
      '" viewBox="0 0 ' + width + " " + height + '"><rect width="100%" height="100%" fill="' +
      getComputedStyle(root).backgroundColor + '"/>' +
      parts.join("") + "<\/svg>";
  }

  function wireDownload(root, name) {
    var button = root.querySelector('[data-action="save"]');
    if (!button) return;
    button.addEventListener("click", function () {
      var blob = new Blob([standaloneSvg(root)], { type: "image/svg+xml" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = name + "-step-" + root.getAttribute("data-step") + ".svg";
      document.body.appendChild(link);
      link.click();
      document.body.removeChild(link);
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    });
  }

  function hatch(svg, id) {
    var defs = el("defs", {}, svg);
    var pattern = el("pattern", { id: id, width: 6, height: 6, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)" }, defs);
    el("rect", { width: 6, height: 6, "class": "cdx-hatch-bg" }, pattern);
    el("line", { x1: 0, y1: 0, x2: 0, y2: 6, "class": "cdx-hatch" }, pattern);
  }

  /* ---- 1-D explorer -------------------------------------------------------------------- */

  var W = 640, H = 130, PAD_L = 48, PAD_R = 10, PAD_T = 10, PAD_B = 18;

  function scaler(lo, hi, a, b) {
    if (hi === lo) { hi = lo + 1; }
    return function (v) { return a + (v - lo) * (b - a) / (hi - lo); };
  }

  function extent(values) {
    var lo = 0, hi = 0;
    values.forEach(function (v) { if (v < lo) lo = v; if (v > hi) hi = v; });
    var m = (hi - lo) * 0.08 || 0.5;
    return [lo - m, hi + m];
  }

  // The zero line, the panel's name and value ticks on the y axis (0, the largest and
  // the smallest value drawn, when they are apart enough to be read).
  function axes(svg, sx, sy, lo, hi, label, values) {
    el("line", { x1: sx(lo), x2: sx(hi), y1: sy(0), y2: sy(0), "class": "cdx-axis" }, svg);
    el("line", { x1: PAD_L - 2, x2: PAD_L - 2, y1: PAD_T, y2: H - PAD_B, "class": "cdx-axis" }, svg);
    var t = el("text", { x: W - PAD_R, y: PAD_T + 9, "class": "cdx-label cdx-end" }, svg);
    t.textContent = label;
    var vmin = 0, vmax = 0, shown = [];
    (values || []).forEach(function (v) { if (v < vmin) vmin = v; if (v > vmax) vmax = v; });
    [0, vmax, vmin].forEach(function (v) {
      var y = sy(v);
      if (shown.some(function (u) { return Math.abs(u - y) < 12; })) return;
      shown.push(y);
      el("line", { x1: PAD_L - 6, x2: PAD_L - 2, y1: y, y2: y, "class": "cdx-axis" }, svg);
      var label = el("text", { x: PAD_L - 8, y: y + 3.5, "class": "cdx-ytick" }, svg);
      label.textContent = num(Number(v.toPrecision(3)));
    });
    svg.setAttribute("data-yticks", shown.length);
  }

  function sizePanel(svg, height) {
    svg.setAttribute("viewBox", "0 0 " + W + " " + height);
    svg.setAttribute("width", String(W));
    svg.setAttribute("height", String(height));
  }

  // The legend's swatches, drawn with the marks' own classes.
  function legendKeys(root, hatchId) {
    Array.prototype.forEach.call(root.querySelectorAll("svg[data-key]"), function (key) {
      var kind = key.getAttribute("data-key");
      if (kind === "signal") el("line", { x1: 1, x2: 19, y1: 6, y2: 6, "class": "cdx-signal" }, key);
      else if (kind === "output") el("line", { x1: 1, x2: 19, y1: 6, y2: 6, "class": "cdx-output" }, key);
      else if (kind === "pad") el("circle", { cx: 10, cy: 6, r: 3, "class": "cdx-pad" }, key);
      else if (kind === "window") el("rect", { x: 2, y: 1, width: 16, height: 10, "class": "cdx-window", fill: "url(#" + hatchId + ")" }, key);
      else if (kind === "under") el("rect", { x: 7, y: 3, width: 6, height: 6, "class": "cdx-under" }, key);
      else if (kind === "tap") {
        el("line", { x1: 10, x2: 10, y1: 11, y2: 4, "class": "cdx-stem" }, key);
        el("circle", { cx: 10, cy: 4, r: 2.5, "class": "cdx-tap" }, key);
      } else if (kind === "product") el("path", { d: "M7,3l6,6m0,-6l-6,6", "class": "cdx-product" }, key);
      else if (kind === "centre") el("line", { x1: 10, x2: 10, y1: 0, y2: 12, "class": "cdx-centre" }, key);
      else if (kind === "current") el("circle", { cx: 10, cy: 6, r: 4, "class": "cdx-current" }, key);
      else if (kind === "partial") el("polyline", { points: "1,10 7,10 7,6 13,6 13,2 19,2", "class": "cdx-partial" }, key);
    });
  }

  function ticks(svg, sx, lo, hi) {
    var span = hi - lo, stepSize = span > 150 ? 50 : span > 60 ? 20 : span > 25 ? 10 : 5;
    for (var v = Math.ceil(lo / stepSize) * stepSize; v <= hi; v += stepSize) {
      el("line", { x1: sx(v), x2: sx(v), y1: H - PAD_B, y2: H - PAD_B + 4, "class": "cdx-axis" }, svg);
      var t = el("text", { x: sx(v), y: H - 3, "class": "cdx-tick" }, svg);
      t.textContent = num(v);
    }
  }

  function init1d(root, data) {
    var panels = {
      input: root.querySelector('[data-panel="input"]'),
      kernel: root.querySelector('[data-panel="kernel"]'),
      output: root.querySelector('[data-panel="output"]'),
      sum: root.querySelector('[data-panel="sum"]')
    };
    var table = root.querySelector('[data-role="products"]');
    var caption = root.querySelector('[data-role="caption"]');
    var hatchId = root.id + "-hatch";

    function redraw() {
      var signalName = control(root, "signal").value;
      var kernelName = control(root, "kernel").value;
      var mode = control(root, "mode").value;
      var operation = control(root, "operation").value;
      var boundary = control(root, "boundary").value;
      var size = intValue(root, "size");
      var sigma = parseFloat(control(root, "sigma").value);
      var x = data.signals[signalName];
      // Draw at the width the page gives (phones included), so text keeps its size.
      W = Math.max(300, Math.min(640, (root.clientWidth || 640) - 26));
      ["input", "kernel", "output", "sum"].forEach(function (name) { sizePanel(panels[name], H); });
      control(root, "sigma").disabled = kernelName !== "gaussian";
      // Valid mode adds no cells, so no boundary rule applies there.
      control(root, "boundary").disabled = mode === "valid";
      var kernel = kernelName === "gaussian" ? gaussianKernel(size, sigma)
        : kernelName === "ramp" ? rampKernel(size) : boxKernel(size);
      var res = filter1d(x, kernel, mode, operation, boundary), out = res.output, k = size;
      var stepInput = control(root, "step");
      stepInput.max = String(out.length - 1);
      var n = Math.min(intValue(root, "step"), out.length - 1);
      stepInput.value = String(n);
      stepInput.setAttribute("aria-valuetext", "output " + n + " of " + out.length);
      showValue(root, "step", String(n));
      showValue(root, "size", String(size));
      showValue(root, "sigma", sigma.toFixed(1));

      var start = n - res.before, end = start + k - 1;
      var center = (start + end) / 2;
      var centers = out.map(function (_, m) { return m - res.before + (k - 1) / 2; });
      var lo = Math.min(-res.before, 0) - 1, hi = x.length - 1 + res.after + 1;
      var sx = scaler(lo, hi, PAD_L, W - PAD_R);

      // Input panel: padding band and hollow zeros, the signal, the window.
      var padded = x.slice();
      for (var e0 = -res.before; e0 < x.length + res.after; e0++) padded.push(extended(x, e0, boundary));
      var svg = panels.input, ext = extent(padded), sy = scaler(ext[0], ext[1], H - PAD_B, PAD_T);
      clear(svg);
      hatch(svg, hatchId);
      if (res.before > 0) {
        el("rect", { x: sx(-res.before - 0.5), y: PAD_T, width: sx(-0.5) - sx(-res.before - 0.5),
          height: H - PAD_T - PAD_B, "class": "cdx-band" }, svg);
      }
      if (res.after > 0) {
        el("rect", { x: sx(x.length - 0.5), y: PAD_T,
          width: sx(x.length - 0.5 + res.after) - sx(x.length - 0.5),
          height: H - PAD_T - PAD_B, "class": "cdx-band" }, svg);
      }
      var drawn = x.slice();
      for (var e = -res.before; e < x.length + res.after; e++) drawn.push(extended(x, e, boundary));
      axes(svg, sx, sy, lo, hi, "input x", drawn);
      var win = el("rect", { x: sx(start - 0.5), y: PAD_T, width: sx(end + 0.5) - sx(start - 0.5),
        height: H - PAD_T - PAD_B, "class": "cdx-window", fill: "url(#" + hatchId + ")" }, svg);
      win.setAttribute("data-start", String(start));
      var pts = x.map(function (v, i) { return sx(i) + "," + sy(v); }).join(" ");
      el("polyline", { points: pts, "class": "cdx-signal" }, svg);
      // Hollow markers: the cells the boundary rule added, at their values.
      for (var p = -res.before; p < x.length + res.after; p++) {
        if (p < 0 || p >= x.length) {
          el("circle", { cx: sx(p), cy: sy(extended(x, p, boundary)), r: 2.5, "class": "cdx-pad" }, svg);
        }
      }
      var values = [];
      for (var j = 0; j < k; j++) {
        var q = start + j, v = extended(x, q, boundary);
        values.push(v);
        el("rect", { x: sx(q) - 3, y: sy(v) - 3, width: 6, height: 6, "class": "cdx-under" }, svg);
      }
      el("line", { x1: sx(center), x2: sx(center), y1: PAD_T, y2: H - PAD_B, "class": "cdx-centre" }, svg);
      ticks(svg, sx, lo, hi);
      svg.setAttribute("data-window", start + "," + end);
      svg.setAttribute("data-signal", JSON.stringify(x));

      // Kernel panel: taps as applied at their input positions, and the products.
      svg = panels.kernel;
      clear(svg);
      var products = res.taps.map(function (t, i) { return t * values[i]; });
      ext = extent(res.taps.concat(products));
      sy = scaler(ext[0], ext[1], H - PAD_B, PAD_T);
      axes(svg, sx, sy, lo, hi, "taps h and products x\u00b7h", res.taps.concat(products));
      res.taps.forEach(function (t, i) {
        el("line", { x1: sx(start + i), x2: sx(start + i), y1: sy(0), y2: sy(t), "class": "cdx-stem" }, svg);
        el("circle", { cx: sx(start + i), cy: sy(t), r: 2.5, "class": "cdx-tap" }, svg);
        var px = sx(start + i), py = sy(products[i]);
        el("path", { d: "M" + (px - 3) + "," + (py - 3) + "l6,6m0,-6l-6,6", "class": "cdx-product" }, svg);
      });
      el("line", { x1: sx(center), x2: sx(center), y1: PAD_T, y2: H - PAD_B, "class": "cdx-centre" }, svg);
      ticks(svg, sx, lo, hi);
      svg.setAttribute("data-taps", JSON.stringify(res.taps));
      svg.setAttribute("data-values", JSON.stringify(values));
      svg.setAttribute("data-products", JSON.stringify(products));

      // Output panel: outputs so far, each under the centre of its window.
      svg = panels.output;
      clear(svg);
      ext = extent(out);
      sy = scaler(ext[0], ext[1], H - PAD_B, PAD_T);
      axes(svg, sx, sy, lo, hi, "output y", out);
      var done = [];
      for (var m = 0; m <= n; m++) done.push(sx(centers[m]) + "," + sy(out[m]));
      el("polyline", { points: done.join(" "), "class": "cdx-output" }, svg);
      el("circle", { cx: sx(center), cy: sy(out[n]), r: 4.5, "class": "cdx-current" }, svg);
      el("line", { x1: sx(center), x2: sx(center), y1: PAD_T, y2: H - PAD_B, "class": "cdx-centre" }, svg);
      ticks(svg, sx, lo, hi);
      svg.setAttribute("data-output", JSON.stringify(out));
      svg.setAttribute("data-partial-count", String(n + 1));
      svg.setAttribute("data-center", String(center));

      var text = (operation === "correlate" ? "correlation, " : "convolution, ") +
        mode + " output " + n + " = " + num(out[n]) + " covers inputs " + range(start, end) +
        ", centre " + num(center);
      var off = Math.max(0, -start) + Math.max(0, end - (x.length - 1));
      if (off > 0) {
        text += " (" + off + " tap" + (off > 1 ? "s" : "") + " on " +
          (boundary === "constant" ? "zero" : boundary) + " padding)";
      }
      caption.textContent = text;

      // Running sum: the products added tap by tap, ending at the output.
      svg = panels.sum;
      clear(svg);
      var partial = [], acc = 0;
      products.forEach(function (v) { acc += v; partial.push(acc); });
      ext = extent(partial.concat(products));
      sy = scaler(ext[0], ext[1], H - PAD_B, PAD_T);
      var st = scaler(-0.5, k - 0.5, PAD_L, W - PAD_R);
      axes(svg, st, sy, -0.5, k - 0.5, "running sum, tap by tap", partial.concat(products));
      var bar = Math.max(1, Math.min(14, (st(1) - st(0)) * 0.6)), stepPts = [];
      products.forEach(function (v, i) {
        el("rect", { x: st(i) - bar / 2, y: Math.min(sy(0), sy(v)), width: bar,
          height: Math.abs(sy(v) - sy(0)), "class": "cdx-productbar" }, svg);
        stepPts.push(st(i - 0.5) + "," + sy(i ? partial[i - 1] : 0), st(i + 0.5) + "," + sy(i ? partial[i - 1] : 0),
          st(i + 0.5) + "," + sy(partial[i]));
      });
      el("polyline", { points: stepPts.join(" "), "class": "cdx-partial" }, svg);
      el("line", { x1: PAD_L, x2: W - PAD_R, y1: sy(out[n]), y2: sy(out[n]), "class": "cdx-centre" }, svg);
      var endLabel = el("text", { x: W - PAD_R, y: sy(out[n]) + (sy(out[n]) < H / 2 ? 13 : -4),
        "class": "cdx-label cdx-end" }, svg);
      endLabel.textContent = "y[" + n + "] = " + num(out[n]);
      var tickStep = Math.max(1, Math.ceil(k / 10));
      for (var tj = 0; tj < k; tj += tickStep) {
        var tt = el("text", { x: st(tj), y: H - 3, "class": "cdx-tick" }, svg);
        tt.textContent = String(tj);
      }
      svg.setAttribute("data-partial-sums", JSON.stringify(partial));

      // The products as numbers: all of them for a short kernel, else the largest.
      // Tap j of the window is h[m] with m = K - 1 - j for a convolution (flipped), m = j else.
      var rowsData = products.map(function (v, j) {
        return [start + j, values[j], operation === "correlate" ? j : k - 1 - j, res.taps[j], v, partial[j]];
      });
      table.setAttribute("data-rows", JSON.stringify(rowsData));
      clear(table);
      var head = document.createElement("p");
      if (k <= 11) {
        var tbl = document.createElement("table"), tr = document.createElement("tr");
        ["input i", "x[i]", "tap m", "h[m]", "x[i]\u00b7h[m]", "running sum"].forEach(function (h) {
          var th = document.createElement("th");
          th.textContent = h;
          th.setAttribute("scope", "col");
          tr.appendChild(th);
        });
        tbl.appendChild(tr);
        rowsData.forEach(function (row) {
          tr = document.createElement("tr");
          row.forEach(function (v) {
            var td = document.createElement("td");
            td.textContent = num(v);
            tr.appendChild(td);
          });
          tbl.appendChild(tr);
        });
        head.textContent = "Output " + n + ", the products tap by tap (sum " + num(out[n]) + "):";
        table.appendChild(head);
        table.appendChild(tbl);
      } else {
        var order = rowsData.slice().sort(function (p, q) { return Math.abs(q[4]) - Math.abs(p[4]); }).slice(0, 5);
        head.textContent = "Output " + n + " = " + num(out[n]) + ", the sum of " + k + " products; the largest:";
        table.appendChild(head);
        var list = document.createElement("ul");
        order.forEach(function (row) {
          var li = document.createElement("li");
          li.textContent = "x[" + row[0] + "]\u00b7h[" + row[2] + "] = " + num(row[1]) + "\u00b7" + num(row[3]) +
            " = " + num(row[4]);
          li.setAttribute("data-input", String(row[0]));
          list.appendChild(li);
        });
        table.appendChild(list);
      }
      root.setAttribute("data-step", String(n));
      root.setAttribute("data-operation", operation);
      root.setAttribute("data-boundary", boundary);
      root.setAttribute("data-mode", mode);
    }

    ["signal", "kernel", "operation", "mode", "boundary", "size", "sigma", "step"].forEach(function (name) {
      control(root, name).addEventListener("input", redraw);
      control(root, name).addEventListener("change", redraw);
    });
    legendKeys(root, hatchId);
    wirePlayback(root, redraw, false);
    onResize(root, redraw);
    wireDownload(root, "convolution-1d");
    redraw();
  }

  /* ---- 2-D explorer -------------------------------------------------------------------- */

  // Geometry of the grid the kernel slides over, as convdoc.steps lays it out. The
  // sliders describe the direct convolution (N, K, p, s, d); the transposed one
  // takes that convolution's output size back, with output padding a.
  function geometry2d(n, k, p, s, d, transposed, a) {
    var span = d * (k - 1) + 1;
    var direct = Math.floor((n + 2 * p - span) / s) + 1;
    if (!transposed) {
      return { grid: n + 2 * p, before: p, upsample: 1, stride: s, zlen: n, inSize: n,
        out: direct, span: span, direct: direct, transposed: false };
    }
    if (direct < 1) {
      return { grid: 0, before: 0, upsample: s, stride: 1, zlen: 0, inSize: 0, out: 0,
        span: span, direct: direct, transposed: true };
    }
    // Zeros inserted between samples, border d(K - 1) - p (negative crops), a more
    // cells after, then a stride-1 correlation with the kernel turned 180 degrees.
    var z = (direct - 1) * s + 1, before = d * (k - 1) - p, gt = z + 2 * before + (a || 0);
    return { grid: gt, before: before, upsample: s, stride: 1, zlen: z, inSize: direct,
      out: gt - span + 1, span: span, direct: direct, transposed: true };
  }

  // Input index that fills grid position g along one axis (-1: a zero), as
  // torch's padding modes (numpy.pad's constant, reflect, edge, wrap) do.
  function source2d(geo, g, mode) {
    var i = g - geo.before, n = geo.zlen, period, m;
    if (geo.transposed) return i < 0 || i >= n || i % geo.upsample !== 0 ? -1 : i / geo.upsample;
    if (i >= 0 && i < n) return i;
    if (mode === "zeros") return -1;
    if (mode === "replicate" || n === 1) return i < 0 ? 0 : n - 1;
    if (mode === "circular") return ((i % n) + n) % n;
    period = 2 * n - 2;
    m = ((i % period) + period) % period;
    return m < n ? m : period - m;
  }

  function cellKind(geo, g) {
    var c = g - geo.before;
    if (c < 0 || c >= geo.zlen) return "pad";
    return c % geo.upsample === 0 ? "real" : "inserted";
  }

  var SUB = "\u2080\u2081\u2082\u2083";

  function formula(n, k, p, s, d, geo, a) {
    var direct = "N_out = \u230a(N + 2p \u2212 d(K \u2212 1) \u2212 1)/s\u230b + 1 = \u230a(" + n +
      " + 2\u00b7" + p + " \u2212 " + d + "\u00b7(" + k + " \u2212 1) \u2212 1)/" + s + "\u230b + 1 = " + geo.direct;
    if (!geo.transposed) return direct;
    return direct + "; transposed back: (N_out − 1)s \u2212 2p + d(K \u2212 1) + a + 1 = (" +
      geo.direct + " \u2212 1)\u00b7" + s + " \u2212 2\u00b7" + p + " + " + d + "\u00b7(" + k + " \u2212 1) + " + a +
      " + 1 = " + geo.out;
  }

  function cellText(v) {
    if (Number.isInteger(v)) return num(v);
    var s = Math.abs(v) >= 10 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2);
    s = s.replace(/^(-?)0\./, "$1.");
    return s.charAt(0) === "-" ? "\u2212" + s.slice(1) : s;
  }

  function term(v, w) {
    var b = num(w);
    return num(v) + "\u00b7" + (w < 0 ? "(" + b + ")" : b);
  }

  // Small deterministic generator for the "random" presets (mulberry32).
  function prng(seed) {
    var t = seed >>> 0;
    return function () {
      t = (t + 0x6d2b79f5) >>> 0;
      var r = Math.imul(t ^ (t >>> 15), 1 | t);
      r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
      return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
    };
  }

  function init2d(root, data) {
    var svg = root.querySelector('[data-panel="grid"]');
    var caption = root.querySelector('[data-role="caption"]');
    var formulaBox = root.querySelector('[data-role="formula"]');
    var arith = root.querySelector('[data-role="arithmetic"]');
    var editor = control(root, "cell");
    var editorLabel = root.querySelector('[data-role="cell-label"]');
    var hatchId = root.id + "-hatch";
    var inputs = JSON.parse(JSON.stringify(data.inputs));
    var weights = JSON.parse(JSON.stringify(data.weights));
    var random = prng(data.seed * 7919 + 17);
    var selected = null;  // ["in", c, i, j] or ["w", o, c, u, v]
    var layout = null;  // sizes of the grids drawn last, for the keyboard

    function settings() {
      var st = { n: intValue(root, "input"), k: intValue(root, "ksize"), p: intValue(root, "padding"),
        s: intValue(root, "stride"), d: intValue(root, "dilation"), mode: control(root, "padmode").value,
        transposed: control(root, "transposed").checked,
        cin: intValue(root, "cin"), cout: intValue(root, "cout") };
      var op = control(root, "outpad"), top = Math.max(st.s, st.d) - 1;
      op.max = String(top);
      if (parseInt(op.value, 10) > top) op.value = String(top);
      op.disabled = !st.transposed || top === 0;
      st.a = st.transposed ? parseInt(op.value, 10) : 0;
      control(root, "padmode").disabled = st.transposed;
      root.querySelector('[data-bias-field="1"]').hidden = st.cout < 2;
      st.bias = [0, 1].map(function (o) {
        var v = parseFloat(control(root, "bias" + o).value);
        return isFinite(v) ? v : 0;
      });
      ["input", "ksize", "padding", "stride", "dilation", "outpad"].forEach(function (name) {
        showValue(root, name, control(root, name).value);
      });
      return st;
    }

    function compute(st, geo) {
      var m = geo.inSize, k = st.k, c, o, r, q, u, v, i, j;
      var x = [], W = [], taps = [], grid = [], out = [];
      var src = [];
      for (q = 0; q < geo.grid; q++) src.push(source2d(geo, q, st.mode));
      for (c = 0; c < st.cin; c++) {
        x.push(inputs[c].slice(0, m).map(function (row) { return row.slice(0, m); }));
        var g = [];
        for (r = 0; r < geo.grid; r++) {
          var row = [];
          for (q = 0; q < geo.grid; q++) row.push(src[r] < 0 || src[q] < 0 ? 0 : x[c][src[r]][src[q]]);
          g.push(row);
        }
        grid.push(g);
      }
      for (o = 0; o < st.cout; o++) {
        W.push([]);
        taps.push([]);
        for (c = 0; c < st.cin; c++) {
          var w = weights[o][c].slice(0, k).map(function (row) { return row.slice(0, k); });
          W[o].push(w);
          taps[o].push(w.map(function (row, a) {
            return row.map(function (_, b) { return st.transposed ? w[k - 1 - a][k - 1 - b] : w[a][b]; });
          }));
        }
      }
      for (o = 0; o < st.cout; o++) {
        var plane = [];
        for (i = 0; i < geo.out; i++) {
          var line = [];
          for (j = 0; j < geo.out; j++) {
            var acc = 0;
            for (c = 0; c < st.cin; c++) {
              for (u = 0; u < k; u++) {
                for (v = 0; v < k; v++) {
                  acc += grid[c][i * geo.stride + st.d * u][j * geo.stride + st.d * v] * taps[o][c][u][v];
                }
              }
            }
            line.push(acc + st.bias[o]);
          }
          plane.push(line);
        }
        out.push(plane);
      }
      return { x: x, W: W, taps: taps, grid: grid, src: src, out: out };
    }

    function label(x, y, text) {
      var t = el("text", { x: x, y: y, "class": "cdx-label" }, svg);
      t.textContent = text;
    }

    function numberAt(x, y, cs, value, cls, attrs) {
      var t = el("text", { x: x + cs / 2, y: y + cs / 2, "class": "cdx-num " + (cls || ""),
        "font-size": Math.max(10, Math.min(13, Math.round(cs * 0.42))) }, svg);
      for (var key in attrs || {}) if (Object.prototype.hasOwnProperty.call(attrs, key)) t.setAttribute(key, attrs[key]);
      t.textContent = cellText(value);
      return t;
    }

    function redraw() {
      var st = settings(), k = st.k;
      var geo = geometry2d(st.n, k, st.p, st.s, st.d, st.transposed, st.a);
      var stepInput = control(root, "step");
      clear(svg);
      hatch(svg, hatchId);
      formulaBox.textContent = formula(st.n, k, st.p, st.s, st.d, geo, st.a);
      if (geo.direct < 1 || geo.out < 1) {
        caption.textContent = "No output: the dilated kernel (span " + geo.span +
          ") does not fit in the " + Math.max(st.n + 2 * st.p, 0) + "-cell padded input.";
        arith.textContent = "";
        root.setAttribute("data-output-size", "0");
        svg.setAttribute("data-window-rows", "");
        svg.setAttribute("data-window-cols", "");
        svg.setAttribute("width", "0");
        svg.setAttribute("height", "0");
        stepInput.max = "0";
        stepInput.disabled = true;
        showValue(root, "step", "\u2013");
        return;
      }
      var res = compute(st, geo);
      layout = { m: geo.inSize, k: k, cin: st.cin, transposed: st.transposed, oc: 0 };
      stepInput.disabled = false;
      var plane = geo.out * geo.out, total = st.cout * plane;
      stepInput.max = String(total - 1);
      var step = Math.min(intValue(root, "step"), total - 1);
      stepInput.value = String(step);
      var oc = Math.floor(step / plane), oi = Math.floor((step % plane) / geo.out), oj = step % geo.out;
      var yName = st.cout > 1 ? "y" + SUB.charAt(oc) : "y";
      layout.oc = oc;
      stepInput.setAttribute("aria-valuetext", (st.cout > 1 ? "channel " + oc + ", " : "") + "output (" +
        oi + ", " + oj + ") of " + geo.out + "\u00d7" + geo.out);
      showValue(root, "step", String(step));
      var rows = [], cols = [], a, b;
      for (a = 0; a < k; a++) {
        rows.push(oi * geo.stride + st.d * a);
        cols.push(oj * geo.stride + st.d * a);
      }

      // Layout: inputs (one row per channel) | kernels of the current output channel | outputs;
      // on a narrow screen the outputs go below. Cell size follows the available width.
      var avail = Math.max(280, (root.clientWidth || 640) - 28), gap = 26, lab = 16;
      var G = geo.grid, O = geo.out, cs = Math.floor((avail - 2 * gap - 4) / (G + k + O));
      // Phones stack the outputs under the inputs, with larger cells.
      var wide = cs >= 20 && avail >= 520;
      if (!wide) cs = Math.floor((avail - gap - 4) / Math.max(G + k, O));
      cs = Math.max(10, Math.min(wide ? 34 : 40, cs));
      var showNums = cs >= 16;
      var xIn = 2, xK = xIn + G * cs + gap, xOut = wide ? xK + k * cs + gap : 2;
      var rowH = Math.max(G, k) * cs + lab + 8;
      var yOut0 = wide ? 0 : st.cin * rowH + 6;
      var width = wide ? xOut + O * cs + 4 : Math.max(xK + k * cs, O * cs) + 4;
      var height = Math.max(st.cin * rowH, yOut0 + st.cout * (O * cs + lab + 8));
      svg.setAttribute("viewBox", "0 0 " + width + " " + height);
      svg.setAttribute("width", String(width));
      svg.setAttribute("height", String(height));
      svg.setAttribute("data-cell-size", String(cs));
      var c, r, q;
      for (c = 0; c < st.cin; c++) {
        var y0 = c * rowH + lab;
        label(xIn, y0 - 4, (st.transposed ? "input " : "input ") + (st.cin > 1 ? "channel " + c + " " : "") +
          geo.inSize + "\u00d7" + geo.inSize + (st.transposed ? ", zeros inserted" : st.p ? ", padded" : ""));
        for (r = 0; r < G; r++) {
          for (q = 0; q < G; q++) {
            var kr = cellKind(geo, r), kq = cellKind(geo, q);
            var kind = kr === "pad" || kq === "pad" ? "pad" : kr === "real" && kq === "real" ? "real" : "inserted";
            var rect = el("rect", { x: xIn + q * cs, y: y0 + r * cs, width: cs, height: cs,
              "class": "cdx-cell cdx-" + kind }, svg);
            if (kind === "real") {
              var ii = res.src[r], jj = res.src[q];
              rect.setAttribute("data-cell", "in," + c + "," + ii + "," + jj);
              if (selected && selected[0] === "in" && selected[1] === c && selected[2] === ii && selected[3] === jj) {
                rect.setAttribute("class", rect.getAttribute("class") + " cdx-selected");
              }
            }
            if (showNums) numberAt(xIn + q * cs, y0 + r * cs, cs, res.grid[c][r][q], kind === "real" ? "" : "cdx-fill");
          }
        }
        for (a = 0; a < k; a++) {
          for (b = 0; b < k; b++) {
            el("rect", { x: xIn + cols[b] * cs, y: y0 + rows[a] * cs, width: cs, height: cs,
              "class": "cdx-tapcell", fill: "url(#" + hatchId + ")" }, svg);
          }
        }
        el("rect", { x: xIn + cols[0] * cs, y: y0 + rows[0] * cs, width: (cols[k - 1] - cols[0] + 1) * cs,
          height: (rows[k - 1] - rows[0] + 1) * cs, "class": "cdx-outline" }, svg);
        // Kernel W[o, c] as applied (turned 180 degrees in transposed mode).
        label(xK, y0 - 4, "W[" + oc + ", " + c + "]" + (st.transposed ? " turned 180\u00b0" : ""));
        for (a = 0; a < k; a++) {
          for (b = 0; b < k; b++) {
            var su = st.transposed ? k - 1 - a : a, sv = st.transposed ? k - 1 - b : b;
            var kr2 = el("rect", { x: xK + b * cs, y: y0 + a * cs, width: cs, height: cs,
              "class": "cdx-cell cdx-weight", "data-cell": "w," + oc + "," + c + "," + su + "," + sv }, svg);
            if (selected && selected[0] === "w" && selected[1] === oc && selected[2] === c &&
                selected[3] === su && selected[4] === sv) kr2.setAttribute("class", "cdx-cell cdx-weight cdx-selected");
            if (showNums) numberAt(xK + b * cs, y0 + a * cs, cs, res.taps[oc][c][a][b], "", { "data-tap": oc + "," + c + "," + a + "," + b });
          }
        }
      }
      for (var o = 0; o < st.cout; o++) {
        var yo = yOut0 + o * (O * cs + lab + 8) + lab;
        label(xOut, yo - 4, (st.cout > 1 ? "y" + SUB.charAt(o) : "y") + ", " + O + "\u00d7" + O +
          (st.bias[o] ? ", bias " + num(st.bias[o]) : ""));
        for (r = 0; r < O; r++) {
          for (q = 0; q < O; q++) {
            var done = o * plane + r * O + q <= step;
            el("rect", { x: xOut + q * cs, y: yo + r * cs, width: cs, height: cs,
              "class": "cdx-cell " + (done ? "cdx-done" : "cdx-todo") }, svg);
            if (done && showNums) numberAt(xOut + q * cs, yo + r * cs, cs, res.out[o][r][q], "", { "data-out": o + "," + r + "," + q });
          }
        }
        if (o === oc) {
          el("rect", { x: xOut + oj * cs, y: yo + oi * cs, width: cs, height: cs, "class": "cdx-outline cdx-now" }, svg);
        }
      }

      // The current output's arithmetic, channel by channel.
      var terms = [], lines = [], sums = [];
      for (c = 0; c < st.cin; c++) {
        var pairs = [], parts = [], sum = 0;
        for (a = 0; a < k; a++) {
          for (b = 0; b < k; b++) {
            var v = res.grid[c][rows[a]][cols[b]], w = res.taps[oc][c][a][b];
            pairs.push([v, w]);
            parts.push(term(v, w));
            sum += v * w;
          }
        }
        terms.push(pairs);
        sums.push(sum);
        lines.push((st.cin > 1 ? "channel " + c + ": " : yName + "[" + oi + ", " + oj + "] = ") +
          parts.join(" + ") + (st.cin > 1 || st.bias[oc] ? " = " + num(sum) : ""));
      }
      var value = res.out[oc][oi][oj];
      if (st.cin > 1 || st.bias[oc]) {
        var tail = sums.map(function (v, i) { return i && v < 0 ? "(" + num(v) + ")" : num(v); });
        if (st.bias[oc]) tail.push((st.bias[oc] < 0 ? "(" + num(st.bias[oc]) + ")" : num(st.bias[oc])) + " (bias)");
        lines.push(yName + "[" + oi + ", " + oj + "] = " + tail.join(" + ") + " = " + num(value));
      } else {
        lines[0] += " = " + num(value);
      }
      clear(arith);
      lines.forEach(function (line) {
        var p = document.createElement("p");
        p.textContent = line;
        arith.appendChild(p);
      });
      arith.setAttribute("data-terms", JSON.stringify(terms));
      arith.setAttribute("data-sum", String(value));

      var inRows = rows.map(function (v) { return v - geo.before; });
      var inCols = cols.map(function (v) { return v - geo.before; });
      svg.setAttribute("data-window-rows", rows.join(","));
      svg.setAttribute("data-window-cols", cols.join(","));
      svg.setAttribute("data-input-rows", inRows.join(","));
      svg.setAttribute("data-input-cols", inCols.join(","));
      svg.setAttribute("data-grid-size", String(geo.grid));
      root.setAttribute("data-output-size", String(geo.out));
      root.setAttribute("data-step", String(step));
      root.setAttribute("data-output", JSON.stringify(res.out));
      root.setAttribute("data-inputs", JSON.stringify(res.x));
      root.setAttribute("data-weights", JSON.stringify(res.W));
      root.setAttribute("data-bias", JSON.stringify(st.bias.slice(0, st.cout)));
      var by = st.d > 1 ? " in steps of " + st.d : "";
      var text = (st.transposed ? "transposed: " + geo.inSize + "\u00d7" + geo.inSize + " \u2192 " + O + "\u00d7" + O +
        " (the direct convolution maps " + st.n + "\u00d7" + st.n + " \u2192 " + geo.inSize + "\u00d7" + geo.inSize + "); " : "") +
        (st.cout > 1 ? "channel " + oc + ", " : "") + "output (" + oi + ", " + oj + ") of " + O + "\u00d7" + O +
        " covers rows " + range(inRows[0], inRows[k - 1]) + by + ", cols " + range(inCols[0], inCols[k - 1]) + by +
        (st.transposed ? " of the zero-inserted input" : " of the input");
      if (st.transposed && O !== st.n) {
        var need = (st.n + 2 * st.p - geo.span) % st.s;
        text += need < Math.max(st.s, st.d) && need !== st.a
          ? ". Output padding a = " + need + " gives back " + st.n + "\u00d7" + st.n
          : "";
      }
      caption.textContent = text;
    }

    function select(cell) {
      selected = cell;
      editor.disabled = false;
      if (cell[0] === "in") {
        editorLabel.textContent = "Input channel " + cell[1] + ", row " + cell[2] + ", col " + cell[3];
        editor.value = String(inputs[cell[1]][cell[2]][cell[3]]);
      } else {
        editorLabel.textContent = "Weight W[" + cell[1] + ", " + cell[2] + "] row " + cell[3] + ", col " + cell[4];
        editor.value = String(weights[cell[1]][cell[2]][cell[3]][cell[4]]);
      }
      redraw();
    }

    svg.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("[data-cell]") : null;
      if (!target) return;
      var parts = target.getAttribute("data-cell").split(",");
      select([parts[0]].concat(parts.slice(1).map(Number)));
      editor.focus();
    });
    // Keyboard: arrows move the cell being edited (right of an input grid is its kernel),
    // Enter goes to the value field.
    svg.setAttribute("tabindex", "0");
    svg.addEventListener("keydown", function (event) {
      var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      if (event.key === "Enter" && selected) { event.preventDefault(); editor.focus(); return; }
      var mv = moves[event.key], g = layout;
      if (!mv || !g) return;
      event.preventDefault();
      if (!selected) { select(["in", 0, 0, 0]); return; }
      var onKernel = selected[0] === "w", c = onKernel ? selected[2] : selected[1];
      var flip = onKernel && g.transposed;
      var a = onKernel ? (flip ? g.k - 1 - selected[3] : selected[3]) : selected[2];
      var b = onKernel ? (flip ? g.k - 1 - selected[4] : selected[4]) : selected[3];
      var side = onKernel ? g.k : g.m;
      a += mv[0];
      b += mv[1];
      if (a < 0) { if (c > 0) { c -= 1; a = (onKernel ? g.k : g.m) - 1; } else a = 0; }
      if (a >= side) { if (c < g.cin - 1) { c += 1; a = 0; } else a = side - 1; }
      if (b >= side && !onKernel) { onKernel = true; b = 0; a = Math.min(a, g.k - 1); }
      else if (b < 0 && onKernel) { onKernel = false; b = g.m - 1; a = Math.min(a, g.m - 1); }
      b = Math.max(0, Math.min(b, (onKernel ? g.k : g.m) - 1));
      if (onKernel) {
        select(["w", g.oc, c, g.transposed ? g.k - 1 - a : a, g.transposed ? g.k - 1 - b : b]);
      } else select(["in", c, a, b]);
    });
    editor.addEventListener("input", function () {
      var v = parseFloat(editor.value);
      if (!selected || !isFinite(v)) return;
      if (selected[0] === "in") inputs[selected[1]][selected[2]][selected[3]] = v;
      else {
        weights[selected[1]][selected[2]][selected[3]][selected[4]] = v;
        control(root, "preset").value = "custom";
      }
      redraw();
    });
    control(root, "preset").addEventListener("change", function () {
      var name = control(root, "preset").value, o, c, u, v;
      if (name === "custom") return;
      var preset = data.presets[name];
      if (preset) {
        control(root, "ksize").value = String(preset.length);
      }
      for (o = 0; o < weights.length; o++) {
        for (c = 0; c < weights[o].length; c++) {
          for (u = 0; u < weights[o][c].length; u++) {
            for (v = 0; v < weights[o][c][u].length; v++) {
              weights[o][c][u][v] = preset ? (u < preset.length && v < preset.length ? preset[u][v] : 0)
                : Math.floor(random() * 5) - 2;
            }
          }
        }
      }
      redraw();
    });
    root.querySelector('[data-action="random-input"]').addEventListener("click", function () {
      inputs.forEach(function (plane) {
        plane.forEach(function (row) {
          for (var j = 0; j < row.length; j++) row[j] = Math.floor(random() * 5);
        });
      });
      redraw();
    });

    ["input", "ksize", "padding", "stride", "dilation", "padmode", "transposed", "outpad", "cin", "cout",
      "bias0", "bias1", "step"].forEach(function (name) {
      control(root, name).addEventListener("input", redraw);
      control(root, name).addEventListener("change", redraw);
    });
    wirePlayback(root, redraw, data.autoplay);
    wireDownload(root, "convolution-2d");
    onResize(root, redraw);
    redraw();
  }

  /* ---- start-up (lazystart.js) ---------------------------------------------------- */

  var initAll = window.convdocLazyStart(
    function (kind) { return kind === "1d" || kind === "2d"; },  // the playground has its own script
    function (root, data) {
      if (data.kind === "1d") init1d(root, data);
      else init2d(root, data);
    });
  window.convdocExplorer = { initAll: initAll, convolve1d: convolve1d, filter1d: filter1d, gaussianKernel: gaussianKernel,
    rampKernel: rampKernel,
    geometry2d: geometry2d };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
