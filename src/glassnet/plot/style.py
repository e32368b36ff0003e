"""The look every picture shares: colours, fonts, figure sizes, where pictures are saved.

Nothing here knows about networks; the figure modules (``loss``, ``network``, ``boundary``,
``training``) draw with these pieces. matplotlib is imported inside each function, so
importing ``glassnet.plot`` stays cheap and works without it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.serialization import check_writable, write_atomically

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

POSITIVE = "#2166ac"
"""Colour of a positive weight or bias (blue)."""
NEGATIVE = "#b2182b"
"""Colour of a negative weight or bias (red)."""
ZERO = "#999999"
"""Colour of a weight that is exactly 0."""
CLASS_COLORS = (
    "#762a83",
    "#1b7837",
    "#e08214",
    "#2d8fbf",
    "#c51b7d",
    "#8c510a",
    "#4d4d4d",
    "#01665e",
)
"""Colours of the classes, in order (purple and green for two: safe for colour blindness)."""

FIGURE_FORMATS = (".png", ".svg", ".pdf")
"""Extensions a still picture can be saved as."""
ANIMATION_FORMATS = (".gif",)
"""Extensions ``plot_training`` writes as an animation."""

# fonts that draw Japanese and Chinese names, tried after DejaVu Sans when installed
_CJK_FONTS = (
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "IPAexGothic",
    "IPAGothic",
    "TakaoGothic",
    "Hiragino Sans",
    "Yu Gothic",
    "MS Gothic",
    "Source Han Sans JP",
    "WenQuanYi Zen Hei",
)
DPI = 120
"""Dots per inch of every picture saved."""


def require_matplotlib() -> None:
    """Raise an ImportError naming the extra to install when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(
            "glassnet's plots need matplotlib and pillow: pip install 'glassnet[plot]'"
        ) from None


def new_figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas, so nothing touches pyplot's global state."""
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    # a little more room at the edges than matplotlib's default, so names never touch them
    fig = Figure(
        figsize=(width, height), dpi=DPI, layout=ConstrainedLayoutEngine(w_pad=0.1, h_pad=0.08)
    )
    FigureCanvasAgg(fig)
    return fig


def check_out_path(out: str | Path, formats: Sequence[str] = FIGURE_FORMATS) -> Path:
    """Return ``out`` as a Path after checking its extension and that its folder exists.

    Raises ValueError with the fix, so a caller can check before any long work.
    """
    path = Path(out)
    if path.suffix.lower() not in formats:
        raise ValueError(
            f"{path}: cannot tell the picture format from {path.suffix or 'no extension'!r}; "
            f"end the file name with {', '.join(formats)}"
        )
    try:
        check_writable(path)
    except ValueError as error:
        fix = "" if path.is_dir() else "; create it first or choose another path"
        raise ValueError(f"{error}{fix}") from None
    return path


def finish(fig: Figure, out: str | Path | None) -> Figure:
    """Save ``fig`` to ``out`` (when given) and return it. The picture goes through a
    temporary file: an existing ``out`` holds its old picture until the new one is whole."""
    if out is not None:
        path = check_out_path(out)
        kind = path.suffix[1:].lower()
        write_atomically(path, lambda file: fig.savefig(file, format=kind, dpi=DPI))
    return fig


@functools.lru_cache(maxsize=1)
def font_families() -> tuple[str, ...]:
    """DejaVu Sans, then any installed font that draws Japanese (glyph by glyph fallback)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return ("DejaVu Sans", *(name for name in _CJK_FONTS if name in installed))


@functools.cache
def covered(char: str) -> bool:
    """Whether one of ``font_families()`` draws ``char``."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    for family in font_families():
        path = font_manager.findfont(
            font_manager.FontProperties(family=family), fallback_to_default=False
        )
        if FT2Font(path).get_char_index(ord(char)):
            return True
    return False


def label(name: Any, fallback: str) -> str:
    """``name`` when the installed fonts can draw every character of it, else ``fallback``.

    Without a Japanese font, 数学 would come out as empty boxes; "x1" says more.
    """
    text = str(name)
    if all(char.isspace() or covered(char) for char in text):
        return text
    return fallback


def font() -> dict[str, Any]:
    """Keyword arguments that let a text fall back to a Japanese font when one is installed."""
    return {"fontfamily": list(font_families())}


def axes_for(ax: Axes | None, width: float, height: float) -> tuple[Figure | SubFigure, Axes]:
    """``ax`` and its figure, or a new ``width`` × ``height`` inch figure with one Axes."""
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(width, height)
    return fig, fig.add_subplot()


def root(fig: Figure | SubFigure) -> Figure:
    """The top-level Figure of a (sub)figure."""
    return fig.figure if fig.figure is not None else fig


def lighter(color: str, amount: float) -> tuple[float, float, float]:
    """``color`` mixed with white: ``amount`` 0 keeps it, 1 makes it white."""
    from matplotlib.colors import to_rgb

    rgb = np.array(to_rgb(color))
    r, g, b = rgb + (1.0 - rgb) * amount
    return (float(r), float(g), float(b))


def short(value: float) -> str:
    """A number in at most five characters with its sign: +0.50, −3.4, +12."""
    size = abs(value)
    text = f"{size:.2f}" if size < 10 else f"{size:.3g}" if size < 1000 else f"{size:.0e}"
    return ("−" if value < 0 else "+") + text
