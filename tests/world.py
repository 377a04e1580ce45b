"""One object of every kind for each of two suppliers, for the tests that walk every route.

ACME (supplier A) and BOLT (supplier B) each own a part of their own and share P-SHARED;
each has a source, a contract with a rule, a price tier, a volume commitment and its audit
entry, an order with a line and a promise revision, a ship notice with a line and a
transit event, a receipt, an inspection, a certificate, an ESG answer, a qualification
assessment, scorecard rows, a message thread, a colleague invitation and alerts (a late
line its contact sees, a KPI alert only buyers see). Internal data (FX rate, stock reading,
scorecard template, source audit, rule firing and exception, alert email, user profile)
belongs to neither. Every string that would betray BOLT to ACME's contact is in
`World.sides["B"].secrets`.

It is built once per module (`world_module`) and handed to each test by `full_world`:
the walks make hundreds of requests, each test inside a savepoint that is rolled back.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.test import override_settings

from contracts.models import ContractChange, ContractRule, PriceTier, VolumeCommitment
from purchasing.models import PromiseRevision, ShipNotice, ShipNoticeLine, TransitEvent
from scorecards.models import (
    PartScorecard,
    ScorecardAssignment,
    ScorecardTemplate,
    SupplierScorecard,
)
from suppliers.models import (
    Certificate,
    EsgAssessment,
    QualificationAssessment,
    QualificationCriterion,
    QualificationScore,
)
from tests.factories import (
    ApprovedSourceFactory,
    ContractFactory,
    FxRateFactory,
    InspectionFactory,
    InventoryPositionFactory,
    PartFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
    SupplierContactFactory,
    SupplierFactory,
    UserFactory,
)

AS_OF = dt.date(2026, 3, 31)
PDF = "application/pdf"
ROLES = ("anonymous", "admin", "buyer", "viewer", "contact_a", "contact_b")
INTERNAL = ("admin", "buyer", "viewer")


@dataclass
class Side:
    """One supplier's business: its contact and the main object of each kind it owns."""

    supplier: object
    contact: object
    objects: dict = field(default_factory=dict)  # model → instance
    owned: dict = field(default_factory=dict)  # model → pks of every instance it owns
    secrets: tuple = ()

    def add(self, instance, *, main: bool = True):
        model = type(instance)
        if main:
            self.objects.setdefault(model, instance)
        self.owned.setdefault(model, set()).add(instance.pk)
        return instance


@dataclass
class World:
    users: dict  # role → user (anonymous: None)
    sides: dict  # "A" / "B" → Side
    internal: dict  # model → an instance of internal data (no supplier)
    shared: dict  # model → instance both suppliers see (the shared part)
    media_root: str = ""

    def object_for(self, model, side: str):
        """The instance of `model` a URL about supplier `side` names, or None.

        `side` is "A" or "B"; "A+shared" prefers what both suppliers see (the shared part).
        """
        if side.endswith("+shared"):
            if model in self.shared:
                return self.shared[model]
            side = side.removesuffix("+shared")
        owner = self.sides[side]
        for candidate in (owner.objects, self.internal):
            if model in candidate:
                return candidate[model]
        for known, instance in [*owner.objects.items(), *self.internal.items()]:
            if issubclass(known, model):
                return instance
        return None


