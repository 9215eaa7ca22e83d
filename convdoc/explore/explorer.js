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

  function wirePlayback(root, redraw) {
    var step = control(root, "step");
    var timer = null;
    var play = root.querySelector('[data-action="play"]');
    function advance(delta) {
      var max = parseInt(step.max, 10), v = parseInt(step.value, 10) + delta;
      if (v > max) v = 0;
      if (v < 0) v = max;
      step.value = String(v);
      redraw();
    }
    root.querySelector('[data-action="prev"]').addEventListener("click", function () { advance(-1); });
    root.querySelector('[data-action="next"]').addEventListener("click", function () { advance(1); });
    play.addEventListener("click", function () {
      if (timer) {
        clearInterval(timer);
        timer = null;
      } else {
        timer = setInterval(function () { advance(1); }, 120);
      }
      play.setAttribute("aria-pressed", timer ? "true" : "false");
      play.textContent = timer ? "Pause" : "Play";
      // A caption announced eight times a second would drown a screen reader.
      var caption = root.querySelector('[data-role="caption"]');
      if (caption) caption.setAttribute("aria-live", timer ? "off" : "polite");
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

  var W = 640, H = 130, PAD_L = 44, PAD_R = 10, PAD_T = 10, PAD_B = 18;

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

  function axes(svg, sx, sy, lo, hi, label) {
    el("line", { x1: sx(lo), x2: sx(hi), y1: sy(0), y2: sy(0), "class": "cdx-axis" }, svg);
    var t = el("text", { x: 4, y: PAD_T + 10, "class": "cdx-label" }, svg);
    t.textContent = label;
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
      output: root.querySelector('[data-panel="output"]')
    };
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
      var svg = panels.input, ext = extent(x), sy = scaler(ext[0], ext[1], H - PAD_B, PAD_T);
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
      axes(svg, sx, sy, lo, hi, "input");
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
      axes(svg, sx, sy, lo, hi, "kernel");
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
      axes(svg, sx, sy, lo, hi, "output");
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
      root.setAttribute("data-step", String(n));
      root.setAttribute("data-operation", operation);
      root.setAttribute("data-boundary", boundary);
      root.setAttribute("data-mode", mode);
    }

    ["signal", "kernel", "operation", "mode", "boundary", "size", "sigma", "step"].forEach(function (name) {
      control(root, name).addEventListener("input", redraw);
      control(root, name).addEventListener("change", redraw);
    });
    wirePlayback(root, redraw);
    wireDownload(root, "convolution-1d");
    redraw();
  }

  /* ---- 2-D explorer -------------------------------------------------------------------- */

  // Geometry of the grid the kernel slides over, as convdoc.steps lays it out.
  function geometry2d(n, k, p, s, d, transposed) {
    var span = d * (k - 1) + 1;
    if (!transposed) {
      var g = n + 2 * p;
      return { grid: g, before: p, upsample: 1, stride: s, zlen: n,
        out: Math.floor((g - span) / s) + 1, span: span };
    }
    // Transposed: zeros inserted between samples, border d(k-1) - p (negative crops),
    // then a stride-1 direct convolution with the flipped kernel.
    var z = (n - 1) * s + 1, before = d * (k - 1) - p, gt = z + 2 * before;
    return { grid: gt, before: before, upsample: s, stride: 1, zlen: z, out: gt - span + 1, span: span };
  }

  function cellKind(geo, g) {
    var c = g - geo.before;
    if (c < 0 || c >= geo.zlen) return "pad";
    return c % geo.upsample === 0 ? "real" : "inserted";
  }

  function formula(n, k, p, s, d, transposed, out) {
    if (transposed) {
      return "o = (n \u2212 1)\u00b7s \u2212 2p + d\u00b7(k \u2212 1) + 1 = (" + n + " \u2212 1)\u00b7" + s +
        " \u2212 2\u00b7" + p + " + " + d + "\u00b7(" + k + " \u2212 1) + 1 = " + out;
    }
    return "o = \u230a(n + 2p \u2212 d\u00b7(k \u2212 1) \u2212 1) / s\u230b + 1 = \u230a(" + n + " + 2\u00b7" + p +
      " \u2212 " + d + "\u00b7(" + k + " \u2212 1) \u2212 1) / " + s + "\u230b + 1 = " + out;
  }

  function init2d(root) {
    var svg = root.querySelector('[data-panel="grid"]');
    var caption = root.querySelector('[data-role="caption"]');
    var formulaBox = root.querySelector('[data-role="formula"]');
    var hatchId = root.id + "-hatch";

    function redraw() {
      var n = intValue(root, "input"), k = intValue(root, "ksize"), p = intValue(root, "padding");
      var s = intValue(root, "stride"), d = intValue(root, "dilation");
      var transposed = control(root, "transposed").checked;
      ["input", "ksize", "padding", "stride", "dilation"].forEach(function (name) {
        showValue(root, name, control(root, name).value);
      });
      var geo = geometry2d(n, k, p, s, d, transposed);
      var stepInput = control(root, "step");
      clear(svg);
      hatch(svg, hatchId);
      formulaBox.textContent = formula(n, k, p, s, d, transposed, geo.out);
      if (geo.out < 1 || geo.grid < 1) {
        caption.textContent = "No output: the dilated kernel (span " + geo.span +
          ") does not fit in the " + Math.max(geo.grid, 0) + "-cell grid.";
        root.setAttribute("data-output-size", "0");
        svg.setAttribute("data-window-rows", "");
        svg.setAttribute("data-window-cols", "");
        stepInput.max = "0";
        stepInput.disabled = true;
        showValue(root, "step", "\u2013");
        return;
      }
      stepInput.disabled = false;
      var total = geo.out * geo.out;
      stepInput.max = String(total - 1);
      var step = Math.min(intValue(root, "step"), total - 1);
      stepInput.value = String(step);
      stepInput.setAttribute("aria-valuetext", "output (" + Math.floor(step / geo.out) + ", " +
        step % geo.out + ") of " + geo.out + "\u00d7" + geo.out);
      showValue(root, "step", String(step));
      var oi = Math.floor(step / geo.out), oj = step % geo.out;
      var rows = [], cols = [];
      for (var a = 0; a < k; a++) {
        rows.push(oi * geo.stride + d * a);
        cols.push(oj * geo.stride + d * a);
      }

      var cell = Math.max(10, Math.min(30, Math.floor(300 / Math.max(geo.grid, geo.out))));
      var gap = 40, width = (geo.grid + geo.out) * cell + gap + 4, height = Math.max(geo.grid, geo.out) * cell + 4;
      svg.setAttribute("viewBox", "0 0 " + width + " " + height);
      svg.setAttribute("width", String(width));
      svg.setAttribute("height", String(height));
      var r, c;
      for (r = 0; r < geo.grid; r++) {
        for (c = 0; c < geo.grid; c++) {
          var kr = cellKind(geo, r), kc = cellKind(geo, c);
          var kind = kr === "pad" || kc === "pad" ? "pad" : kr === "real" && kc === "real" ? "real" : "inserted";
          el("rect", { x: 2 + c * cell, y: 2 + r * cell, width: cell, height: cell, "class": "cdx-cell cdx-" + kind }, svg);
        }
      }
      for (a = 0; a < k; a++) {
        for (var b = 0; b < k; b++) {
          el("rect", { x: 2 + cols[b] * cell, y: 2 + rows[a] * cell, width: cell, height: cell,
            "class": "cdx-tapcell", fill: "url(#" + hatchId + ")" }, svg);
        }
      }
      el("rect", { x: 2 + cols[0] * cell, y: 2 + rows[0] * cell, width: (cols[k - 1] - cols[0] + 1) * cell,
        height: (rows[k - 1] - rows[0] + 1) * cell, "class": "cdx-outline" }, svg);
      var ox = 2 + geo.grid * cell + gap;
      for (r = 0; r < geo.out; r++) {
        for (c = 0; c < geo.out; c++) {
          el("rect", { x: ox + c * cell, y: 2 + r * cell, width: cell, height: cell,
            "class": "cdx-cell " + (r * geo.out + c <= step ? "cdx-done" : "cdx-todo") }, svg);
        }
      }
      el("rect", { x: ox + oj * cell, y: 2 + oi * cell, width: cell, height: cell, "class": "cdx-outline cdx-now" }, svg);
      var arrow = el("text", { x: ox - gap / 2, y: 2 + Math.min(geo.grid, geo.out) * cell / 2, "class": "cdx-arrow" }, svg);
      arrow.textContent = "\u2192";

      var inRows = rows.map(function (v) { return v - geo.before; });
      var inCols = cols.map(function (v) { return v - geo.before; });
      svg.setAttribute("data-window-rows", rows.join(","));
      svg.setAttribute("data-window-cols", cols.join(","));
      svg.setAttribute("data-input-rows", inRows.join(","));
      svg.setAttribute("data-input-cols", inCols.join(","));
      svg.setAttribute("data-grid-size", String(geo.grid));
      root.setAttribute("data-output-size", String(geo.out));
      root.setAttribute("data-step", String(step));
      caption.textContent = (transposed ? "transposed: " : "") + "output (" + oi + ", " + oj + ") of " +
        geo.out + "\u00d7" + geo.out + " covers rows " + range(inRows[0], inRows[k - 1]) + ", cols " +
        range(inCols[0], inCols[k - 1]) + (transposed ? " of the zero-inserted input" : " of the input");
    }

    ["input", "ksize", "padding", "stride", "dilation", "transposed", "step"].forEach(function (name) {
      control(root, name).addEventListener("input", redraw);
      control(root, name).addEventListener("change", redraw);
    });
    wirePlayback(root, redraw);
    wireDownload(root, "convolution-2d");
    redraw();
  }

  /* ---- start-up -------------------------------------------------------------------- */

  function initAll() {
    var roots = document.querySelectorAll(".convdoc-explorer:not([data-ready])");
    Array.prototype.forEach.call(roots, function (root) {
      root.setAttribute("data-ready", "true");
      var script = root.querySelector('script[type="application/json"]');
      var data = JSON.parse(script.textContent);
      if (data.kind === "1d") init1d(root, data);
      else init2d(root, data);
    });
  }

  window.convdocExplorer = { initAll: initAll, convolve1d: convolve1d, filter1d: filter1d, gaussianKernel: gaussianKernel,
    rampKernel: rampKernel,
    geometry2d: geometry2d };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
