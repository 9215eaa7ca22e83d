"""The order of the examples within each gallery section.

sphinx-gallery's ``FileNameSortKey`` sorts alphabetically, which puts the
sawtooth example that the site grows from last in *basics* and scrambles the
arithmetic examples, which follow the order of the paper's figures. conf.py
names :class:`ExampleOrder` by its dotted path as ``within_subsection_order``;
sphinx-gallery imports it and instantiates it once per section folder.

Only the dotted string sits in the Sphinx configuration (which is pickled into
the environment), and the class lives at module level of an importable module,
so instances pickle by reference for sphinx-gallery's parallel workers too.
"""

from __future__ import annotations

import os

#: Section folder name -> example file stems, in reading order. Files not
#: listed come after the listed ones, by file name, so a new example still
#: shows up before anyone gets round to placing it.
ORDER: dict[str, tuple[str, ...]] = {
    "basics": (
        "plot_sawtooth_gaussian",
        "plot_modes",
        "plot_boundaries_1d",
        "plot_convolution_vs_correlation",
    ),
    "arithmetic": (
        "plot_no_padding_unit_stride",
        "plot_arbitrary_padding",
        "plot_half_padding",
        "plot_full_padding",
        "plot_stride_no_padding",
        "plot_padding_and_stride",
        "plot_odd_case",
        "plot_dilation",
    ),
    "images": (
        "plot_kernel_gallery",
        "plot_blur_box_vs_gaussian",
        "plot_separable",
        "plot_image_boundaries",
        "plot_color",
    ),
    "cnn": (
        "plot_conv_layer_by_hand",
        "plot_one_by_one",
        "plot_pooling_receptive_field",
        "plot_learn_kernel",
    ),
    "speed": (
        "plot_convolution_theorem",
        "plot_polynomials",
        "plot_smoothing",
        "plot_timing",
        "plot_strided",
    ),
}


class ExampleOrder:
    """Sort key for the example files of one gallery section.

    Parameters
    ----------
    src_dir : str or os.PathLike
        The section's source folder; its last component picks the list in
        :data:`ORDER`. sphinx-gallery also passes ``""`` once while checking
        the configuration; a folder with no list sorts by file name alone.

    Examples
    --------
    >>> key = ExampleOrder("examples/basics")
    >>> sorted(["plot_modes.py", "plot_new.py", "plot_sawtooth_gaussian.py"], key=key)
    ['plot_sawtooth_gaussian.py', 'plot_modes.py', 'plot_new.py']
    """

    def __init__(self, src_dir: str | os.PathLike[str]) -> None:
        self.src_dir = os.fspath(src_dir)
        section = os.path.basename(os.path.normpath(self.src_dir)) if self.src_dir else ""
        self.section = section
        self._rank = {stem: i for i, stem in enumerate(ORDER.get(section, ()))}

    def __call__(self, filename: str | os.PathLike[str]) -> tuple[int, str]:
        """Return the sort key of one file.

        Parameters
        ----------
        filename : str or os.PathLike
            A file name, or a path (sphinx-gallery passes full paths when it
            builds the "related examples" lists); only the last component counts.

        Returns
        -------
        tuple of (int, str)
            The file's place in its section's list (unlisted files share the
            place after the last listed one), then its name to break ties.
        """
        name = os.path.basename(os.fspath(filename))
        stem = os.path.splitext(name)[0]
        return self._rank.get(stem, len(self._rank)), name

    def __repr__(self) -> str:
        # sphinx-gallery prints the key in its configuration summary.
        return f"<{type(self).__name__} {self.section or '(no section)'}>"


#: The gallery's sections in reading order (conf.py's ``subsection_order``).
SECTIONS: tuple[str, ...] = tuple(ORDER)


def minigallery_key(path: str | os.PathLike[str]) -> tuple[int, int, str]:
    """Sort key of an example file in a ``minigallery`` (the home page's gallery).

    sphinx-gallery sorts a minigallery by full path unless
    ``minigallery_sort_order`` names a key; conf.py names this one, so the home
    page lists the examples in the same order as the gallery index, the
    sidebar and the next/previous links.

    Parameters
    ----------
    path : str or os.PathLike
        Full path of an example script, ``.../<section>/<name>.py``.

    Returns
    -------
    tuple of (int, int, str)
        The section's place in :data:`SECTIONS` (unknown sections last), then
        :class:`ExampleOrder`'s key within the section.

    Examples
    --------
    >>> names = ["/x/speed/plot_timing.py", "/x/basics/plot_modes.py",
    ...          "/x/basics/plot_sawtooth_gaussian.py"]
    >>> [n.split("/")[-1] for n in sorted(names, key=minigallery_key)]
    ['plot_sawtooth_gaussian.py', 'plot_modes.py', 'plot_timing.py']
    """
    text = os.fspath(path)
    folder = os.path.dirname(text)
    section = os.path.basename(os.path.normpath(folder)) if folder else ""
    place = SECTIONS.index(section) if section in SECTIONS else len(SECTIONS)
    return (place, *ExampleOrder(section)(text))
