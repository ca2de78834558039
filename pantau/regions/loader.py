"""Load the administrative tree from CSV and GeoJSON files (the layout of shared/data/probolinggo).

DIR/kabupaten.csv     optional: code,name,provinsi_name (names the levels above kecamatan)
DIR/kecamatan.csv     code,name
DIR/desa.csv          code,kecamatan_code,name,type (type: desa | kelurahan)
DIR/tps.csv           optional: desa_code,number[,name]
DIR/kecamatan.geojson, DIR/desa.geojson   optional boundaries, features keyed by properties.code

Everything is checked before anything is written; one bad row rejects the whole load, and the
error names the file and the line (or the GeoJSON feature). Loading the same files twice changes
nothing.
"""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from pantau.lib.errors import InputFileError, SourceError
from pantau.lib.geo import GeometryError, check_area
from pantau.regions.models import CODE_PATTERNS, LEVEL_ORDER, Level, Region, parent_code

FIELDS = ("name", "level", "kind", "parent_id", "geometry", "centroid_lat", "centroid_lon")


@dataclass
class Row:
    code: str
    name: str
    level: str
    kind: str = ""
    geometry: dict | None = None
    centroid: tuple[float, float] | None = None
    where: str = ""


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, directory: Path):
        self.directory = directory
        self.rows: dict[str, Row] = {}
        self.errors: list[SourceError] = []
        self.warnings: list[str] = []
        self.known = set(Region.objects.values_list("code", flat=True))

    def error(self, source: str, where, message: str) -> None:
        self.errors.append(SourceError(source, where, message))

    def csv_rows(self, name: str, required: tuple[str, ...], optional_file: bool = False):
        path = self.directory / name
        if not path.exists():
            if not optional_file:
                self.error(name, None, _("file not found in %(dir)s") % {"dir": self.directory})
            return
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                self.error(name, 1, _("missing column(s): %(cols)s") % {"cols": ", ".join(missing)})
                return
            for record in reader:
                clean = {k: (v or "").strip() for k, v in record.items() if k}
                yield reader.line_num, clean

    def add(self, source: str, line: int, row: Row) -> None:
        where = f"{source}:{line}"
        if not CODE_PATTERNS[row.level].match(row.code):
            self.error(
                source,
                line,
                _("code %(code)r is not a Kemendagri code for level %(level)s")
                % {"code": row.code, "level": row.level},
            )
            return
        if not row.name:
            self.error(source, line, _("region %(code)s has no name") % {"code": row.code})
            return
        if row.code in self.rows:
            self.error(
                source,
                line,
                _("duplicate code %(code)s (first seen at %(first)s)")
                % {"code": row.code, "first": self.rows[row.code].where},
            )
            return
        row.where = where
        self.rows[row.code] = row

    def exists(self, code: str) -> bool:
        return code in self.rows or code in self.known

    def read(self) -> None:
        for line, rec in self.csv_rows("kabupaten.csv", ("code", "name"), optional_file=True):
            self.add(
                "kabupaten.csv",
                line,
                Row(rec["code"], rec["name"], Level.KABUPATEN, rec.get("kind") or "kabupaten"),
            )
            province = parent_code(rec["code"])
            if rec.get("provinsi_name") and province and province not in self.rows:
                self.add("kabupaten.csv", line, Row(province, rec["provinsi_name"], Level.PROVINSI))

        for line, rec in self.csv_rows("kecamatan.csv", ("code", "name")):
            self.add("kecamatan.csv", line, Row(rec["code"], rec["name"], Level.KECAMATAN))

        for line, rec in self.csv_rows("desa.csv", ("code", "kecamatan_code", "name")):
            code, kecamatan = rec["code"], rec["kecamatan_code"]
            if parent_code(code) != kecamatan:
                self.error(
                    "desa.csv",
                    line,
                    _("village %(code)s does not belong to kecamatan %(kec)s by its code")
                    % {"code": code, "kec": kecamatan},
                )
                continue
            if not self.exists(kecamatan):
                self.error(
                    "desa.csv",
                    line,
                    _(
                        "unknown parent: kecamatan %(kec)s of village %(code)s is neither in "
                        "kecamatan.csv nor already loaded"
                    )
                    % {"kec": kecamatan, "code": code},
                )
                continue
            kind = rec.get("type") or ("kelurahan" if code[-4] == "1" else "desa")
            if kind not in ("desa", "kelurahan"):
                self.error(
                    "desa.csv", line, _("type must be desa or kelurahan, not %(t)r") % {"t": kind}
                )
                continue
            self.add("desa.csv", line, Row(code, rec["name"], Level.DESA, kind))

        for line, rec in self.csv_rows("tps.csv", ("desa_code", "number"), optional_file=True):
            desa, number = rec["desa_code"], rec["number"]
            if not number.isdigit() or not 0 < int(number) < 1000:
                self.error(
                    "tps.csv", line, _("TPS number must be 1 to 999, not %(n)r") % {"n": number}
                )
                continue
            if not self.exists(desa):
                self.error("tps.csv", line, _("unknown parent: village %(code)s") % {"code": desa})
                continue
            code = f"{desa}.{int(number):03d}"
            self.add("tps.csv", line, Row(code, rec.get("name") or f"{int(number):03d}", Level.TPS))

        self.read_geojson("kecamatan.geojson", Level.KECAMATAN)
        self.read_geojson("desa.geojson", Level.DESA)
        self.imply_ancestors()

    def read_geojson(self, name: str, level: str) -> None:
        path = self.directory / name
        if not path.exists():
            return
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            self.error(name, line, _("not valid JSON: %(err)s") % {"err": exc})
            return
        features = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(features, list):
            self.error(name, None, _("not a GeoJSON FeatureCollection"))
            return
        for index, feature in enumerate(features, start=1):
            where = _("feature %(n)d") % {"n": index}
            props = feature.get("properties") if isinstance(feature, dict) else None
            code = str((props or {}).get("code") or "").strip()
            row = self.rows.get(code)
            if row is None or row.level != level:
                self.error(
                    name,
                    where,
                    _("code %(code)r is not a %(level)s in the CSV files")
                    % {"code": code, "level": level},
                )
                continue
            try:
                row.centroid = check_area(feature.get("geometry"))
            except GeometryError as exc:
                self.error(
                    name,
                    where,
                    _("broken geometry for %(code)s: %(why)s") % {"code": code, "why": exc},
                )
                continue
            row.geometry = feature["geometry"]

    def imply_ancestors(self) -> None:
        """Kabupaten and province of the kecamatan, when no file names them."""
        for row in list(self.rows.values()):
            code = parent_code(row.code)
            while code and not self.exists(code):
                level = LEVEL_ORDER[code.count(".")]
                self.rows[code] = Row(code, code, level, where="(implied)")
                self.warnings.append(
                    _(
                        "%(level)s %(code)s is named in no file; created with its code as name. "
                        "Add kabupaten.csv (code,name,provinsi_name) to name it."
                    )
                    % {"level": level, "code": code}
                )
                code = parent_code(code)


