"""The patrol checklist for one site, in the notice's own words (通知第二条), as declared data.

Printed as the columns of the township patrol sheet today; the patrol work records answers with the
same item and option codes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    code: str
    label: str


@dataclass(frozen=True)
class CheckItem:
    code: str
    label: str
    options: tuple[Option, ...]


CHECKLIST: tuple[CheckItem, ...] = (
    CheckItem("warning_sign", "警示标牌", (Option("ok", "有，清晰"), Option("damaged", "模糊/损坏"),
                                          Option("missing", "无"))),
    CheckItem("fence", "隔离带/防护栏", (Option("ok", "完好"), Option("damaged", "破损"), Option("missing", "无"))),
    CheckItem("rescue_kit", "救生杆/绳/圈", (Option("ok", "齐全"), Option("partial", "不全"),
                                            Option("missing", "无"))),
    CheckItem("water_state", "水情", (Option("normal", "平稳"), Option("high", "水位高"), Option("fast", "水流急"),
                                     Option("dry", "干涸/季节性无水"))),
    CheckItem("minors", "发现未成年人及劝阻", (Option("none", "未发现"), Option("dissuaded", "发现，已劝阻"),
                                             Option("reported", "发现，已通知家长/学校"))),
)

#: Free-text columns that follow the items on paper.
PROBLEMS_LABEL = "问题及处理"
INSPECTOR_LABEL = "巡查人/时间"
