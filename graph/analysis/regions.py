"""Focus regions named by the plans (招商重点区域), by province and city.

File 000 of the source documents: "紧盯京津冀、长三角、大湾区等三大区域"; file 001 names the
晋陕豫黄河金三角 (Yuncheng's own cross-province zone). A firm is in a region when its home
province is listed, or its city is listed (for regions defined by cities).

>>> focus_regions("浙江省", "杭州市")
['长三角']
>>> focus_regions("广东省", "江门市")
['粤港澳大湾区']
>>> focus_regions("广东省", "汕头市")
[]
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple


class Region(NamedTuple):
    """A focus region: whole provinces and single cities."""

    provinces: frozenset[str]
    cities: frozenset[str]


FOCUS_REGIONS: MappingProxyType[str, Region] = MappingProxyType({
    "京津冀": Region(frozenset({"北京市", "天津市", "河北省"}), frozenset()),
    "长三角": Region(frozenset({"上海市", "江苏省", "浙江省", "安徽省"}), frozenset()),
    "粤港澳大湾区": Region(
        frozenset({"香港特别行政区", "澳门特别行政区"}),
        frozenset({"广州市", "深圳市", "珠海市", "佛山市", "惠州市", "东莞市", "中山市",
                   "江门市", "肇庆市"})),
    "黄河金三角": Region(frozenset(), frozenset({"运城市", "临汾市", "渭南市", "三门峡市"})),
})


def focus_regions(province: str | None, city: str | None) -> list[str]:
    """The focus regions a place belongs to, in declaration order."""
    return [name for name, r in FOCUS_REGIONS.items()
            if (province and province in r.provinces) or (city and city in r.cities)]
