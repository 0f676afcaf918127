"""The document as a list of blocks: what DOCX and Markdown both serialise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str
    style: str | None = None


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[float]  # relative column widths
    key_columns: int = 1  # leading columns repeated in every column group
    #: party column groups (indices into header), when the columns are split across pages
    groups: list[list[int]] | None = None
    #: columns whose equal consecutive cells are merged vertically (阶段, 发送方 …)
    merge: tuple[int, ...] = ()
    #: columns that must never wrap (numbers, dates): widened to their longest value
    nowrap: tuple[int, ...] = ()
    #: in a column group, drop rows where no party of the group has a mark
    drop_empty: bool = False
    #: a caption printed above each column group
    group_captions: list[str] | None = None


@dataclass
class Annex:
    number: int
    title: str
    landscape: bool = False


@dataclass
class Figure:
    emf: bytes  # the chart as a vector picture (EMF); empty when it could not be drawn
    caption: str
    title: str = ""
    width_mm: float | None = None
    height_mm: float | None = None
    reason: str = ""  # why a chart could not be drawn (then emf is empty)
    # the same chart as PNG bytes, made on demand for the Markdown export (b"" without a font)
    raster: Callable[[], bytes] | None = None


@dataclass
class Attachments:
    """附件说明 (GB/T 9704 7.3.4): "附件：1．… 2．…", the last block of the body."""

    items: list[str]


@dataclass
class Signatures:
    parties: list[dict[str, Any]]
    note: str = ""  # 此页无正文… with title and version, on every signature page
    checksum: str = ""  # 文档校验码 line


@dataclass
class Toc:
    pass


@dataclass
class TitlePage:
    title: str
    parties: list[str]
    version: str
    date: str
    draft: bool
    plan_id: str
    lines: list[str] = field(default_factory=list)
    on_behalf: str = ""


Block = Heading | Para | Table | Annex | Figure | Attachments | Signatures | Toc | TitlePage


@dataclass
class Content:
    plan_id: str
    title: str
    version: str
    digest: str
    draft: bool
    blocks: list[Block] = field(default_factory=list)
