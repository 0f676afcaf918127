"""信息报告与通报流程图: flow charts of how news of an event travels through a plan.

``flow_charts`` is the entry point: one top-down chart per origin and group of
levels with the same rules, from 事发/获知 through each tier of the chain, with
the deadline on every arrow and the cumulative time per tier. The package is
split by concern: ``charts`` reads the plan into chart graphs, ``layout``
places boxes, tracks and arrows in millimetres, ``labels`` sizes and places
text, ``draw`` rasterises at 300 dpi.
"""

from planctl.render.figure.charts import FlowChart, flow_charts
from planctl.render.figure.fonts import find_cjk_font

__all__ = ["FlowChart", "find_cjk_font", "flow_charts"]
