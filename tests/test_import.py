"""The package surface: a light import, every public name present and documented NumPy-style."""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import importlib.util
import inspect
import json
import pkgutil
import subprocess
import sys
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc

import convdoc

# The numerics and tracing layers: none of them may pull in plotting.
NUMERIC_MODULES = [
    "convdoc",
    "convdoc._validate",
    "convdoc.data",
    "convdoc.engine",
    "convdoc.reference",
    "convdoc.filtering",
    "convdoc.layers",
    "convdoc.shapes",
    "convdoc.kernels",
    "convdoc.waveforms",
    "convdoc.trace",
]


def _modules_after_import(module: str) -> set[str]:
    """Top-level packages in sys.modules after importing ``module`` in a fresh interpreter."""
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("module", NUMERIC_MODULES)
def test_numerics_never_import_matplotlib(module):
    loaded = _modules_after_import(module)
    assert "numpy" in loaded  # the probe really ran the import
    assert "matplotlib" not in loaded


def test_the_plans_import_neither_scipy_nor_matplotlib():
    # Every plan module is loaded by `import convdoc`; SciPy only when a plan runs.
    loaded = _modules_after_import("convdoc.plans")
    assert "numpy" in loaded
    assert "scipy" not in loaded and "matplotlib" not in loaded


def test_import_convdoc_defers_scipy():
    # The engine imports SciPy lazily so that `import convdoc` stays fast.
    assert "scipy" not in _modules_after_import("convdoc")


def test_import_convdoc_defers_numba():
    # The compiled stencil plan imports numba (about 0.3 s) on its first use only.
    loaded = _modules_after_import("convdoc")
    assert "numpy" in loaded
    assert "numba" not in loaded and "llvmlite" not in loaded
    # threadpoolctl (ctypes, a scan of the loaded libraries) waits for the first shared call.
    assert "threadpoolctl" not in loaded


def test_import_convdoc_reads_no_image_until_asked():
    # convdoc.data is loaded with convdoc; Pillow and the JPEG only on the first photo().
    code = (
        "import sys, convdoc\n"
        "assert callable(convdoc.data.photo)\n"
        "assert 'PIL' not in sys.modules, 'PIL imported'\n"
        "convdoc.data.photo(8)\n"
        "assert 'PIL' in sys.modules and 'matplotlib' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_every_name_in_all_exists():
    missing = [name for name in convdoc.__all__ if not hasattr(convdoc, name)]
    assert missing == []
    assert len(set(convdoc.__all__)) == len(convdoc.__all__)


def test_the_contract_names_are_public():
    expected = {
        "convolve", "correlate", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d",
        "max_pool2d", "avg_pool2d", "output_size", "transposed_output_size", "reference_conv",
        "reference_correlate", "gaussian_kernel", "gaussian_kernel2d", "box_kernel", "kernel2d",
        "KERNELS2D", "sawtooth", "square_wave", "unit_step", "impulse", "noisy_sine", "steps",
        "Trace", "Step",
    }  # fmt: skip
    assert expected <= set(convdoc.__all__)


def test_kernels2d_is_a_mapping_of_arrays():
    assert isinstance(convdoc.KERNELS2D, Mapping)
    assert all(isinstance(v, np.ndarray) for v in convdoc.KERNELS2D.values())


def _documented_names(section: list) -> set[str]:
    # numpydoc allows "stride, dilation : int" for several parameters at once.
    names = set()
    for param in section:
        names.update(part.strip().lstrip("*") for part in param.name.split(","))
    return names


def _parse(doc_class: Callable, obj: object) -> dict:
    with warnings.catch_warnings():
        # numpydoc warns about unknown sections or malformed headers: a real doc error.
        warnings.simplefilter("error")
        return doc_class(obj)


def _parameters(func: Callable) -> list[str]:
    params = inspect.signature(func).parameters.values()
    return [p.name for p in params if p.name not in ("self", "cls")]


FUNCTIONS = [name for name in convdoc.__all__ if inspect.isfunction(getattr(convdoc, name, None))]
CLASSES = [name for name in convdoc.__all__ if inspect.isclass(getattr(convdoc, name, None))]


@pytest.mark.parametrize("name", FUNCTIONS + [f"data.{name}" for name in convdoc.data.__all__])
def test_functions_have_numpy_docstrings(name):
    func = convdoc
    for part in name.split("."):
        func = getattr(func, part)
    doc = _parse(FunctionDoc, func)
    assert doc["Summary"], f"{name} has no summary line"
    params = _parameters(func)
    if params:
        assert doc["Parameters"], f"{name} takes parameters but has no Parameters section"
        undocumented = set(params) - _documented_names(doc["Parameters"])
        assert not undocumented, f"{name}: parameters missing from the docstring: {undocumented}"
        unknown = _documented_names(doc["Parameters"]) - set(params)
        assert not unknown, f"{name}: docstring documents parameters it does not take: {unknown}"
    assert doc["Returns"] or doc["Yields"], f"{name} has no Returns section"


@pytest.mark.parametrize("name", CLASSES)
def test_classes_have_numpy_docstrings(name):
    cls = getattr(convdoc, name)
    doc = _parse(ClassDoc, cls)
    assert doc["Summary"], f"{name} has no summary line"
    if dataclasses.is_dataclass(cls):
        fields = {f.name for f in dataclasses.fields(cls)}
        documented = _documented_names(doc["Attributes"]) | _documented_names(doc["Parameters"])
        assert fields <= documented, f"{name}: fields not documented: {fields - documented}"
    for method_name, method in inspect.getmembers(cls, inspect.isfunction):
        if method_name.startswith("_"):
            continue
        method_doc = _parse(FunctionDoc, method)
        assert method_doc["Summary"], f"{name}.{method_name} has no docstring"
        params = _parameters(method)
        if params:
            undocumented = set(params) - _documented_names(method_doc["Parameters"])
            assert not undocumented, f"{name}.{method_name}: undocumented {undocumented}"


def _has_examples(module: str) -> bool:
    """Whether the module's source holds a doctest prompt (read from the file, not imported)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    return ">>> " in Path(spec.origin).read_text(encoding="utf-8")


# Every module of convdoc whose source holds an example; `convdoc` itself only re-exports.
DOCTEST_MODULES = sorted(
    name
    for name in (
        "convdoc." + Path(info.name).name
        for info in pkgutil.iter_modules(convdoc.__path__)
        if not info.ispkg
    )
    if name != "convdoc.__main__" and _has_examples(name)
)


def test_the_doctest_modules_were_found():
    # The numerics modules with Examples sections must all be in the parametrization below.
    assert {m for m in NUMERIC_MODULES if m != "convdoc"} <= set(DOCTEST_MODULES)


@pytest.mark.parametrize("module", DOCTEST_MODULES)
def test_docstring_examples_run(module):
    # The Examples sections become the API pages; their printed results must be true.
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{module} holds '>>> ' but doctest found no example to run"
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {module} (run pytest -s)"
