"""The status gates (docs/qualification.md, "Status gates"): what a supplier needs for its
next status, read in a few queries. The service `supplier_update` refuses a transition
with these messages; the supplier page shows them as "to approve: ...".
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max

from suppliers.certificate_kinds import certificate_kind_label
from suppliers.esg import months_before
from suppliers.models import (
    Certificate,
    QualificationAssessment,
    QualificationTemplate,
    Supplier,
    SupplierStatusChange,
)

Status = Supplier.Status


def qualification_template() -> QualificationTemplate:
    template, _ = QualificationTemplate.objects.get_or_create(pk=1)
    return template


def latest_submitted_assessment(supplier: Supplier) -> QualificationAssessment | None:
    return (
        QualificationAssessment.objects.filter(
            supplier=supplier, state=QualificationAssessment.State.SUBMITTED
        )
        .select_related("assessed_by", "category")
        .order_by("-assessed_on", "-submitted_at", "-id")
        .first()
    )


def qualifying_assessment(
    supplier: Supplier, *, as_of: dt.date, months: int
) -> QualificationAssessment | None:
    """The latest submitted, passed assessment younger than the re-qualification interval."""
    return (
        QualificationAssessment.objects.filter(
            supplier=supplier,
            state=QualificationAssessment.State.SUBMITTED,
            passed=True,
            assessed_on__gt=months_before(as_of, months),
        )
        .select_related("assessed_by")
        .order_by("-assessed_on", "-id")
        .first()
    )


def required_certificates(supplier: Supplier) -> list[tuple[str, str]]:
    """(kind, category name) pairs the categories of the parts it sources require."""
    rows = (
        Supplier.objects.filter(
            pk=supplier.pk,
            sources__is_active=True,
            sources__part__category__required_certificates__isnull=False,
        )
        .values_list(
            "sources__part__category__required_certificates__kind",
            "sources__part__category__name",
        )
        .distinct()
    )
    return sorted(set(rows))


def valid_certificate_kinds(supplier_id: int, *, as_of: dt.date) -> set[str]:
    """Kinds whose newest certificate is valid on `as_of` (a renewal replaces the old one)."""
    return {
        row["kind"]
        for row in Certificate.objects.filter(supplier_id=supplier_id)
        .values("kind")
        .annotate(latest=Max("valid_until"))
        if row["latest"] >= as_of
    }


def missing_certificates(supplier: Supplier, *, as_of: dt.date) -> list[str]:
    """'ISO 9001 missing for category Fasteners' per required kind not held and valid."""
    valid = valid_certificate_kinds(supplier.pk, as_of=as_of)
    held = set(Certificate.objects.filter(supplier=supplier).values_list("kind", flat=True))
    missing = []
    for kind, category in required_certificates(supplier):
        if kind in valid:
            continue
        label = certificate_kind_label(kind).split(" (")[0]
        state = "expired" if kind in held else "missing"
        missing.append(f"{label} {state} for category {category}")
    return missing


@dataclass
class Gate:
    """What stands between a supplier and a status."""

    status: str
    missing: list[str] = field(default_factory=list)
    assessment: QualificationAssessment | None = None

    @property
    def open(self) -> bool:
        return not self.missing


def _assessment_missing(supplier, assessment, *, as_of, months) -> list[str]:
    if assessment is not None:
        return []
    latest = latest_submitted_assessment(supplier)
    if latest is None:
        return [f"a submitted, passed assessment younger than {months} months (none on file)"]
    if not latest.passed:
        return [
            f"a passed assessment (latest, {latest.assessed_on}, failed: {latest.outcome_reason})"
        ]
    return [
        f"a passed assessment younger than {months} months "
        f"(latest passed {latest.assessed_on}; re-qualify)"
    ]


def supplier_gate(supplier: Supplier, *, to: str, actor=None, as_of: dt.date) -> Gate:
    """What the supplier still needs to move to status `to` (empty: the gate is open)."""
    gate = Gate(status=to)
    if to in (Status.QUALIFIED, Status.APPROVED) and not (
        to == Status.APPROVED and supplier.status == Status.ON_HOLD
    ):
        months = qualification_template().requalification_months
        gate.assessment = qualifying_assessment(supplier, as_of=as_of, months=months)
        gate.missing += _assessment_missing(supplier, gate.assessment, as_of=as_of, months=months)
        if to == Status.APPROVED:
            gate.missing += missing_certificates(supplier, as_of=as_of)
            assessor = gate.assessment.assessed_by_id if gate.assessment else None
            if actor is None or getattr(actor, "pk", None) is None:
                gate.missing.append("a second buyer to approve (four eyes)")
            elif assessor is not None and assessor == actor.pk:
                gate.missing.append(
                    "a second buyer: the assessor of the qualifying assessment may not approve "
                    "(four eyes)"
                )
    return gate


def supplier_gate_summary(supplier: Supplier, *, as_of: dt.date) -> str:
    """'qualified; to approve: ISO 9001 missing for category Fasteners; needs a second buyer'."""
    label = supplier.get_status_display().lower()
    following = {
        Status.PROSPECT: (Status.QUALIFIED, "to qualify"),
        Status.QUALIFIED: (Status.APPROVED, "to approve"),
    }.get(supplier.status)
    if following is None:
        return label
    to, verb = following
    gate = supplier_gate(supplier, to=to, actor=None, as_of=as_of)
    needs = [m for m in gate.missing if not m.startswith("a second buyer")]
    if to == Status.APPROVED:
        needs.append("needs a second buyer (not the assessor)")
    return f"{label}; {verb}: " + "; ".join(needs) if needs else f"{label}; ready {verb}"


def no_assessment_on_file(supplier: Supplier) -> bool:
    """Brought over from another system in an advanced status, with no assessment yet."""
    if supplier.status == Status.PROSPECT:
        return False
    return not QualificationAssessment.objects.filter(
        supplier=supplier, state=QualificationAssessment.State.SUBMITTED
    ).exists()


def status_history(supplier: Supplier):
    return SupplierStatusChange.objects.filter(supplier=supplier).select_related(
        "actor", "assessment"
    )
