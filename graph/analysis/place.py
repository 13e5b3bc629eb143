"""Where the city is, and how near an outside firm's home is to it.

The city's profile is data: the ``city`` section of a ``seeds/reference/*.yaml`` file
(its name and province, neighbouring provinces, cross-province zones such as 黄河金三角,
and the plans' focus regions for 招商, each sourced). Coordinates come from the gazetteer
of the ``cpca`` package (MIT licence; ``cpca/resources/adcodes.csv``: every province,
city and county of China with its adcode, longitude and latitude), read as a file — the
package's matcher is not imported.

Proximity rule (scores in ``rules.toml`` ``[proximity]``): the larger of a distance score
``1 / (1 + km / half_km)`` (km from the city's seat to the firm's home city, else its
province capital) and a place score (same province, a neighbouring province, a shared
zone), plus a small bonus when the home is in one of the plan's focus regions, capped at 1.

>>> g = gazetteer()
>>> round(distance_km(g.coords("山西省", "运城市"), g.coords("河南省", "平顶山市")))
245
"""

from __future__ import annotations

import csv
import math
import threading
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph.errors import InvalidInput
from graph.model import Source

EARTH_KM = 6371.0


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Zone(_Frozen):
    """A named group of provinces and cities (a focus region or a cooperation zone)."""

    name: str
    provinces: list[str] = Field(default_factory=list)
    cities: list[str] = Field(default_factory=list)
    src: Source

    def holds(self, province: str | None, city: str | None) -> bool:
        return bool((province and province in self.provinces) or (city and city in self.cities))


class CityProfile(_Frozen):
    """The city the atlas is for (``city`` section of the reference seeds)."""

    name: str
    province: str
    neighbour_provinces: list[str] = Field(default_factory=list)
    zones: list[Zone] = Field(default_factory=list)
    focus_regions: list[Zone] = Field(default_factory=list)
    src: Source


@dataclass
class Gazetteer:
    """Coordinates (lat, lon) of provinces and cities by name."""

    provinces: dict[str, tuple[float, float]] = field(default_factory=dict)
    cities: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)

    def coords(self, province: str | None, city: str | None) -> tuple[float, float] | None:
        """The city's coordinates, else the province's (its capital), else None."""
        if province and city and (province, city) in self.cities:
            return self.cities[(province, city)]
        if city and city in self.provinces:  # municipalities: 北京市 is a province
            return self.provinces[city]
        return self.provinces.get(province or "")


def _adcodes() -> Path:
    try:
        dist = metadata.distribution("cpca")
    except metadata.PackageNotFoundError as exc:  # pragma: no cover - a declared dependency
        raise InvalidInput("cpca is not installed (pip install cpca)",
                           details=[{"field": "cpca"}]) from exc
    return Path(str(dist.locate_file("cpca/resources/adcodes.csv")))


_GAZ: list[Gazetteer] = []
_LOCK = threading.Lock()


def gazetteer() -> Gazetteer:
    """The cpca gazetteer (read once)."""
    with _LOCK:
        if _GAZ:
            return _GAZ[0]
        g = Gazetteer()
        names: dict[str, str] = {}
        with _adcodes().open(encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r["latitude"] and r["longitude"]]
        for r in rows:
            code, point = r["adcode"], (float(r["latitude"]), float(r["longitude"]))
            if code[2:] == "0" * 10:
                g.provinces[r["name"]] = point
                names[code[:2]] = r["name"]
        for r in rows:
            code = r["adcode"]
            if code[4:] == "0" * 8 and code[2:4] != "00" and code[:2] in names:
                g.cities[(names[code[:2]], r["name"])] = (float(r["latitude"]),
                                                        float(r["longitude"]))
        _GAZ.append(g)
        return g


def distance_km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float | None:
    """Great-circle distance in km (None when a point is unknown)."""
    if a is None or b is None:
        return None
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def read_profile(files: list[Path]) -> CityProfile | None:
    """The ``city`` section of the first of ``files`` that has one; :class:`InvalidInput`
    naming the file and field when it is malformed."""
    for f in files:
        try:
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue  # the seed loader reports unreadable seed files
        if not isinstance(data, dict) or "city" not in data:
            continue
        try:
            return CityProfile.model_validate(data["city"])
        except ValidationError as exc:
            e = exc.errors()[0]
            fld = "city." + ".".join(str(p) for p in e["loc"])
            raise InvalidInput(f"{f}: {fld}: {e['msg']} (城市概况有误)",
                               details=[{"file": str(f), "field": fld,
                                         "message": e["msg"]}]) from exc
    return None


_PROFILES: dict[tuple[str, tuple[tuple[str, int], ...]], CityProfile | None] = {}


def city_profile(seeds_dir: Path | None = None) -> CityProfile | None:
    """The city profile of ``seeds_dir`` (default: the settings' seeds), cached until a
    reference file changes; None when no reference file has a ``city`` section."""
    if seeds_dir is None:
        from graph.settings import get_settings

        seeds_dir = get_settings().seeds_dir
    files = sorted((seeds_dir / "reference").glob("*.y*ml"))
    key = (str(seeds_dir.resolve()), tuple((str(f), f.stat().st_mtime_ns) for f in files))
    with _LOCK:
        if key in _PROFILES:
            return _PROFILES[key]
    profile = read_profile(files)
    with _LOCK:
        _PROFILES[key] = profile
    return profile
