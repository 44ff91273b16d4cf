"""Storage of frameworks: organisations, units, areas, measures, standards, peer groups.

The framework file (YAML) is validated by ``pmf.core.framework``; these tables
hold what was loaded so that the command line and the web application share one
schema. ``services.framework_of`` rebuilds the core ``Framework`` from them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def in_language(name: str, welsh: str) -> str:
    """Return ``welsh`` to a reader of Welsh when there is one, else ``name``."""
    language = (translation.get_language() or "").lower()
    return welsh if welsh and language.startswith("cy") else name


class Organisation(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    # The framework file's ``name_cy``: shown to readers who chose Welsh (blank: the name).
    name_cy = models.CharField(max_length=300, blank=True, default="")
    kind = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)
    description_cy = models.TextField(blank=True, default="")
    source = models.TextField(blank=True)
    licence = models.CharField(max_length=200, blank=True)
    # The external unit whose figures are the national value (England, say).
    national = models.CharField(max_length=64, blank=True)
    framework_file = models.CharField(max_length=500, blank=True)
    # The framework file's grading rules, as validated (empty: the defaults).
    grading = models.JSONField(default=dict, blank=True)
    # The framework file's menu of interventions, as validated (empty: the default menu).
    interventions = models.JSONField(default=dict, blank=True)
    # The framework file's risk register scales and threshold, as validated (empty: defaults).
    risk_register = models.JSONField(default=dict, blank=True)
    # The framework file's SPC defaults (windows per frequency, baseline points), as validated.
    spc = models.JSONField(default=dict, blank=True)
    # The framework file's funnel defaults (overdispersion), as validated; {} for none.
    funnel = models.JSONField(default=dict, blank=True)
    # The framework file's scoring section (scale, measures' weights and thresholds); {} for none.
    scoring = models.JSONField(default=dict, blank=True)
    # The framework file's ``maps`` section (boundary file, code property), as validated.
    maps = models.JSONField(default=dict, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """Return the name in the reader's language: ``name_cy`` for Welsh readers, if given."""
        return in_language(self.name, self.name_cy)


