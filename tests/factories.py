"""factory_boy factories shared by every test module."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from contracts.models import Contract
from inventory.models import InventoryPosition
from parts.models import ApprovedSource, Part
from purchasing.models import FxRate, Inspection, PurchaseOrder, PurchaseOrderLine, Receipt
from sites.models import Site
from suppliers.models import Supplier, SupplierContact

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted == "admin":
            self.is_staff = self.is_superuser = True
        elif extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])
        if create:
            self.save()


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"Supplier {n} GmbH")
    country = "DE"
    region = "EMEA"
    currency = "EUR"
    status = Supplier.Status.APPROVED


class SupplierContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierContact

    user = factory.SubFactory(UserFactory, role="supplier")
    supplier = factory.SubFactory(SupplierFactory)


class PartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Part

    number = factory.Sequence(lambda n: f"P-{n:05d}")
    name = factory.Sequence(lambda n: f"Bracket {n}")


class ApprovedSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovedSource

    part = factory.SubFactory(PartFactory)
    supplier = factory.SubFactory(SupplierFactory)
    target_share_pct = Decimal("50")
    unit_price = Decimal("10.0000")
    currency = "EUR"
    lead_time_days = 30


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    supplier = factory.SubFactory(SupplierFactory)
    reference = factory.Sequence(lambda n: f"C-{n:04d}")
    valid_from = dt.date(2020, 1, 1)


class PurchaseOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PurchaseOrder

    number = factory.Sequence(lambda n: f"PO-{n:06d}")
    supplier = factory.SubFactory(SupplierFactory)
    order_date = dt.date(2026, 1, 5)
    currency = "EUR"


class PurchaseOrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PurchaseOrderLine

    purchase_order = factory.SubFactory(PurchaseOrderFactory)
    line_number = factory.Sequence(lambda n: n + 1)
    part = factory.SubFactory(PartFactory)
    quantity = Decimal("100")
    unit_price = Decimal("10.0000")
    requested_date = dt.date(2026, 2, 10)
    promised_date = factory.LazyAttribute(lambda o: o.requested_date)
    expected_date = factory.LazyAttribute(lambda o: o.promised_date)


class ReceiptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Receipt

    number = factory.Sequence(lambda n: f"GR-{n:07d}")
    line = factory.SubFactory(PurchaseOrderLineFactory)
    receipt_date = factory.LazyAttribute(lambda o: o.line.promised_date)
    quantity = factory.LazyAttribute(lambda o: o.line.quantity)
    cost_currency = "EUR"


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    receipt = factory.SubFactory(ReceiptFactory)
    inspection_date = factory.LazyAttribute(lambda o: o.receipt.receipt_date)
    inspected_quantity = factory.LazyAttribute(lambda o: o.receipt.quantity)
    defective_quantity = Decimal("0")


class FxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FxRate

    currency = "USD"
    date = dt.date(2026, 1, 1)
    rate = Decimal("0.9")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SITE-{n}")
    name = factory.LazyAttribute(lambda o: f"Plant {o.code}")
    country = "DE"


class InventoryPositionFactory(factory.django.DjangoModelFactory):
    """`site` may be given as a code: the site is created when missing."""

    class Meta:
        model = InventoryPosition

    part = factory.SubFactory(PartFactory)
    site = factory.SubFactory(SiteFactory, code="PLANT-1")
    on_hand = Decimal("100")
    reorder_point = Decimal("50")
    read_at = factory.LazyFunction(lambda: dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("site"), str):
            kwargs["site"] = SiteFactory(code=kwargs["site"])
        return kwargs
