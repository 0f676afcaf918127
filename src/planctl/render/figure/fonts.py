"""Finding a font with Chinese glyphs for the raster figures (the Markdown export's PNG).

The DOCX's vector charts need no font file (the viewer draws the text). The
PNG figures use a 黑体/sans face, as offices draw them: thin serif strokes break up
at small print sizes. PLANCTL_CJK_FONT pins a font; otherwise the usual Linux,
Windows and macOS locations are searched in a fixed order, so the same machine
always picks the same file (figures must be byte-identical run to run).
"""

from __future__ import annotations

import fnmatch
import os
from functools import lru_cache

# Files that carry CJK glyphs, most preferred first. Sans before serif: thin serif
# strokes break up at small print sizes.
_LINUX_ROOTS = ("/usr/share/fonts", "/usr/local/share/fonts")
_LINUX_PATTERNS = (
    "NotoSansCJK*-Regular.ttc",
    "NotoSansCJK*-Medium.ttc",
    "NotoSansCJK*.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansCJK*.otf",
    "NotoSansSC-Regular.*",
    "SourceHanSans*-Regular.*",
    "simhei.ttf",
    "SimHei*.ttf",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "FandolHei-Regular.otf",
    "NotoSerifCJK*-Regular.ttc",
    "NotoSerifCJK*.ttc",
    "NotoSerifCJK*.otf",
    "wqy*.tt[cf]",
    "DroidSansFallback*.ttf",
)
_WINDOWS_FILES = ("simhei.ttf", "msyh.ttc", "simsun.ttc", "simfang.ttf")
_MAC_DIR = "/System/Library/Fonts"
_MAC_PATTERNS = ("PingFang.ttc", "STHeiti*")


def find_cjk_font() -> str | None:
    """Path of an installed font file with Chinese glyphs, or None.

    PLANCTL_CJK_FONT wins so an office can pin its own font (e.g. a licensed 黑体).
    Then the usual Linux, Windows and macOS locations; all are tried on every
    platform because a path that does not exist costs nothing.
    """
    env = os.environ.get("PLANCTL_CJK_FONT", "").strip()
    if env and os.path.isfile(env):
        return env
    found = _search_linux()
    if found:
        return found
    windir = os.environ.get("WINDIR", "C:/Windows")
    for base in dict.fromkeys((f"{windir}/Fonts", "C:/Windows/Fonts")):
        for name in _WINDOWS_FILES:
            path = os.path.join(base, name)
            if os.path.isfile(path):
                return path
    if os.path.isdir(_MAC_DIR):
        names = sorted(os.listdir(_MAC_DIR))
        for pattern in _MAC_PATTERNS:
            for name in names:
                if fnmatch.fnmatch(name, pattern):
                    return os.path.join(_MAC_DIR, name)
    return None


def _search_linux() -> str | None:
    """Walk the font roots once and return the best match (sorted: deterministic)."""
    files: list[tuple[str, str]] = []
    for root in _LINUX_ROOTS:
        if not os.path.isdir(root):
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            files.extend((name, os.path.join(dirpath, name)) for name in sorted(filenames))
    for pattern in _LINUX_PATTERNS:
        for name, path in files:
            if fnmatch.fnmatch(name, pattern):
                return path
    return None


@lru_cache(maxsize=16)
def face_index(path: str) -> int:
    """Index of the Simplified Chinese face in a collection (.ttc), else 0.

    Noto Sans CJK collections start with the Japanese face, whose glyph shapes for
    e.g. 直 and 底 differ from the mainland standard that plans are printed in.
    """
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from PIL import ImageFont  # only the raster (Markdown) figure reads font files

    for index in range(32):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if "SC" in family.split() and "Mono" not in family:
            return index
    return 0
