"""The compiled loops of :mod:`convdoc.plans.register_tiles` (imported on first use only).

A *tile* is 4 output channels times ``8 * V`` neighbouring output columns of
one output row (``V`` = 1, 2 or 3 vectors of 8 float32). Its ``4 * V`` vectors
of sums stay in registers while every tap is added in: for each tap, load the
``V`` input vectors it multiplies (one contiguous run of the laid-out grid),
broadcast the tap's value for each of the 4 channels, and do ``4 * V`` fused
multiply-adds. With ``V = 3`` that is 12 sums, 3 inputs and 1 broadcast tap:
16 of an AVX2 core's 16 vector registers, 12 multiply-adds for every 7 loads,
and enough independent sums to keep both multiply-add units busy. The sums
are written once, at the end.

numba's loop vectoriser does not keep sums in registers across a loop of
taps (it stores them after each tap), so the tile is written in LLVM's IR
through :func:`numba.extending.intrinsic`, with ``llvm.fma`` on ``<8 x float>``
vectors: LLVM then allocates the registers. The loops around the tiles
(rows, channel groups, column positions) are ordinary numba.

The sum of one output is the same sequence of fused multiply-adds, from 0, in
the order of ``offsets``, whichever tile (or the scalar loop, for rows
narrower than 8) computes it: a last tile that overlaps the one before it
recomputes those columns with the same bits, and so does any split of the
rows among threads.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

_F32 = ir.FloatType()
_I32 = ir.IntType(32)
_I64 = ir.IntType(64)
_VEC = ir.VectorType(_F32, 8)
#: Output channels of one tile.
CHANNELS = 4
#: float32 values of one vector.
LANES = 8


def _tile(vectors: int) -> Any:
    """The intrinsic ``tile(x, base, offsets, w, wbase, n, out, o0, o1, o2, o3)``.

    For ``t < n``: ``sum[k][l] += w[wbase + 4*t + k] * x[base + offsets[t] + l]``
    for the 4 channels ``k`` and the ``8 * vectors`` lanes ``l``, from sums of
    0; then ``out[ok + l] = sum[k][l]``. ``n`` must be at least 1.
    """

    @intrinsic
    def tile(typingctx, x, base, offsets, w, wbase, n, out, o0, o1, o2, o3):
        sig = types.void(x, base, offsets, w, wbase, n, out, o0, o1, o2, o3)

        def codegen(context, builder, signature, args):
            xs, base_, offs, ws, wbase_, count, outs, *starts = args
            argtypes = signature.args
            xp = context.make_array(argtypes[0])(context, builder, xs).data
            op = context.make_array(argtypes[2])(context, builder, offs).data
            wp = context.make_array(argtypes[3])(context, builder, ws).data
            outp = context.make_array(argtypes[6])(context, builder, outs).data
            fma = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(_VEC, [_VEC] * 3), "llvm.fma.v8f32"
            )
            entry = builder.block
            loop = builder.append_basic_block("tile.taps")
            done = builder.append_basic_block("tile.done")
            builder.branch(loop)
            builder.position_at_end(loop)
            t = builder.phi(_I64)
            t.add_incoming(ir.Constant(_I64, 0), entry)
            sums = []
            for _ in range(CHANNELS * vectors):
                s = builder.phi(_VEC)
                s.add_incoming(ir.Constant(_VEC, [0.0] * LANES), entry)
                sums.append(s)
            run = builder.gep(xp, [builder.add(base_, builder.load(builder.gep(op, [t])))])
            vector = _VEC.as_pointer()
            inputs = [
                builder.load(
                    builder.bitcast(builder.gep(run, [ir.Constant(_I64, LANES * v)]), vector),
                    align=4,
                )
                for v in range(vectors)
            ]
            row = builder.add(wbase_, builder.mul(t, ir.Constant(_I64, CHANNELS)))
            undef = ir.Constant(_VEC, ir.Undefined)
            splat = ir.Constant(ir.VectorType(_I32, LANES), [0] * LANES)
            updated = []
            for k in range(CHANNELS):
                tap = builder.load(builder.gep(wp, [builder.add(row, ir.Constant(_I64, k))]))
                taps = builder.shuffle_vector(
                    builder.insert_element(undef, tap, ir.Constant(_I32, 0)), undef, splat
                )
                for v in range(vectors):
                    updated.append(builder.call(fma, [taps, inputs[v], sums[k * vectors + v]]))
            following = builder.add(t, ir.Constant(_I64, 1))
            t.add_incoming(following, loop)
            for s, u in zip(sums, updated, strict=True):
                s.add_incoming(u, loop)
            builder.cbranch(builder.icmp_signed("<", following, count), loop, done)
            builder.position_at_end(done)
            for k in range(CHANNELS):
                for v in range(vectors):
                    at = builder.gep(outp, [builder.add(starts[k], ir.Constant(_I64, LANES * v))])
                    builder.store(updated[k * vectors + v], builder.bitcast(at, vector), align=4)
            return context.get_dummy_value()

        return sig, codegen

    return tile


_tile1, _tile2, _tile3 = _tile(1), _tile(2), _tile(3)


@njit(cache=True, nogil=True, fastmath={"contract"})
def rows(x, offsets, w4, width, out, r0, r1):
    """Output rows ``r0 <= r < r1`` of every channel of ``out`` (``(C_out, H_out, W_out)``).

    ``x`` is the laid-out input, flat: output ``(r, c)`` reads tap ``t`` at
    ``x[r * width + c + offsets[t]]``. ``w4`` is ``(ceil(C_out / 4), taps, 4)``
    flat: the taps of each group of 4 output channels, tap by tap (a group
    past the last channel repeats it, and writes it again with the same
    value). ``fastmath={"contract"}`` makes the scalar loop's multiply-adds
    fused, as the tiles' are; nothing else of fastmath.
    """
    c_out, oh, ow = out.shape
    plane = oh * ow
    flat = out.reshape(-1)
    n = offsets.size
    for r in range(r0, r1):
        line = r * width
        for group in range(0, c_out, CHANNELS):
            start = r * ow
            b0 = group * plane + start
            b1 = min(group + 1, c_out - 1) * plane + start
            b2 = min(group + 2, c_out - 1) * plane + start
            b3 = min(group + 3, c_out - 1) * plane + start
            wbase = group * n
            c = 0
            while c + 3 * LANES <= ow:
                _tile3(x, line + c, offsets, w4, wbase, n, flat, b0 + c, b1 + c, b2 + c, b3 + c)
                c += 3 * LANES
            if c + 2 * LANES <= ow:
                _tile2(x, line + c, offsets, w4, wbase, n, flat, b0 + c, b1 + c, b2 + c, b3 + c)
                c += 2 * LANES
            if c + LANES <= ow:
                _tile1(x, line + c, offsets, w4, wbase, n, flat, b0 + c, b1 + c, b2 + c, b3 + c)
                c += LANES
            if c < ow and ow >= LANES:
                # The last columns: one tile ending at the row's end, overlapping
                # the tile before it (whose columns it recomputes, same bits).
                c = ow - LANES
                _tile1(x, line + c, offsets, w4, wbase, n, flat, b0 + c, b1 + c, b2 + c, b3 + c)
                c = ow
            for col in range(c, ow):  # a row narrower than one vector
                for k in range(CHANNELS):
                    o = min(group + k, c_out - 1)
                    s = np.float32(0)
                    for t in range(n):
                        s += w4[wbase + CHANNELS * t + k] * x[line + col + offsets[t]]
                    flat[o * plane + start + col] = s
