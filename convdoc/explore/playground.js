/* convdoc image playground: a photograph through a kernel the reader edits.
 *
 * Shipped inline with each playground's HTML; defined once per page. The
 * filter is convdoc.correlate / convdoc.convolve in "same" mode over
 * Float64Array planes (pixel values 0..255). A 256x256 RGB image with a dense
 * 5x5 kernel is five million multiply-adds, and the redraw has to fit in one
 * animation frame on a phone (benchmarks/playground.py), so: each plane is
 * padded once per boundary rule (numpy.pad's rules), so the inner loops have
 * no index maps and no branches; only the smallest block holding every
 * non-zero tap is multiplied (3x3 or 5x5), two pixels at a time with
 * WebAssembly SIMD (a module this script assembles itself; f64x2, the same
 * double-precision products and sums), or, without SIMD, with the taps in
 * locals of unrolled JavaScript loops (and two 1-D passes for an exactly
 * rank-1 kernel); every buffer, the ImageData included, is made once and
 * reused; hovering reads the results, it never filters again. No library, no
 * network; the JPEG is a data: URL.
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

  // The padded planes carry a border of PAD pixels filled by the boundary rule (room for 5x5).
  var PAD = 2;

  // Pad a plane once per boundary rule: dst is (h + 2 PAD) x (w + 2 PAD), the numpy.pad of src.
  // (When src and dst share a buffer, the wasm memory, rows are copied within it: no
  // subarray per row.)
  function padPlane(src, w, h, boundary, dst) {
    var wp = w + 2 * PAD, cols = new Int32Array(2 * PAD), x, y, r, o, base, c;
    var shared = src.buffer === dst.buffer, all = shared ? new Float64Array(dst.buffer) : null;
    var s0 = shared ? src.byteOffset / 8 : 0, d0 = shared ? dst.byteOffset / 8 : 0;
    for (x = 0; x < PAD; x++) {
      cols[x] = sourceIndex(x - PAD, w, boundary);
      cols[PAD + x] = sourceIndex(w + x, w, boundary);
    }
    for (y = 0; y < h + 2 * PAD; y++) {
      r = sourceIndex(y - PAD, h, boundary);
      o = y * wp;
      if (r < 0) {
        dst.fill(0, o, o + wp);
        continue;
      }
      base = r * w;
      if (shared) all.copyWithin(d0 + o + PAD, s0 + base, s0 + base + w);
      else dst.set(src.subarray(base, base + w), o + PAD);
      for (x = 0; x < PAD; x++) {
        c = cols[x];
        dst[o + x] = c < 0 ? 0 : src[base + c];
        c = cols[PAD + x];
        dst[o + PAD + w + x] = c < 0 ? 0 : src[base + c];
      }
    }
    return dst;
  }

  // One pass of n <= 5 taps over a block of rows (the separable path's two passes):
  //   dst[o0 + y os + x] = sum_t src[a0 + y as + x + off[t]] * wt[t],  t = 0 .. n - 1.
  // The taps sit in locals, one unrolled loop per count; the caller leaves out zero taps.
  function pass(src, a0, as, dst, o0, os, rows, cols, off, wt, n) {
    var y, x, a, o, j0 = off[0], w0 = wt[0];
    var j1 = off[1] - j0, w1 = wt[1], j2 = off[2] - j0, w2 = wt[2];
    var j3 = off[3] - j0, w3 = wt[3], j4 = off[4] - j0, w4 = wt[4];
    for (y = 0; y < rows; y++) {
      a = a0 + y * as + j0;
      o = o0 + y * os;
      if (n === 1) {
        for (x = 0; x < cols; x++) dst[o + x] = src[a + x] * w0;
      } else if (n === 2) {
        for (x = 0; x < cols; x++) dst[o + x] = src[a + x] * w0 + src[a + x + j1] * w1;
      } else if (n === 3) {
        for (x = 0; x < cols; x++) dst[o + x] = src[a + x] * w0 + src[a + x + j1] * w1 + src[a + x + j2] * w2;
      } else if (n === 4) {
        for (x = 0; x < cols; x++) {
          dst[o + x] = src[a + x] * w0 + src[a + x + j1] * w1 + src[a + x + j2] * w2 + src[a + x + j3] * w3;
        }
      } else {
        for (x = 0; x < cols; x++) {
          dst[o + x] = src[a + x] * w0 + src[a + x + j1] * w1 + src[a + x + j2] * w2 +
            src[a + x + j3] * w3 + src[a + x + j4] * w4;
        }
      }
    }
  }

  // An exact rank-1 split of the 5x5 taps, t[i][j] === u[i] * v[j] for every tap (in
  // floating point, tested tap by tap), or null. Pivots are tried smallest first, so
  // integer-ratio kernels such as the binomial Gaussian split into exact factors.
  function splitRank1(t, u, v) {
    var order = [], i, j, q, ip, jp, piv, ok;
    for (q = 0; q < 25; q++) if (t[q] !== 0) order.push(q);
    order.sort(function (a, b) { return Math.abs(t[a]) - Math.abs(t[b]) || a - b; });
    for (q = 0; q < order.length; q++) {
      ip = Math.floor(order[q] / 5);
      jp = order[q] % 5;
      piv = t[order[q]];
      for (j = 0; j < 5; j++) v[j] = t[ip * 5 + j] / piv;
      for (i = 0; i < 5; i++) u[i] = t[i * 5 + jp];
      ok = true;
      for (i = 0; i < 5 && ok; i++) for (j = 0; j < 5 && ok; j++) ok = t[i * 5 + j] === u[i] * v[j];
      if (ok) return true;
    }
    return false;
  }

  // A 3x3 block of the taps (top-left at row i0, column j0 of the 5x5 grid) in one pass:
  // nine taps in locals, one unrolled sum per pixel, no index maps, no branches.
  function block3(p, w, h, t, i0, j0, out) {
    var wp = w + 2 * PAD, q = i0 * 5 + j0, x, y, a, b, c, o;
    var t0 = t[q], t1 = t[q + 1], t2 = t[q + 2], t3 = t[q + 5], t4 = t[q + 6], t5 = t[q + 7];
    var t6 = t[q + 10], t7 = t[q + 11], t8 = t[q + 12];
    for (y = 0; y < h; y++) {
      a = (y + i0) * wp + j0;
      b = a + wp;
      c = b + wp;
      o = y * w;
      for (x = 0; x < w; x++) {
        out[o + x] = p[a + x] * t0 + p[a + x + 1] * t1 + p[a + x + 2] * t2 +
          p[b + x] * t3 + p[b + x + 1] * t4 + p[b + x + 2] * t5 +
          p[c + x] * t6 + p[c + x + 1] * t7 + p[c + x + 2] * t8;
      }
    }
    return out;
  }

  // All 25 taps in one pass (a kernel that needs the whole 5x5 grid and is not rank 1).
  function block5(p, w, h, t, out) {
    var wp = w + 2 * PAD, x, y, a, b, c, d, e, o;
    var t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4 = t[4], t5 = t[5], t6 = t[6], t7 = t[7];
    var t8 = t[8], t9 = t[9], t10 = t[10], t11 = t[11], t12 = t[12], t13 = t[13], t14 = t[14];
    var t15 = t[15], t16 = t[16], t17 = t[17], t18 = t[18], t19 = t[19], t20 = t[20];
    var t21 = t[21], t22 = t[22], t23 = t[23], t24 = t[24];
    for (y = 0; y < h; y++) {
      a = y * wp;
      b = a + wp;
      c = b + wp;
      d = c + wp;
      e = d + wp;
      o = y * w;
      for (x = 0; x < w; x++) {
        out[o + x] =
          p[a + x] * t0 + p[a + x + 1] * t1 + p[a + x + 2] * t2 + p[a + x + 3] * t3 + p[a + x + 4] * t4 +
          p[b + x] * t5 + p[b + x + 1] * t6 + p[b + x + 2] * t7 + p[b + x + 3] * t8 + p[b + x + 4] * t9 +
          p[c + x] * t10 + p[c + x + 1] * t11 + p[c + x + 2] * t12 + p[c + x + 3] * t13 + p[c + x + 4] * t14 +
          p[d + x] * t15 + p[d + x + 1] * t16 + p[d + x + 2] * t17 + p[d + x + 3] * t18 + p[d + x + 4] * t19 +
          p[e + x] * t20 + p[e + x + 1] * t21 + p[e + x + 2] * t22 + p[e + x + 3] * t23 + p[e + x + 4] * t24;
      }
    }
    return out;
  }

  // "same"-mode filter of one padded plane p ((h + 4) x (w + 4)) with the taps t laid on a 5x5
  // grid (a 3x3 kernel in its middle): out[y, x] = sum_ij p[y + i, x + j] * t[i, j], by the
  // plan's path: "3x3" (the non-zero taps fit in a 3x3 block: the zero rows and columns around
  // it are skipped), "separable" (t is exactly rank 1 and reaches beyond 3x3: rows with v, then
  // columns with u, zero factors skipped) or "5x5" (all 25 taps in one pass).
  function filterPlane(p, w, h, plan, out, tmp) {
    var wp = w + 2 * PAD, n, i, j, off = plan.off, wt = plan.wt;
    if (plan.path === "3x3") return block3(p, w, h, plan.taps, plan.i0, plan.j0, out);
    if (plan.path === "5x5") return block5(p, w, h, plan.taps, out);
    var u = plan.u, v = plan.v, i0 = 5, i1 = -1;
    for (i = 0; i < 5; i++) if (u[i] !== 0) { if (i < i0) i0 = i; i1 = i; }
    n = 0;
    for (j = 0; j < 5; j++) if (v[j] !== 0) { off[n] = j; wt[n] = v[j]; n++; }
    pass(p, i0 * wp, wp, tmp, i0 * w, w, h + i1 - i0, w, off, wt, n);
    n = 0;
    for (i = 0; i < 5; i++) if (u[i] !== 0) { off[n] = i * w; wt[n] = u[i]; n++; }
    pass(tmp, 0, w, out, 0, w, h, w, off, wt, n);
    return out;
  }

  // Which path filters with taps t (5x5 grid): the smallest block that holds every non-zero
  // tap, or (if separable is asked for) the two passes of an exact rank-1 split when the taps
  // need more than 3x3. (The wasm 5x5 block is faster than two JavaScript passes.)
  function makePlan(t, plan, separable) {
    var i0 = 5, i1 = -1, j0 = 5, j1 = -1, i, j;
    for (i = 0; i < 5; i++) {
      for (j = 0; j < 5; j++) {
        if (t[i * 5 + j] === 0) continue;
        if (i < i0) i0 = i;
        if (i > i1) i1 = i;
        if (j < j0) j0 = j;
        if (j > j1) j1 = j;
      }
    }
    plan.taps = t;
    if (i1 < 0) i0 = j0 = 1;  // all zero: any 3x3 block gives zeros
    if (i1 - i0 < 3 && j1 - j0 < 3) {
      plan.path = "3x3";
      plan.i0 = Math.min(i0, 2);
      plan.j0 = Math.min(j0, 2);
    } else {
      plan.path = separable && splitRank1(t, plan.u, plan.v) ? "separable" : "5x5";
    }
    return plan;
  }

  // ---- WebAssembly SIMD: the 3x3 and 5x5 blocks two pixels at a time (f64x2) -------------
  // The module is assembled here, byte by byte, for one padded row length wp (each tap's
  // offset is a load's constant), and filters planes that live in its memory. Same sums as
  // block3/block5 (IEEE double products and sums, in another order: to rounding). Browsers
  // without SIMD keep the JavaScript paths.
  function uleb(n) {
    var out = [];
    do {
      var b = n & 0x7f;
      n >>>= 7;
      out.push(n ? b | 0x80 : b);
    } while (n);
    return out;
  }

  function sleb(n) {
    var out = [];
    for (;;) {
      var b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40))) {
        out.push(b);
        return out;
      }
      out.push(b | 0x80);
    }
  }

  function wasmVec(items) {
    var out = uleb(items.length);
    items.forEach(function (item) { out = out.concat(item); });
    return out;
  }

  function wasmName(text) {
    return uleb(text.length).concat(Array.prototype.map.call(text, function (ch) { return ch.charCodeAt(0); }));
  }

  // block(src, dst, taps, w, h, range): dst[y w + x] = sum_q src[(y + q / k) wp + x + q % k] taps[q],
  // k x k taps (f64) at byte address taps; two pixels per iteration, so w is rounded up to
  // even (the caller leaves a pixel of slack after each buffer). The smallest and largest
  // results go to range as two f64x2 (lanes still to compare; with an odd w they include
  // the slack pixels, so the caller then takes range() instead).
  function wasmBlock(k, wp) {
    var GET = 0x20, SET = 0x21, TEE = 0x22, I32 = 0x41, ADD = 0x6a, MUL = 0x6c, LTU = 0x49;
    var V = 0xfd, SPLAT = 0x14, LOAD = 0x00, STORE = 0x0b, FADD = [0xf0, 0x01], FMUL = [0xf2, 0x01];
    // params 0 src, 1 dst, 2 taps, 3 w, 4 h, 5 range; i32 locals 6 y, 7 x, 8 a, 9 o;
    // v128 locals: the taps, two partial sums, the running min and max
    var T0 = 10, S0 = T0 + k * k, S1 = S0 + 1, LO = S1 + 1, HI = LO + 1, c = [], q, off, acc;
    for (q = 0; q < k * k; q++) c.push.apply(c, [GET, 2, 0x2b, 3].concat(uleb(8 * q), [V, SPLAT, SET, T0 + q]));
    c = c.concat(f64Const(Infinity), [V, SPLAT, SET, LO], f64Const(-Infinity), [V, SPLAT, SET, HI]);
    c.push(I32, 0, SET, 6, 0x02, 0x40, 0x03, 0x40);
    c.push.apply(c, [GET, 0, GET, 6, I32].concat(sleb(8 * wp), [MUL, ADD, SET, 8]));
    c.push(GET, 1, GET, 6, GET, 3, MUL, I32, 8, MUL, ADD, SET, 9, I32, 0, SET, 7, 0x03, 0x40);
    for (q = 0; q < k * k; q++) {
      off = 8 * (Math.floor(q / k) * wp + (q % k));
      acc = q % 2 ? S1 : S0;
      c.push.apply(c, [GET, 8, V, LOAD, 3].concat(uleb(off), [GET, T0 + q, V], FMUL));
      if (q >= 2) c.push.apply(c, [GET, acc, V].concat(FADD));
      c.push(SET, acc);
    }
    c.push.apply(c, [GET, 9, GET, S0, GET, S1, V].concat(FADD, [TEE, S0, V, STORE, 3, 0]));
    c.push(GET, LO, GET, S0, V, 0xf6, 0x01, SET, LO, GET, HI, GET, S0, V, 0xf7, 0x01, SET, HI);
    c.push(GET, 8, I32, 16, ADD, SET, 8, GET, 9, I32, 16, ADD, SET, 9);
    c.push(GET, 7, I32, 2, ADD, TEE, 7, GET, 3, LTU, 0x0d, 0, 0x0b);
    c.push(GET, 6, I32, 1, ADD, TEE, 6, GET, 4, LTU, 0x0d, 0, 0x0b, 0x0b);
    c.push(GET, 5, GET, LO, V, STORE, 3, 0, GET, 5, GET, HI, V, STORE, 3, 16, 0x0b);
    var body = wasmVec([[4, 0x7f], uleb(k * k + 4).concat([0x7b])]).concat(c);
    return uleb(body.length).concat(body);
  }

  function f64Const(v) {
    return [0x44].concat(Array.prototype.slice.call(new Uint8Array(new Float64Array([v]).buffer)));
  }

  // range(o, pairs, out): the smallest and largest of 2 pairs doubles at o, as two f64x2
  // (lanes still to compare) at out; pmin/pmax skip a NaN, as the JavaScript loop does.
  function wasmRange() {
    var V = 0xfd, c = [];
    c = c.concat(f64Const(Infinity), [V, 0x14, 0x21, 4], f64Const(-Infinity), [V, 0x14, 0x21, 5]);
    c.push(0x41, 0, 0x21, 3, 0x02, 0x40, 0x03, 0x40);
    c.push(0x20, 4, 0x20, 0, V, 0x00, 3, 0, V, 0xf6, 0x01, 0x21, 4);   // lo = pmin(lo, v)
    c.push(0x20, 5, 0x20, 0, V, 0x00, 3, 0, V, 0xf7, 0x01, 0x21, 5);   // hi = pmax(hi, v)
    c.push(0x20, 0, 0x41, 16, 0x6a, 0x21, 0);
    c.push(0x20, 3, 0x41, 1, 0x6a, 0x22, 3, 0x20, 1, 0x49, 0x0d, 0, 0x0b, 0x0b);
    c.push(0x20, 2, 0x20, 4, V, 0x0b, 3, 0, 0x20, 2, 0x20, 5, V, 0x0b, 3, 16, 0x0b);
    var body = wasmVec([[1, 0x7f], [2, 0x7b]]).concat(c);
    return uleb(body.length).concat(body);
  }

  // levels(o0, o1, o2, dst, pairs, shift, scale, add): 8-bit RGBA pixels (one channel: grey)
  // from the results, v -> nearest((v - shift) * scale + add) (half to even), clamped to
  // 0..255 (NaN to 0): the JavaScript loop's levels, two pixels at a time.
  function wasmLevels(channels) {
    var V = 0xfd, c = [], ch;
    // locals: 8 i; 9 shift, 10 scale, 11 add, 12 zero, 13 top, 14 alpha, 15 grey (v128)
    c.push(0x20, 5, V, 0x14, 0x21, 9, 0x20, 6, V, 0x14, 0x21, 10, 0x20, 7, V, 0x14, 0x21, 11);
    c = c.concat(f64Const(0), [V, 0x14, 0x21, 12], f64Const(255), [V, 0x14, 0x21, 13]);
    c = c.concat([0x41], sleb(-16777216), [V, 0x11, 0x21, 14], [0x41], sleb(0x10101), [V, 0x11, 0x21, 15]);
    c.push(0x41, 0, 0x21, 8, 0x02, 0x40, 0x03, 0x40, 0x20, 3);
    function level(ptr) {
      return [0x20, ptr, V, 0x00, 3, 0, 0x20, 9, V, 0xf1, 0x01, 0x20, 10, V, 0xf2, 0x01, 0x20, 11,
              V, 0xf0, 0x01, V, 0x94, 0x01, 0x20, 12, V, 0xf7, 0x01, 0x20, 13, V, 0xf6, 0x01,
              V, 0xfd, 0x01];
    }
    if (channels === 1) {
      c = c.concat(level(0), [0x20, 15, V, 0xb5, 0x01]);
    } else {
      c = c.concat(level(0), level(1), [0x41, 8, V, 0xab, 0x01, V, 0x50], level(2),
                   [0x41, 16, V, 0xab, 0x01, V, 0x50]);
    }
    c.push(0x20, 14, V, 0x50, V, 0x5b, 3, 0, 0);                         // store two pixels
    for (ch = 0; ch < channels; ch++) c.push(0x20, ch, 0x41, 16, 0x6a, 0x21, ch);
    c.push(0x20, 3, 0x41, 8, 0x6a, 0x21, 3);
    c.push(0x20, 8, 0x41, 1, 0x6a, 0x22, 8, 0x20, 4, 0x49, 0x0d, 0, 0x0b, 0x0b, 0x0b);
    var body = wasmVec([[1, 0x7f], [7, 0x7b]]).concat(c);
    return uleb(body.length).concat(body);
  }

  // The planes (4 padded, 3 results, the 4 of the photo), the pixels and the taps in one wasm
  // memory, or null without SIMD.
  function makeSimd(w, h) {
    try {
      if (typeof WebAssembly !== "object") return null;
      var wp = w + 2 * PAD, hp = h + 2 * PAD, n = w * h;
      var up = function (bytes) { return 16 * Math.ceil(bytes / 16) + 64; };  // aligned, with slack
      var padBytes = up(8 * wp * hp), outBytes = up(8 * n), pixBytes = up(4 * n);
      var size = 4 * padBytes + 7 * outBytes + pixBytes + 8 * 32, pages = Math.ceil(size / 65536);
      var section = function (id, bytes) { return [id].concat(uleb(bytes.length), bytes); };
      var i32 = [0x7f], f64 = [0x7c];
      var bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0].concat(
        section(1, wasmVec([[0x60].concat(wasmVec([i32, i32, i32, i32, i32, i32]), [0]),
                            [0x60].concat(wasmVec([i32, i32, i32]), [0]),
                            [0x60].concat(wasmVec([i32, i32, i32, i32, i32, f64, f64, f64]), [0])])),
        section(2, wasmVec([wasmName("e").concat(wasmName("m"), [0x02, 0x00], uleb(pages))])),
        section(3, wasmVec([[0], [0], [1], [2], [2]])),
        section(7, wasmVec([wasmName("b3").concat([0, 0]), wasmName("b5").concat([0, 1]),
                            wasmName("range").concat([0, 2]), wasmName("grey").concat([0, 3]),
                            wasmName("rgb").concat([0, 4])])),
        section(10, wasmVec([wasmBlock(3, wp), wasmBlock(5, wp), wasmRange(), wasmLevels(1),
                             wasmLevels(3)])));
      var binary = new Uint8Array(bytes);
      if (!WebAssembly.validate(binary)) return null;
      var memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
      var exports = new WebAssembly.Instance(new WebAssembly.Module(binary), { e: { m: memory } }).exports;
      var at = 0, views = [], i;
      for (i = 0; i < 4; i++, at += padBytes) views.push(new Float64Array(memory.buffer, at, wp * hp));
      for (i = 0; i < 7; i++, at += outBytes) views.push(new Float64Array(memory.buffer, at, n));
      var pixels = new Uint8ClampedArray(memory.buffer, at, 4 * n), pixelsAt = at;
      at += pixBytes;
      return { exports: exports, b3: exports.b3, b5: exports.b5, padded: views.slice(0, 4),
               outputs: views.slice(4, 7), source: views.slice(7), pixels: pixels, pixelsAt: pixelsAt,
               taps: new Float64Array(memory.buffer, at, 25), tapsAt: at,
               range: new Float64Array(memory.buffer, at + 8 * 25, 4), rangeAt: at + 8 * 25 };
    } catch (e) {
      return null;
    }
  }

  // The same filter as filterPlane through the wasm blocks (p and out are views of its memory).
  function filterSimd(simd, p, w, h, plan, out) {
    var wp = w + 2 * PAD, t = plan.taps, i, j;
    if (plan.path === "3x3") {
      for (i = 0; i < 3; i++) for (j = 0; j < 3; j++) simd.taps[i * 3 + j] = t[(plan.i0 + i) * 5 + plan.j0 + j];
      simd.b3(p.byteOffset + 8 * (plan.i0 * wp + plan.j0), out.byteOffset, simd.tapsAt, w, h, simd.rangeAt);
    } else {
      simd.taps.set(t);
      simd.b5(p.byteOffset, out.byteOffset, simd.tapsAt, w, h, simd.rangeAt);
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
    // Buffers made once and reused by every redraw: the planes padded by the boundary rule
    // (per image kind, remade only when the rule changes), the separable pass's rows, the
    // results, the 8-bit levels and the drawn ImageData.
    var wp = w + 2 * PAD, hp = h + 2 * PAD;
    // With WebAssembly SIMD the padded planes and the results live in the module's memory.
    var simd = makeSimd(w, h);
    var padded = { grey: { rule: null, bufs: simd && simd.padded.slice(0, 1) },
                   rgb: { rule: null, bufs: simd && simd.padded.slice(1) } };
    var tmp = new Float64Array(hp * w);
    var outputs = simd ? simd.outputs
      : [new Float64Array(w * h), new Float64Array(w * h), new Float64Array(w * h)];
    var grid = new Float64Array(25);
    var plan = { taps: grid, path: "3x3", i0: 1, j0: 1, u: new Float64Array(5), v: new Float64Array(5),
                 off: new Int32Array(25), wt: new Float64Array(25) };
    var littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
    var picture = null, picture32 = null;
    var filtered = { key: null, lo: 0, hi: 0, count: 0 };  // what the results were filtered with
    var image = null, picked = [Math.floor(h / 2), Math.floor(w / 2)];
    var weights = new Float64Array(25);
    source.width = result.width = w;
    source.height = result.height = h;

    // The controls' values, read once at the start of a redraw: reading a <select> after the
    // redraw has rewritten text would make the browser recompute styles there and then.
    var frozen = null;
    function setting(name) { return frozen ? frozen[name] : control(root, name).value; }
    function freeze() {
      frozen = null;
      var now = {};
      ["ksize", "operation", "boundary", "colour", "levels"].forEach(function (name) { now[name] = setting(name); });
      frozen = now;
    }

    function size() { return parseInt(setting("ksize"), 10); }

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
      var k = size(), flip = setting("operation") === "convolve", t = new Float64Array(k * k);
      for (var i = 0; i < k; i++) {
        for (var j = 0; j < k; j++) t[i * k + j] = flip ? weights[(k - 1 - i) * 5 + (k - 1 - j)] : weights[i * 5 + j];
      }
      return t;
    }

    // The same taps on a 5x5 grid (a 3x3 kernel in its middle, zeros around): what the filter uses.
    function gridTaps() {
      var k = size(), flip = setting("operation") === "convolve", q = (5 - k) / 2, i, j;
      grid.fill(0);
      for (i = 0; i < k; i++) {
        for (j = 0; j < k; j++) {
          grid[(i + q) * 5 + j + q] = flip ? weights[(k - 1 - i) * 5 + (k - 1 - j)] : weights[i * 5 + j];
        }
      }
      return grid;
    }

    function paddedPlanes(rgb, boundary) {
      var entry = rgb ? padded.rgb : padded.grey, src = rgb ? planes.rgb : [planes.grey], c;
      if (entry.rule === boundary) return entry.bufs;
      if (!entry.bufs) {
        entry.bufs = [];
        for (c = 0; c < src.length; c++) entry.bufs.push(new Float64Array(wp * hp));
      }
      for (c = 0; c < src.length; c++) padPlane(src[c], w, h, boundary, entry.bufs[c]);
      entry.rule = boundary;
      return entry.bufs;
    }

    // Grey levels straight into the ImageData's pixels, in JavaScript (without SIMD).
    function levelsJs(nc, shift, scale, add) {
      // Grey levels straight into the ImageData's 32-bit pixels. (v + R) - R rounds v to an
      // integer, half to even (numpy.rint), exactly while |v| < 2^51; beyond, the clamp to
      // 0..255 gives the same level anyway.
      var R = 6755399441055744, px = picture.data, rr, gg, bb, p, n = w * h;
      var o0 = outputs[0], o1 = nc === 3 ? outputs[1] : o0, o2 = nc === 3 ? outputs[2] : o0;
      if (littleEndian && nc === 1) {
        for (p = 0; p < n; p++) {
          gg = ((o0[p] - shift) * scale + add + R) - R;
          gg = gg > 0 ? (gg < 255 ? gg : 255) : 0;
          picture32[p] = 0xff000000 | (gg * 0x10101);
        }
      } else {
        for (p = 0; p < n; p++) {
          rr = ((o0[p] - shift) * scale + add + R) - R;
          gg = ((o1[p] - shift) * scale + add + R) - R;
          bb = ((o2[p] - shift) * scale + add + R) - R;
          rr = rr > 0 ? (rr < 255 ? rr : 255) : 0;
          gg = gg > 0 ? (gg < 255 ? gg : 255) : 0;
          bb = bb > 0 ? (bb < 255 ? bb : 255) : 0;
          if (littleEndian) {
            picture32[p] = 0xff000000 | (bb << 16) | (gg << 8) | rr;
          } else {
            px[4 * p] = rr;
            px[4 * p + 1] = gg;
            px[4 * p + 2] = bb;
            px[4 * p + 3] = 255;
          }
        }
      }
    }

    function redraw() {
      if (!image) return;
      var t0 = performance.now();
      freeze();
      try {
        draw(t0);
      } finally {
        frozen = null;
      }
    }

    function draw(t0) {
      var k = size(), boundary = setting("boundary");
      var rgb = setting("colour") === "rgb", levels = setting("levels");
      var nc = rgb ? 3 : 1, n = w * h, pairs = n >> 1, c, p, v, o;
      // root.cdxNoSimd (tests) takes the JavaScript paths even where SIMD is available.
      var fast = simd && !root.cdxNoSimd, grid5 = gridTaps();
      // Filter only when the taps, the rule or the image changed (not for clip/rescale).
      var key = [boundary, nc, fast].concat(Array.prototype.slice.call(grid5)).join(",");
      if (key !== filtered.key) {
        var src = paddedPlanes(rgb, boundary), r4 = fast && simd.range;
        var lo = Infinity, hi = -Infinity;
        makePlan(grid5, plan, !fast);
        for (c = 0; c < nc; c++) {
          o = fast ? filterSimd(simd, src[c], w, h, plan, outputs[c]) : filterPlane(src[c], w, h, plan, outputs[c], tmp);
          p = 0;
          if (fast) {
            if (w % 2) simd.exports.range(o.byteOffset, pairs, simd.rangeAt);  // else the block's
            lo = Math.min(lo, r4[0], r4[1]);
            hi = Math.max(hi, r4[2], r4[3]);
            p = 2 * pairs;
          }
          for (; p < n; p++) {
            v = o[p];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
        }
        filtered = { key: key, lo: lo, hi: hi, count: filtered.count + 1 };
        root.setAttribute("data-filtered", String(filtered.count));
      }
      lo = filtered.lo;
      hi = filtered.hi;
      var ctx = result.getContext("2d");
      if (!picture) {
        picture = ctx.createImageData(w, h);
        picture32 = new Uint32Array(picture.data.buffer);
      }
      var rescale = levels === "rescale", flat = rescale && !(hi > lo);
      var scale = rescale && !flat ? 255 / (hi - lo) : 1, shift = rescale ? lo : 0, add = flat ? 128 : 0;
      if (fast) {
        // wasm writes the RGBA bytes (levels as below, f64x2.nearest rounds half to even).
        var e = simd.exports, at = outputs.map(function (a) { return a.byteOffset; });
        if (nc === 1) e.grey(at[0], 0, 0, simd.pixelsAt, n - pairs, shift, scale, add);
        else e.rgb(at[0], at[1], at[2], simd.pixelsAt, n - pairs, shift, scale, add);
        picture.data.set(simd.pixels);
      } else {
        levelsJs(nc, shift, scale, add);
      }
      ctx.putImageData(picture, 0, 0);
      var t1 = performance.now();
      drawSource(rgb);
      var total = 0;
      for (p = 0; p < k * k; p++) total += weights[Math.floor(p / k) * 5 + (p % k)];
      sumNote.textContent = "weights sum to " + num(Number(total.toPrecision(12)));
      caption.textContent = (setting("operation") === "convolve" ? "Convolution" : "Correlation") +
        " with this " + k + "\u00d7" + k + " kernel, " + boundary + " boundary, " + (rgb ? "each RGB channel" : "greyscale") +
        "; results from " + num(Number(lo.toPrecision(4))) + " to " + num(Number(hi.toPrecision(4))) +
        (levels === "clip" ? ", clipped to 0\u2013255 (below 0 black, above 255 white)."
          : ", rescaled: " + num(Number(lo.toPrecision(4))) + " is black, " + num(Number(hi.toPrecision(4))) + " white.");
      root.setAttribute("data-range", JSON.stringify([lo, hi]));
      root.setAttribute("data-path", plan.path);
      root.setAttribute("data-engine", fast ? "wasm" : "js");
      showPixel();
      // Timings for benchmarks/playground.py: filter + levels + putImageData, and the whole redraw.
      root.setAttribute("data-redraw-ms", (t1 - t0).toFixed(2));
      root.setAttribute("data-frame-ms", (performance.now() - t0).toFixed(2));
      root.setAttribute("data-drawn-at", t1.toFixed(2));
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
    // The inspector's elements are made once per kernel size and image kind; a redraw or a
    // hover only rewrites their text.
    var shown = { shape: null, head: null, cells: [], lines: [] };
    function inspectorFor(k, names) {
      var shape = k + ":" + names.length;
      if (shown.shape === shape) return shown;
      while (inspect.firstChild) inspect.removeChild(inspect.firstChild);
      var head = document.createElement("p");
      head.appendChild(document.createTextNode(""));
      inspect.appendChild(head);
      shown = { shape: shape, head: head.firstChild, cells: [], lines: [] };
      names.forEach(function (name) {
        var table = document.createElement("table"), cells = [];
        table.setAttribute("aria-label", name + " neighbourhood and weights");
        for (var i = 0; i < k; i++) {
          var tr = document.createElement("tr");
          for (var j = 0; j < k; j++) {
            var td = document.createElement("td");
            cells.push(td.appendChild(document.createTextNode("")));
            tr.appendChild(td);
          }
          table.appendChild(tr);
        }
        var line = document.createElement("p");
        shown.lines.push(line.appendChild(document.createTextNode("")));
        shown.cells.push(cells);
        inspect.appendChild(table);
        inspect.appendChild(line);
      });
      return shown;
    }

    function showPixel() {
      var k = size(), t = taps(), half = (k - 1) / 2, boundary = setting("boundary");
      var rgb = setting("colour") === "rgb", src = rgb ? planes.rgb : [planes.grey];
      var y = picked[0], x = picked[1], names = rgb ? ["R", "G", "B"] : ["grey"];
      var sums = [], values = [], view = inspectorFor(k, names);
      view.head.nodeValue = "Pixel (row " + y + ", col " + x + "): the " + k + "\u00d7" + k +
        " neighbourhood times the kernel as laid over it" +
        (setting("operation") === "convolve" ? " (turned 180\u00b0)" : "") + ":";
      src.forEach(function (plane, c) {
        var terms = [], vals = [];
        for (var i = 0; i < k; i++) {
          var r = sourceIndex(y + i - half, h, boundary);
          for (var j = 0; j < k; j++) {
            var cc = sourceIndex(x + j - half, w, boundary);
            var v = r < 0 || cc < 0 ? 0 : plane[r * w + cc], term = num(v) + "\u00b7" + factor(t[i * k + j]);
            view.cells[c][i * k + j].nodeValue = term;
            terms.push(term);
            vals.push(v);
          }
        }
        sums.push(outputs[c][y * w + x]);
        values.push(vals);
        view.lines[c].nodeValue = names[c] + ": " + terms.join(" + ") + " = " +
          num(Number(outputs[c][y * w + x].toPrecision(6)));
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

    loadPreset(data.kernel);
    var photo = new Image();
    photo.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      var ctx = canvas.getContext("2d");
      ctx.drawImage(photo, 0, 0);
      var px = ctx.getImageData(0, 0, w, h).data;
      planes.rgb = simd ? simd.source.slice(1)
        : [new Float64Array(w * h), new Float64Array(w * h), new Float64Array(w * h)];
      planes.grey = simd ? simd.source[0] : new Float64Array(w * h);
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

  /* ---- start-up (lazystart.js) ---------------------------------------------------- */

  var initAll = window.convdocLazyStart(
    function (kind) { return kind === "image"; },  // the stepped explorers have their own script
    init);

  window.convdocPlayground = { initAll: initAll, filterPlane: filterPlane, padPlane: padPlane,
                               makePlan: makePlan, makeSimd: makeSimd, sourceIndex: sourceIndex };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
