"""convdoc.shapes messages that only the scalar form writes (tests/MUTANTS.md).

A size given as plain integers has no axes, so its error names none; a per-axis
call names the axis. The table tests match part of the message only.
"""

from __future__ import annotations

import pytest

from convdoc import output_size


def test_a_scalar_output_size_error_names_no_axis() -> None:
    with pytest.raises(ValueError) as caught:
        output_size(4, 3, dilation=2)
    assert str(caught.value) == (
        "the kernel does not fit: padded input size 4 (n=4, padding=0) is smaller than the "
        "dilated kernel size 5 (k=3, dilation=2), so there would be no output"
    )


def test_a_per_axis_output_size_error_names_the_axis() -> None:
    with pytest.raises(ValueError, match=r"^the kernel does not fit along axis 1: padded input"):
        output_size((9, 2), 3)