def load_regions(
    directory: Path | str, *, progress: Callable[[str], None] = lambda m: None
) -> LoadResult:
    directory = Path(directory)
    if not directory.is_dir():
        raise InputFileError(
            _("Cannot load regions"), [SourceError(str(directory), None, _("not a directory"))]
        )
    progress(_("Reading %(dir)s ...") % {"dir": directory})
    reader = _Reader(directory)
    reader.read()
    if reader.errors:
        raise InputFileError(
            _(
                "Regions not loaded: %(n)d problem(s) found, nothing was written. "
                "Fix the files and run the command again."
            )
            % {"n": len(reader.errors)},
            reader.errors,
        )
    result = LoadResult(warnings=reader.warnings)
    with transaction.atomic():
        existing = {r.code: r for r in Region.objects.filter(code__in=list(reader.rows))}
        ids = dict(
            Region.objects.filter(
                code__in={parent_code(c) for c in reader.rows if parent_code(c)}
            ).values_list("code", "id")
        )
        for level in LEVEL_ORDER:
            rows = [r for r in reader.rows.values() if r.level == level]
            if not rows:
                continue
            progress(_("  %(level)s: %(n)d") % {"level": level, "n": len(rows)})
            result.by_level[level] = len(rows)
            new, changed = [], []
            for row in rows:
                region = existing.get(row.code) or Region(code=row.code)
                before = [getattr(region, f) for f in FIELDS] if region.pk else None
                region.name, region.level, region.kind = row.name, row.level, row.kind
                parent = parent_code(row.code)
                region.parent_id = ids.get(parent) if parent else None
                if row.geometry is not None:
                    region.geometry = row.geometry
                    region.centroid_lat, region.centroid_lon = row.centroid
                if before is None:
                    new.append(region)
                elif before != [getattr(region, f) for f in FIELDS]:
                    changed.append(region)
                else:
                    result.unchanged += 1
            Region.objects.bulk_create(new, batch_size=500)
            Region.objects.bulk_update(changed, FIELDS, batch_size=500)
            result.created += len(new)
            result.updated += len(changed)
            ids.update(
                Region.objects.filter(level=level, code__in=[r.code for r in rows]).values_list(
                    "code", "id"
                )
            )
    _analyze()
    return result


def _analyze() -> None:
    """New statistics of the regions at once: every territory filter is a code prefix whose
    size PostgreSQL estimates from them (see migration 0002), and autovacuum may be late."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE regions_region")
