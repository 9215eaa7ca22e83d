/* convdoc image playground: a photograph through a kernel the reader edits.
 *
 * Shipped inline with each playground's HTML; defined once per page. The
 * filter is convdoc.correlate / convdoc.convolve in "same" mode over
 * Float64Array planes (pixel values 0..255), with numpy.pad's boundary rules
 * as index maps, so a 256x256 RGB image with a 5x5 kernel is a few million
 * multiply-adds. No library, no network; the JPEG is a data: URL.
 */
(function () {
  "use strict";
  if (window.convdocPlayground) {
    window.convdocPlayground.initAll();
    return;
  }

  function num(v) {
    if (Number.isInteger(v)) return v < 0 ? "\u2212" + -v : String(v);
    var s = Number(v.toPrecision(4)).toString();
    return s.charAt(0) === "-" ? "\u2212" + s.slice(1) : s;
  }

  function factor(v) {
    return v < 0 ? "(" + num(v) + ")" : num(v);
  }

  // Source index of extended position i (numpy.pad modes; -1: a zero).
  function sourceIndex(i, n, boundary) {
    if (i >= 0 && i < n) return i;
    if (boundary === "constant") return -1;
    if (boundary === "edge" || n === 1) return i < 0 ? 0 : n - 1;
    if (boundary === "wrap") return ((i % n) + n) % n;
    var period = boundary === "symmetric" ? 2 * n : 2 * n - 2;
    var m = ((i % period) + period) % period;
    if (m < n) return m;
    return boundary === "symmetric" ? period - 1 - m : period - m;
  }

  function indexMap(n, half, boundary) {
    var map = new Int32Array(n + 2 * half);
    for (var i = 0; i < map.length; i++) map[i] = sourceIndex(i - half, n, boundary);
    return map;
  }

  // "same"-mode filter of one plane: out[y, x] = sum_ij ext[y + i - half, x + j - half] * taps[i, j].
  // Tap by tap over whole rows (zero taps skipped); inside the image the column map is
  // the identity, so only the border columns look it up.
  function filterPlane(src, w, h, taps, k, rows, cols, out) {
    var half = (k - 1) / 2, i, j, y, x, wt, r, base, o, off, c, xa, xb;
    out.fill(0);
    for (i = 0; i < k; i++) {
      for (j = 0; j < k; j++) {
        wt = taps[i * k + j];
        if (wt === 0) continue;
        xa = Math.max(0, half - j);
        xb = Math.min(w, w + half - j);
        for (y = 0; y < h; y++) {
          r = rows[y + i];
          if (r < 0) continue;
          base = r * w;
          o = y * w;
          off = base + j - half;
          for (x = xa; x < xb; x++) out[o + x] += src[off + x] * wt;
          for (x = 0; x < xa; x++) {
            c = cols[x + j];
            if (c >= 0) out[o + x] += src[base + c] * wt;
          }
          for (x = xb; x < w; x++) {
            c = cols[x + j];
            if (c >= 0) out[o + x] += src[base + c] * wt;
          }
        }
      }
    }
    return out;
  }

  function control(root, name) {
    return root.querySelector('[data-control="' + name + '"]');
  }

  function init(root, data) {
    var w = data.width, h = data.height;
    var source = root.querySelector('[data-panel="source"]');
    var result = root.querySelector('[data-panel="result"]');
    var caption = root.querySelector('[data-role="caption"]');
    var inspect = root.querySelector('[data-role="inspect"]');
    var sumNote = root.querySelector('[data-role="weight-sum"]');
    var inputs = root.querySelectorAll("[data-weight]");
    var planes = { grey: null, rgb: null };
    var outputs = [new Float64Array(w * h), new Float64Array(w * h), new Float64Array(w * h)];
    var image = null, picked = [Math.floor(h / 2), Math.floor(w / 2)];
    var weights = new Float64Array(25);
    source.width = result.width = w;
    source.height = result.height = h;

    function size() { return parseInt(control(root, "ksize").value, 10); }

    function loadPreset(name) {
      var k = size(), preset = data.presets[name][String(k)];
      for (var i = 0; i < k; i++) for (var j = 0; j < k; j++) weights[i * 5 + j] = preset[i][j];
      showWeights();
    }

    function showWeights() {
      var k = size();
      Array.prototype.forEach.call(inputs, function (input) {
        var ij = input.getAttribute("data-weight").split(",").map(Number);
        var on = ij[0] < k && ij[1] < k;
        input.hidden = !on;
        if (on) input.value = String(Number(weights[ij[0] * 5 + ij[1]].toPrecision(6)));
      });
      root.querySelector('[data-role="weights"]').style.gridTemplateColumns = "repeat(" + k + ", 1fr)";
    }

    // Taps as laid over the image: the kernel turned 180 degrees for a convolution.
    function taps() {
      var k = size(), flip = control(root, "operation").value === "convolve", t = new Float64Array(k * k);
      for (var i = 0; i < k; i++) {
        for (var j = 0; j < k; j++) t[i * k + j] = flip ? weights[(k - 1 - i) * 5 + (k - 1 - j)] : weights[i * 5 + j];
      }
      return t;
    }

    function redraw() {
      if (!image) return;
      var t0 = performance.now();
      var k = size(), t = taps(), boundary = control(root, "boundary").value;
      var rgb = control(root, "colour").value === "rgb", levels = control(root, "levels").value;
      var rows = indexMap(h, (k - 1) / 2, boundary), cols = indexMap(w, (k - 1) / 2, boundary);
      var src = rgb ? planes.rgb : [planes.grey];
      var lo = Infinity, hi = -Infinity, c, p, v;
      for (c = 0; c < src.length; c++) {
        filterPlane(src[c], w, h, t, k, rows, cols, outputs[c]);
        for (p = 0; p < w * h; p++) {
          v = outputs[c][p];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      var ctx = result.getContext("2d"), img = ctx.createImageData(w, h), px = img.data;
      var rescale = levels === "rescale", flat = rescale && !(hi > lo);
      var scale = rescale && !flat ? 255 / (hi - lo) : 1, shift = rescale ? lo : 0, add = flat ? 128 : 0;
      var r0 = outputs[0], g0 = rgb ? outputs[1] : outputs[0], b0 = rgb ? outputs[2] : outputs[0];
      for (p = 0; p < w * h; p++) {
        // Uint8ClampedArray clamps to 0..255 and rounds half to even.
        px[4 * p] = (r0[p] - shift) * scale + add;
        px[4 * p + 1] = (g0[p] - shift) * scale + add;
        px[4 * p + 2] = (b0[p] - shift) * scale + add;
        px[4 * p + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
      var ms = performance.now() - t0;
      drawSource(rgb);
      var total = 0;
      for (p = 0; p < k * k; p++) total += weights[Math.floor(p / k) * 5 + (p % k)];
      sumNote.textContent = "weights sum to " + num(Number(total.toPrecision(12)));
      caption.textContent = (control(root, "operation").value === "convolve" ? "Convolution" : "Correlation") +
        " with this " + k + "\u00d7" + k + " kernel, " + boundary + " boundary, " + (rgb ? "each RGB channel" : "greyscale") +
        "; results from " + num(Number(lo.toPrecision(4))) + " to " + num(Number(hi.toPrecision(4))) +
        (levels === "clip" ? ", clipped to 0\u2013255 (below 0 black, above 255 white)."
          : ", rescaled: " + num(Number(lo.toPrecision(4))) + " is black, " + num(Number(hi.toPrecision(4))) + " white.");
      root.setAttribute("data-range", JSON.stringify([lo, hi]));
      root.setAttribute("data-redraw-ms", ms.toFixed(2));
      showPixel();
    }

    var shownSource = null;
    function drawSource(rgb) {
      if (shownSource === rgb) return;
      shownSource = rgb;
      var ctx = source.getContext("2d"), img = ctx.createImageData(w, h), px = img.data;
      for (var p = 0; p < w * h; p++) {
        for (var c = 0; c < 3; c++) px[4 * p + c] = rgb ? planes.rgb[c][p] : planes.grey[p];
        px[4 * p + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
    }

    // The neighbourhood of the picked pixel, its products and their sum.
    function showPixel() {
      var k = size(), t = taps(), half = (k - 1) / 2, boundary = control(root, "boundary").value;
      var rgb = control(root, "colour").value === "rgb", src = rgb ? planes.rgb : [planes.grey];
      var y = picked[0], x = picked[1], names = rgb ? ["R", "G", "B"] : ["grey"];
      var sums = [], values = [];
      while (inspect.firstChild) inspect.removeChild(inspect.firstChild);
      var head = document.createElement("p");
      head.textContent = "Pixel (row " + y + ", col " + x + "): the " + k + "\u00d7" + k +
        " neighbourhood times the kernel as laid over it" +
        (control(root, "operation").value === "convolve" ? " (turned 180\u00b0)" : "") + ":";
      inspect.appendChild(head);
      src.forEach(function (plane, c) {
        var table = document.createElement("table"), terms = [], acc = 0, vals = [];
        for (var i = 0; i < k; i++) {
          var tr = document.createElement("tr"), r = sourceIndex(y + i - half, h, boundary);
          for (var j = 0; j < k; j++) {
            var cc = sourceIndex(x + j - half, w, boundary);
            var v = r < 0 || cc < 0 ? 0 : plane[r * w + cc], wt = t[i * k + j];
            var td = document.createElement("td");
            td.textContent = num(v) + "\u00b7" + factor(wt);
            tr.appendChild(td);
            terms.push(num(v) + "\u00b7" + factor(wt));
            vals.push(v);
            acc += v * wt;
          }
          table.appendChild(tr);
        }
        sums.push(outputs[c][y * w + x]);
        values.push(vals);
        var line = document.createElement("p");
        line.textContent = names[c] + ": " + terms.join(" + ") + " = " + num(Number(outputs[c][y * w + x].toPrecision(6)));
        table.setAttribute("aria-label", names[c] + " neighbourhood and weights");
        inspect.appendChild(table);
        inspect.appendChild(line);
      });
      inspect.setAttribute("data-pixel", y + "," + x);
      // Outline the neighbourhood on the result (in % of the drawn size, so it scales).
      var marker = root.querySelector('[data-role="marker"]');
      marker.style.left = (100 * (x - half) / w) + "%";
      marker.style.top = (100 * (y - half) / h) + "%";
      marker.style.width = (100 * k / w) + "%";
      marker.style.height = (100 * k / h) + "%";
      inspect.setAttribute("data-sums", JSON.stringify(sums));
      inspect.setAttribute("data-values", JSON.stringify(values));
      inspect.setAttribute("data-taps", JSON.stringify(Array.prototype.slice.call(t)));
    }

    function pick(event) {
      var box = result.getBoundingClientRect();
      var x = Math.floor((event.clientX - box.left) * w / box.width);
      var y = Math.floor((event.clientY - box.top) * h / box.height);
      if (x < 0 || y < 0 || x >= w || y >= h) return;
      picked = [y, x];
      showPixel();
    }

    result.addEventListener("pointermove", pick);
    result.addEventListener("pointerdown", pick);
    result.addEventListener("keydown", function (event) {
      var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      var m = moves[event.key];
      if (!m) return;
      event.preventDefault();
      picked = [Math.min(h - 1, Math.max(0, picked[0] + m[0])), Math.min(w - 1, Math.max(0, picked[1] + m[1]))];
      showPixel();
    });

    // Typing: redraw at most once per animation frame.
    var pending = false;
    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; redraw(); });
    }

    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("input", function () {
        var ij = input.getAttribute("data-weight").split(",").map(Number), v = parseFloat(input.value);
        if (!isFinite(v)) return;
        weights[ij[0] * 5 + ij[1]] = v;
        control(root, "preset").value = "custom";
        schedule();
      });
    });
    control(root, "preset").addEventListener("change", function () {
      if (control(root, "preset").value !== "custom") loadPreset(control(root, "preset").value);
      redraw();
    });
    control(root, "ksize").addEventListener("change", function () {
      var name = control(root, "preset").value;
      if (name !== "custom") loadPreset(name);
      else showWeights();
      redraw();
    });
    ["operation", "boundary", "levels", "colour"].forEach(function (name) {
      control(root, name).addEventListener("change", redraw);
    });
    var details = root.querySelector("details.cdx-settings");
    if (details && root.clientWidth < 560) details.open = false;

    loadPreset(data.kernel);
    var photo = new Image();
    photo.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      var ctx = canvas.getContext("2d");
      ctx.drawImage(photo, 0, 0);
      var px = ctx.getImageData(0, 0, w, h).data;
      planes.rgb = [new Float64Array(w * h), new Float64Array(w * h), new Float64Array(w * h)];
      planes.grey = new Float64Array(w * h);
      for (var p = 0; p < w * h; p++) {
        var r = px[4 * p], g = px[4 * p + 1], b = px[4 * p + 2];
        planes.rgb[0][p] = r;
        planes.rgb[1][p] = g;
        planes.rgb[2][p] = b;
        planes.grey[p] = Math.round(0.2126 * r + 0.7152 * g + 0.0722 * b);
      }
      image = photo;
      root.cdxPlanes = planes;
      root.cdxOutputs = outputs;
      redraw();
      root.setAttribute("data-image-ready", "true");
    };
    photo.src = data.photo;
  }

  function initAll() {
    var roots = document.querySelectorAll(".convdoc-explorer:not([data-ready])");
    Array.prototype.forEach.call(roots, function (root) {
      var data = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
      if (data.kind !== "image") return;
      root.setAttribute("data-ready", "true");
      init(root, data);
    });
  }

  window.convdocPlayground = { initAll: initAll, filterPlane: filterPlane, sourceIndex: sourceIndex };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