def _business(side: Side, *, code: str, price: str, own_part, shared_part, user) -> None:
    supplier = side.supplier
    side.add(ApprovedSourceFactory(part=own_part, supplier=supplier, unit_price=Decimal(price)))
    side.add(
        ApprovedSourceFactory(part=shared_part, supplier=supplier, unit_price=Decimal(price)),
        main=False,
    )
    contract = side.add(ContractFactory(supplier=supplier, reference=f"C-{code}-1"))
    side.add(
        ContractRule.objects.create(
            contract=contract,
            name=f"{code} OTD floor",
            metric="otd_pct",
            comparator="lt",
            threshold=Decimal("85"),
            action="notify",
        )
    )
    side.add(
        PriceTier.objects.create(
            contract=contract,
            part=own_part,
            min_quantity=Decimal("1000"),
            unit_price=Decimal(price),
        )
    )
    side.add(
        VolumeCommitment.objects.create(contract=contract, part=own_part, min_quantity_per_year=100)
    )
    side.add(
        ContractChange.objects.create(
            contract=contract, object_type="contract", object_id=contract.pk, kind="created"
        )
    )
    order = side.add(
        PurchaseOrderFactory(number=f"PO-{code}-1", supplier=supplier, created_by=user)
    )
    line = side.add(
        PurchaseOrderLineFactory(
            purchase_order=order, line_number=1, part=own_part, unit_price=Decimal(price)
        )
    )
    side.add(
        PurchaseOrderLineFactory(
            purchase_order=order, line_number=2, part=shared_part, unit_price=Decimal(price)
        ),
        main=False,
    )
    side.add(
        PromiseRevision.objects.create(
            line=line,
            previous_date=line.promised_date,
            new_date=line.promised_date + dt.timedelta(days=3),
            reason="capacity",
        )
    )
    notice = side.add(
        ShipNotice.objects.create(
            number=f"ASN-{code}-1",
            supplier=supplier,
            ship_date=dt.date(2026, 2, 1),
            eta=dt.date(2026, 2, 9),
            carrier=f"{code} Freight",
            tracking_number=f"TRK-{code}-1",
        )
    )
    side.add(ShipNoticeLine.objects.create(ship_notice=notice, line=line, quantity=Decimal("10")))
    side.add(
        TransitEvent.objects.create(
            ship_notice=notice,
            occurred_at=dt.datetime(2026, 2, 2, tzinfo=dt.UTC),
            location=f"{code} dock",
        )
    )
    receipt = side.add(ReceiptFactory(number=f"GR-{code}-1", line=line))
    side.add(InspectionFactory(receipt=receipt, defective_quantity=Decimal("2")))
    _invoice(side, code=code, line=line, price=price)
    certificate = Certificate(
        supplier=supplier, kind="iso_9001", number=f"Q-{code}-9001", valid_until=dt.date(2027, 1, 1)
    )
    for name, value in (("document_name", "iso-9001.pdf"), ("document_content_type", PDF)):
        if hasattr(certificate, name):
            setattr(certificate, name, value)
    certificate.document.save("iso-9001.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    certificate.save()
    side.add(certificate)
    esg_score = _installed("suppliers.SupplierEsgScore")
    if esg_score is not None:
        side.add(
            esg_score.objects.create(supplier=supplier, esg_score=50, as_of=dt.date(2026, 1, 1))
        )
    side.add(
        EsgAssessment.objects.create(
            supplier=supplier,
            answered_on=dt.date(2026, 1, 1),
            emissions_score=3,
            waste_score=3,
            labour_score=4,
            traceability_score=2,
        )
    )
    _threads_and_invitations(side, code=code, order=order, user=user)
    _alerts(side, code=code, line=line)
    assessment = side.add(
        # A draft, so the assessment's edit page opens (a submitted one redirects).
        QualificationAssessment.objects.create(
            supplier=supplier, assessed_on=dt.date(2025, 6, 1), state="draft"
        )
    )
    for criterion in QualificationCriterion.objects.order_by("pk"):
        side.add(
            QualificationScore.objects.create(
                assessment=assessment, criterion=criterion, score=4, weight=criterion.weight
            )
        )


def _installed(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _threads_and_invitations(side: Side, *, code: str, order, user) -> None:
    """Message threads and colleague invitations, where the apps that own them are in."""
    thread_model = _installed("messaging.Thread")
    if thread_model is not None:
        thread = side.add(
            thread_model.objects.create(
                supplier=side.supplier,
                purchase_order=order,
                subject=f"{code} delivery dates",
                created_by=user,
            )
        )
        message = apps.get_model("messaging.Message")
        side.add(message.objects.create(thread=thread, author=user, body=f"{code}: dates?"))
        marker = _installed("messaging.ThreadReadMarker")
        if marker is not None:
            side.add(marker.objects.create(thread=thread, user=side.contact))
    invitation = _installed("portal.ContactInvitation")
    if invitation is not None:
        side.add(
            invitation.objects.create(
                supplier=side.supplier,
                email=f"new.colleague@{code.lower()}.example",
                invited_by=side.contact,
            )
        )


def _invoice(side: Side, *, code: str, line, price: str) -> None:
    """An invoice waiting for a buyer (billed more than received), where invoicing is in."""
    invoice_model = _installed("invoicing.Invoice")
    if invoice_model is None:
        return
    invoice = side.add(
        invoice_model.objects.create(
            supplier=side.supplier,
            number=f"INV-{code}-1",
            invoice_date=dt.date(2026, 3, 2),
            due_date=dt.date(2026, 4, 1),
            currency="EUR",
            total_amount=Decimal(price) * 120,
            status="exception",
            exception_raised_at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC),
        )
    )
    side.add(
        apps.get_model("invoicing.InvoiceLine").objects.create(
            invoice=invoice,
            line=line,
            quantity=Decimal("120"),
            unit_price=Decimal(price),
            match="quantity 120 is more than received 100 minus already invoiced 0 (tolerance 0)",
        )
    )


def _alerts(side: Side, *, code: str, line) -> None:
    """A late line (its contact's alert) and a KPI below target (an internal kind)."""
    alert = _installed("alerts.Alert")
    if alert is None:
        return
    seen = dt.datetime(2026, 3, 20, 7, 0, tzinfo=dt.UTC)
    common = {"supplier": side.supplier, "first_seen": seen, "last_seen": seen}
    side.add(
        alert.objects.create(
            kind="line_past_due",
            severity="warning",
            dedupe_key=f"line_past_due:{line.pk}",
            message=f"PO-{code}-1 line 1 is past due",
            purchase_order=line.purchase_order,
            line=line,
            part=line.part,
            **common,
        )
    )
    side.add(
        alert.objects.create(
            kind="kpi_below_target",
            severity="warning",
            dedupe_key=f"kpi_below_target:otd_pct:{side.supplier.pk}",
            message=f"{code} OTD 80.0% is below its target 85.0%",
            **common,
        ),
        main=False,
    )


def _stock_reject():
    from inventory.models import InventoryReject

    return InventoryReject.objects.create(
        topic="dualsource/stock/PLANT-1/NOPE",
        payload="not json",
        reason="The payload is not JSON.",
        received_at=dt.datetime(2026, 3, 30, 8, 0, tzinfo=dt.UTC),
    )


def _internal_records(*, users, sides, shared_part) -> dict:
    """Internal rows of the engine apps: what no supplier contact ever sees."""
    from accounts.services import user_profile_get
    from parts.models import ApprovedSource, SourceChange

    acme = sides["A"]
    source = acme.objects[ApprovedSource]
    found = {
        SourceChange: SourceChange.objects.create(
            source=source,
            part_number=source.part.number,
            supplier_code=acme.supplier.code,
            action="update",
            actor=users["buyer"],
            before={"target_share_pct": "50.00"},
            after={"target_share_pct": "60.00"},
        ),
    }
    profile = user_profile_get(user=users["buyer"])
    found[type(profile)] = profile
    category_model = _installed("parts.PartCategory")
    if category_model is not None:
        category = category_model.objects.create(code="fasteners", name="Fasteners")
        category.required_certificates.create(kind="iso_9001")
        found[category_model] = category
    rule = acme.objects[ContractRule]
    exception_model = _installed("rules.AllocationException")
    if exception_model is not None:
        exception = exception_model.objects.create(
            kind="both_in_breach", part=shared_part, supplier=acme.supplier, rule=rule
        )
        firing = _installed("rules.RuleFiring").objects.create(
            rule=rule,
            part=shared_part,
            supplier=acme.supplier,
            metric_value=80.0,
            outcome="exception",
            exception=exception,
            fired_at=dt.datetime(2026, 3, 20, 6, 0, tzinfo=dt.UTC),
        )
        change = apps.get_model("rules.AllocationChange").objects.create(
            part=shared_part,
            shares_before={"ACME": "50.00", "BOLT": "50.00"},
            shares_after={"ACME": "60.00", "BOLT": "40.00"},
            rule=rule,
            metric_value=80.0,
            actor=users["buyer"],
            reason="BOLT OTD below 85%",
        )
        found.update({exception_model: exception, type(firing): firing, type(change): change})
    alert = _installed("alerts.Alert")
    if alert is not None:
        seen = dt.datetime(2026, 3, 20, 7, 0, tzinfo=dt.UTC)
        # Stock belongs to no supplier: an alert only buyers see.
        found[alert] = low_stock = alert.objects.create(
            kind="low_stock",
            severity="critical",
            dedupe_key=f"low_stock:{shared_part.pk}:PLANT-1",
            message=f"{shared_part.number} at PLANT-1 is below its reorder point",
            part=shared_part,
            site="PLANT-1",
            first_seen=seen,
            last_seen=seen,
        )
        delivery = apps.get_model("alerts.EmailDelivery").objects.create(
            alert=low_stock,
            recipient=users["buyer"],
            alert_ids=[low_stock.pk],
            message_id=f"<alert-{low_stock.pk}.{users['buyer'].pk}@dualsource.test>",
        )
        severity = apps.get_model("alerts.AlertSeverity").objects.create(
            kind="single_sourced", severity="warning"
        )
        found.update({type(delivery): delivery, type(severity): severity})
    file_job = _installed("imports.FileJob")
    if file_job is not None:  # the import history: internal, never a contact's
        found[file_job] = file_job.objects.create(
            direction="import",
            kind="suppliers",
            filename="suppliers.csv",
            user=users["buyer"],
            file=ContentFile(b"code,name,country,currency\n", name="suppliers.csv"),
        )
    found.update(_planning_records(acme=acme, shared_part=shared_part))
    notification = _installed("messaging.MessageNotification")
    if notification is not None:
        message = apps.get_model("messaging.Message").objects.order_by("pk").first()
        found[notification] = notification.objects.create(message=message, recipient=acme.contact)
    found.update(_prediction_records(acme))
    return found


def _planning_records(*, acme, shared_part) -> dict:
    """A plan, a policy and a suggestion: internal planning figures no contact sees."""
    if _installed("planning.DemandPlan") is None:
        return {}
    from planning.models import DemandPlan, PlanningSetting, ReplenishmentPolicy
    from planning.models import ReplenishmentSuggestion as Suggestion

    site, day = "PLANT-1", dt.date(2026, 3, 16)
    common = {"part": shared_part, "site": site}
    return {
        DemandPlan: DemandPlan.objects.create(**common, period_start=day, quantity=40),
        PlanningSetting: PlanningSetting.objects.create(**common),
        ReplenishmentPolicy: ReplenishmentPolicy.objects.create(
            **common,
            kind="cdi",
            parameters={"S_e": 4, "S_r": 9, "q_r_cap": 3},
            lot_size=10,
            expected_cost_per_period=23.12,
            fill_rate=0.99,
            slow_supplier=acme.supplier,
            fingerprint="world",
            computed_at=dt.datetime(2026, 3, 20, 5, 0, tzinfo=dt.UTC),
        ),
        Suggestion: Suggestion.objects.create(
            **common,
            supplier=acme.supplier,
            quantity=30,
            unit_price="12.34",
            currency="EUR",
            need_date=dt.date(2026, 4, 20),
            reason="position 40 + pipeline 20 < slow level 90: 30 from ACME, 28 days",
            run_date=dt.date(2026, 3, 20),
        ),
    }


def _prediction_records(acme: Side) -> dict:
    """A trained model and the late risk of ACME's line: internal figures."""
    model = _installed("prediction.PredictionModel")
    if model is None:
        return {}
    at = dt.datetime(2026, 3, 20, 4, 0, tzinfo=dt.UTC)
    trained = model.objects.create(
        version=1,
        trained_at=at,
        as_of=at.date(),
        window_start=dt.date(2025, 3, 20),
        window_end=at.date(),
        in_use="baseline",
    )
    line = acme.objects[apps.get_model("purchasing.PurchaseOrderLine")]
    risk = apps.get_model("prediction.LineRisk").objects.create(
        line=line, late_risk=0.42, expected_days_late=2.0, source="baseline", scored_at=at
    )
    return {model: trained, type(risk): risk}


def build_world() -> World:
    """Create the world (see the module docstring) and return handles on every object."""
    users = {
        "anonymous": None,
        "admin": UserFactory(username="admin", role="admin"),
        "buyer": UserFactory(username="buyer", role="buyer"),
        "viewer": UserFactory(username="viewer", role="viewer"),
    }
    shared_part = PartFactory(number="P-SHARED", name="Shared bracket")
    shared_part.checklist.create(code="DIM", description="Dimensions")
    sides = {}
    for key, code, name, part_number, part_name, price in (
        ("A", "ACME", "Acme Castings", "P-ACME-2", "Acme housing", "12.34"),
        ("B", "BOLT", "Bolt Forge", "P-BOLT-7", "Bolt shaft", "47.31"),
    ):
        supplier = SupplierFactory(code=code, name=name, owner=users["buyer"])
        contact = SupplierContactFactory(user__username=f"contact_{key.lower()}", supplier=supplier)
        supplier.primary_contact = contact
        supplier.save(update_fields=["primary_contact"])
        side = Side(supplier=supplier, contact=contact.user)
        side.add(supplier)
        side.add(contact)
        own_part = side.add(PartFactory(number=part_number, name=part_name))
        side.add(shared_part, main=False)
        side.add(own_part.checklist.create(code="SURF", description=f"{part_name} surface"))
        side.add(shared_part.checklist.get(code="DIM"), main=False)
        _business(
            side,
            code=code,
            price=price,
            own_part=own_part,
            shared_part=shared_part,
            user=users["buyer"],
        )
        side.secrets = (code, name, part_number, part_name, price, f"TRK-{code}-1")
        sides[key] = side
        users[f"contact_{key.lower()}"] = contact.user

    template = ScorecardTemplate.objects.create(name="Strict", otd_target_pct=99)
    assignment = ScorecardAssignment.objects.create(supplier=sides["A"].supplier, template=template)
    internal = {
        type(fx := FxRateFactory()): fx,
        type(stock := InventoryPositionFactory(part=shared_part)): stock,
        type(stock.site): stock.site,
        type(reject := _stock_reject()): reject,
        ScorecardTemplate: template,
        ScorecardAssignment: assignment,
        QualificationCriterion: QualificationCriterion.objects.order_by("pk").first(),
        **_internal_records(users=users, sides=sides, shared_part=shared_part),
    }

    from scorecards.services import scorecard_recompute

    scorecard_recompute(as_of=AS_OF)
    for side in sides.values():
        for model in (SupplierScorecard, PartScorecard):
            rows = model.objects.filter(supplier=side.supplier).order_by("period", "pk")
            for row in rows:
                side.add(row, main=False)
            side.objects[model] = rows.filter(period="rolling-90").first() or rows.first()
    # What both suppliers see: the part they share and its checklist item.
    dimension = shared_part.checklist.get(code="DIM")
    shared = {type(shared_part): shared_part, type(dimension): dimension}
    return World(users=users, sides=sides, internal=internal, shared=shared)


@pytest.fixture(scope="module")
def world_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per module and rolled back after it."""
    media_root = str(tmp_path_factory.mktemp("media"))
    media = override_settings(MEDIA_ROOT=media_root)
    with media, django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        world.media_root = media_root
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def full_world(world_module, settings, db):
    """The module's world in a test: its files (certificate documents) stay readable even
    where another fixture moves the media root per test."""
    settings.MEDIA_ROOT = world_module.media_root
    return world_module


def natural_key_fields(model) -> list[str]:
    """The field a URL names an object of `model` by, most specific first."""
    names = {f.name for f in model._meta.get_fields() if isinstance(f, models.Field)}
    return [name for name in ("code", "number", "reference") if name in names]