class Unit(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    # The framework file's ``name_cy``: shown to readers who chose Welsh (blank: the name).
    name_cy = models.CharField(max_length=300, blank=True, default="")
    type = models.CharField(max_length=64)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    external = models.BooleanField(default=False)
    # The framework file's ``member``: the first and last periods the unit is in the framework
    # (period codes; blank: since always, or still in it).
    member_from = models.CharField(max_length=40, blank=True, default="")
    member_until = models.CharField(max_length=40, blank=True, default="")
    # The framework file's ``ons_code``: the unit's ONS (GSS) area code, blank for none.
    ons_code = models.CharField(max_length=9, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="unit_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def shown_name(self) -> str:
        """Return the name in the reader's language: ``name_cy`` for Welsh readers, if given."""
        return in_language(self.name, self.name_cy)


class Area(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    # The framework file's ``name_cy``: shown to readers who chose Welsh (blank: the name).
    name_cy = models.CharField(max_length=300, blank=True, default="")
    description = models.TextField(blank=True)
    description_cy = models.TextField(blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="area_code_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """Return the name in the reader's language: ``name_cy`` for Welsh readers, if given."""
        return in_language(self.name, self.name_cy)


class AreaName(models.Model):
    """A former name of an area, oldest first: the rename history."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="former_names")
    name = models.CharField(max_length=200)
    until = models.CharField(max_length=64, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["area", "position"]

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="measures"
    )
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    # The framework file's ``name_cy``: shown to readers who chose Welsh (blank: the name).
    name_cy = models.CharField(max_length=300, blank=True, default="")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(max_length=16)
    polarity = models.CharField(max_length=32)
    unit_of_measure = models.CharField(max_length=32)
    frequency = models.CharField(max_length=32)
    window_months = models.PositiveIntegerField(null=True, blank=True)
    multiplier = models.FloatField(default=1.0)
    numerator = models.CharField(max_length=300, blank=True)
    denominator = models.CharField(max_length=300, blank=True)
    decimals = models.PositiveSmallIntegerField(default=1)
    owner = models.CharField(max_length=200, blank=True)
    source = models.TextField(blank=True)
    description = models.TextField(blank=True)
    description_cy = models.TextField(blank=True, default="")
    rollup = models.CharField(max_length=16, default="none")
    rollup_partial = models.BooleanField(default=False)
    # How a weekly or daily measure's figures make a month's (sum, mean, last, pooled_ratio).
    period_rollup = models.CharField(max_length=16, blank=True, default="")
    # The framework file's SPC block (window, baseline, rebases, events), as validated.
    spc = models.JSONField(default=dict, blank=True)
    # The framework file's valid block (plausibility rules), as validated; {} for the defaults.
    valid = models.JSONField(default=dict, blank=True)
    # The framework file's funnel block (overdispersion), as validated; {} for the framework's.
    funnel = models.JSONField(default=dict, blank=True)
    # The framework file's standardised block (how the value is computed from age bands), as
    # validated; {} for a measure whose figures are given as they are.
    standardised = models.JSONField(default=dict, blank=True)
    # The framework file's formula, as written; empty for a measure whose figures are given.
    formula = models.CharField(max_length=2000, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="measure_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def shown_name(self) -> str:
        """Return the name in the reader's language: ``name_cy`` for Welsh readers, if given."""
        return in_language(self.name, self.name_cy)


class Standard(models.Model):
    """What 'met' means for a measure; ``definition`` holds the validated fields by type."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="standards")
    position = models.PositiveIntegerField(default=0)
    type = models.CharField(max_length=32)
    definition = models.JSONField()

    class Meta:
        ordering = ["measure", "position"]

    def __str__(self) -> str:
        return f"{self.measure.code}: {self.type}"


class PeerGroup(models.Model):
    """A unit's Most Similar Group, or (``unit`` empty) units that are each other's peers."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="peer_groups"
    )
    name = models.CharField(max_length=200)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="peer_groups"
    )
    members = models.ManyToManyField(Unit, related_name="member_of_peer_groups")
    include_self = models.BooleanField(default=True)
    method = models.CharField(max_length=200, default="given")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "position"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A target for a measure over a span of periods, for one unit or (``unit`` empty) all.

    Targets keep their history as figures do: changing or withdrawing one marks the old row
    superseded, with who and when, and never deletes it.
    """

    class Origin(models.TextChoices):
        FRAMEWORK = "framework", _("Framework file")
        SET = "set", _("Set by a person")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="targets")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="targets")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="targets"
    )
    # Period codes ("2025/26", "2025-04"); ``ends`` empty: until replaced.
    starts = models.CharField(max_length=40)
    ends = models.CharField(max_length=40, blank=True)
    comparison = models.CharField(max_length=2, blank=True)
    value = models.FloatField()
    amber_within = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    position = models.PositiveIntegerField(default=0)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "position", "recorded_at"]

    def __str__(self) -> str:
        where = self.unit.code if self.unit else "all units"
        return f"{self.measure.code} {where} from {self.starts}: {self.value}"


class ComputedPeerGroups(models.Model):
    """One computed version of an organisation's Most Similar Groups, with how it was made.

    A new version supersedes the last, which is kept with ``superseded_at`` set; the
    current version (not superseded) gives the units in it their peer groups.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="computed_peer_groups"
    )
    number = models.PositiveIntegerField()
    method = models.TextField()
    # The context variables in order, their weights ({variable: weight}) and group size.
    variables = models.JSONField(default=list)
    weights = models.JSONField(default=dict)
    n = models.PositiveIntegerField()
    # The context values used: {unit code: {variable: value}}.
    inputs = models.JSONField(default=dict)
    source = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="computed_peer_groups_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.code} computed peer groups, version {self.number}"


class ComputedPeer(models.Model):
    """One unit's peer in a computed version: its rank (1 nearest) and distance."""

    version = models.ForeignKey(ComputedPeerGroups, on_delete=models.CASCADE, related_name="peers")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    peer = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField()
    distance = models.FloatField()

    class Meta:
        ordering = ["version", "unit__position", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "unit", "rank"], name="computed_peer_rank_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.rank}: {self.peer.code} ({self.distance:.3f})"


class SpcMark(models.Model):
    """A rebase or an event on a measure's SPC chart, added by an analyst in the application.

    For one unit, or (``unit`` empty) every unit. Combined with the framework file's own
    (``services.framework_of``). Changing or withdrawing one marks the row superseded, with
    who, when and why, and never deletes it.
    """

    class Kind(models.TextChoices):
        REBASE = "rebase", _("Rebase")
        EVENT = "event", _("Event")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="spc_marks"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="spc_marks")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="spc_marks"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # A period code of the measure's frequency ("2025-04").
    period = models.CharField(max_length=40)
    # A rebase's reason, or an event's text.
    text = models.CharField(max_length=500)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why it was changed or withdrawn.
    superseded_because = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["organisation", "measure", "period", "recorded_at"]

    def __str__(self) -> str:
        where = self.unit.code if self.unit else "all units"
        return f"{self.get_kind_display()} of {self.measure.code} {where} at {self.period}"


class StatutoryReturn(models.Model):
    """A statutory return of the framework file: its definition and its template's bytes.

    ``definition`` holds the validated ``returns`` entry; ``template`` the CSV or XLSX file it
    names, read from beside the framework file when it was loaded, so that the web application
    fills it without the file at hand. Each export is recorded in the audit trail.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="statutory_returns"
    )
    code = models.CharField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    definition = models.JSONField()
    template = models.BinaryField()
    template_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["organisation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="return_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation.code} return {self.code}"


class UnitBoundaries(models.Model):
    """The units' boundaries read from the file the framework names (``maps``), checked.

    ``shapes`` maps each drawn unit's ONS code to its GeoJSON geometry, simplified
    (``pmf.core.boundaries``): pages and papers draw maps from it and never read the file.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="boundaries"
    )
    file = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    code_property = models.CharField(max_length=100)
    shapes = models.JSONField(default=dict)
    points = models.PositiveIntegerField(default=0)
    points_read = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organisation.code} boundaries from {self.file}"
