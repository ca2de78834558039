import re

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINSI = "provinsi", _("province")
    KABUPATEN = "kabupaten", _("regency / city")
    KECAMATAN = "kecamatan", _("district")
    DESA = "desa", _("village")
    TPS = "tps", _("polling station")


# A Kemendagri code has one more dotted part per level: 35 / 35.13 / 35.13.01 / 35.13.01.2001;
# a TPS adds its number to the village's code (35.13.01.2001.003).
CODE_PATTERNS = {
    Level.PROVINSI: re.compile(r"^\d{2}$"),
    Level.KABUPATEN: re.compile(r"^\d{2}\.\d{2}$"),
    Level.KECAMATAN: re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    Level.DESA: re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"),
    Level.TPS: re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}\.\d{3}$"),
}
LEVEL_ORDER = list(CODE_PATTERNS)


def level_of_code(code: str) -> Level | None:
    for level, pattern in CODE_PATTERNS.items():
        if pattern.match(code):
            return level
    return None


def parent_code(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


# The nation: the one node above the provinces. Not a row (every province is a root of the
# table, and a subtree is a code prefix, which no code can be for all of them): `Region.nation()`
# is an unsaved region with this code and level, and `within` / `Region.subtree_q` know that
# everything lies inside it. Who may open it is `accounts.access`'s business.
NATION_CODE = "ID"
NATIONAL = "nasional"


def within(code: str, root: str) -> bool:
    """True when the region `code` is `root` or lies inside it (the nation holds everything)."""
    return root == NATION_CODE or code == root or code.startswith(root + ".")


class Region(models.Model):
    """One node of the administrative tree, keyed by its official Kemendagri code."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=16, blank=True, help_text=_("e.g. desa or kelurahan")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    geometry = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("region", args=[self.code])

    @classmethod
    def nation(cls) -> "Region":
        """The whole country as an (unsaved) region above the provinces: its children are the
        provinces, its subtree every region. Never saved: it has no pk and no boundary."""
        return cls(code=NATION_CODE, name="Indonesia", level=NATIONAL)

    @staticmethod
    def subtree_q(code: str, field: str = "code") -> Q:
        """A filter on `field` (a region code, e.g. "region__code") selecting the region `code`
        and everything inside it."""
        if code == NATION_CODE:
            # Not Q(): an empty Q vanishes when OR-ed with another condition. On a foreign key's
            # code ("region__code"), the key itself: no join for a condition true of every row.
            if field.endswith("__code"):
                return Q(**{f"{field.removesuffix('__code')}__isnull": False})
            return Q(**{f"{field}__isnull": False})
        return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})

    @property
    def is_nation(self) -> bool:
        return self.code == NATION_CODE

    @property
    def title(self) -> str:
        """The name as officials write it: 'Kecamatan Tongas', 'Desa Ngadisari'."""
        prefix = {
            Level.PROVINSI: "Provinsi",
            Level.KECAMATAN: "Kecamatan",
            Level.TPS: "TPS",
        }.get(self.level)
        if self.level in (Level.DESA, Level.KABUPATEN) and self.kind:
            prefix = self.kind.capitalize()
        return f"{prefix} {self.name}" if prefix else self.name

    def is_within(self, code: str) -> bool:
        """True when this region is `code` or lies inside it."""
        return within(self.code, code)
