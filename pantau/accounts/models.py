from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from pantau.instruction.models import Role
from pantau.lib.nip import normalize_nip
from pantau.lib.phones import normalize


class User(AbstractUser):
    """A person using Pantau. What they may see follows from role, position and regions.

    - role decides the kind of territory (accounts/access.py is the one place that reads it);
    - position ties an Asisten, a camat, a Kepala OPD or the Pj Bupati to the instruction;
    - regions lists the villages or areas of a village account or a field monitor;
    - agency is the external agency (or OPD) the account speaks for.
    """

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MONITOR)
    position = models.ForeignKey(
        "instruction.Position",
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holders",
    )
    agency = models.ForeignKey(
        "instruction.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    regions = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("assigned regions"),
        blank=True,
        related_name="members",
        help_text=_("for village accounts and field monitors"),
    )
    phone = models.CharField(
        _("phone"),
        max_length=32,
        blank=True,
        help_text=_("international form, e.g. +6281234567890 (WhatsApp and SMS reports)"),
    )
    # For the signature block of the official letters the person signs (naskah dinas): their
    # civil-service rank and NIP (Nomor Induk Pegawai), kept with the person, who changes office
    # with them. Set by the instruction file's `people:` / `camat:` entries or on the profile.
    rank = models.CharField(
        _("rank (pangkat, golongan)"),
        max_length=100,
        blank=True,
        help_text=_("e.g. Pembina (IV/a)"),
    )
    nip = models.CharField(
        _("NIP"),
        max_length=21,
        blank=True,
        help_text=_("civil servant number, 18 digits, e.g. 19750312 200003 1 004"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # A message from a number must name one person.
            models.UniqueConstraint(
                fields=["phone"], condition=~models.Q(phone=""), name="accounts_user_phone_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        try:
            self.phone = normalize(self.phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None
        try:
            self.nip = normalize_nip(self.nip)
        except ValidationError as exc:
            raise ValidationError({"nip": exc.messages}) from None

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username
