"""Demo data: a realistic supplier portfolio built through the same services as real data.

The same (size, seed, today) always gives the same rows. History ends with the month of
`today`, so dashboards look live; pin `today` to reproduce a data set exactly.

Only the standard library and `accounts.roles` are imported at module level, so
`DEMO_LOGINS` can be read without setting Django up (the Makefile and README print it).
"""

import datetime as dt
import gc
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from accounts.roles import Role

DEMO_PASSWORD_ENV = "DUALSOURCE_DEMO_PASSWORD"
DEFAULT_DEMO_PASSWORD = "dualsource-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    description: str
    first_name: str
    last_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", Role.ADMIN, "everything, users and settings", "Ines", "Hartmann"),
    DemoLogin("buyer", Role.BUYER, "buyer, owner of most suppliers", "Jonas", "Becker"),
    DemoLogin("buyer2", Role.BUYER, "buyer, owner of the other suppliers", "Sofia", "Marino"),
    DemoLogin("viewer", Role.VIEWER, "read-only analyst", "Lena", "Vogel"),
    DemoLogin(
        "supplier1", Role.SUPPLIER, "contact at one source of a dual-sourced part", "Mark", "Ellis"
    ),
    DemoLogin(
        "supplier2", Role.SUPPLIER, "contact at the other source of that part", "Anna", "Kowal"
    ),
)
DEMO_SIZES = ("tiny", "small", "large")


def demo_password() -> str:
    return os.environ.get(DEMO_PASSWORD_ENV) or DEFAULT_DEMO_PASSWORD


@dataclass
class SeedResult:
    size: str
    seed: int
    today: dt.date
    first_month: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    degrading_suppliers: list[tuple[str, str]] = field(default_factory=list)
    # username → (supplier code, supplier name)
    contacts: dict[str, tuple[str, str]] = field(default_factory=dict)
    shared_part: str = ""
    kpis: str = ""
    rules: str = ""
    prediction: str = ""
    alerts: str = ""
    planning: str = ""
    load_seconds: float = 0.0
    kpi_seconds: float = 0.0


def demo_data_present() -> bool:
    from suppliers.models import Supplier

    return Supplier.objects.exists()


def demo_data_seed(
    *,
    size: str,
    seed: int,
    today: dt.date | None = None,
    recompute_kpis: bool = True,
    progress: bool = False,
    workers: int | None = None,
) -> SeedResult:
    """Load the demo portfolio into an empty database.

    With one worker everything is one transaction: all or nothing. On PostgreSQL the order
    history can be written by several worker processes (default for `large`: one per CPU,
    two to four); then the master data, each month and the stock readings commit one by
    one, and a failed load leaves part of the demo behind.

    KPI refreshes are not queued per chunk; with `recompute_kpis` the scorecards are
    recomputed once at the end, as of `today`.
    """
    # Django-dependent imports stay here so the module imports without Django set up.
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone
    from tqdm import tqdm

    from demo.generators import master
    from demo.generators.contract_terms import contracts_build
    from demo.generators.fx import FxTable
    from demo.generators.invoices import invoices_seed
    from demo.generators.loader import months_load
    from demo.generators.messages import messages_seed
    from demo.generators.orders import OrderHistory
    from demo.generators.plan import SIZES, Calendar, DemoPlan
    from demo.generators.qualification import qualification_demo_seed
    from demo.generators.stock import inventory_create
    from purchasing.services import fx_rates_upsert, kpi_refresh_deferred

    if size not in SIZES:
        raise ValueError(f"Unknown demo size {size!r}; choose one of {', '.join(SIZES)}.")
    if demo_data_present():
        raise ValueError("The database already holds suppliers; demo data needs an empty one.")
    if workers is None:
        workers = _default_workers(size)
    if workers > 1 and (connection.vendor != "postgresql" or connection.in_atomic_block):
        raise ValueError("Parallel workers need PostgreSQL and no surrounding transaction.")
    spec = SIZES[size]
    today = today or timezone.localdate()
    first_month = _months_back(today.replace(day=1), spec.months - 1)
    calendar = Calendar(today=today, first_month=first_month)
    result = SeedResult(size=size, seed=seed, today=today, first_month=first_month)
    started = time.perf_counter()
    rng = _rng(seed, "master")
    totals = {"lines": 0, "receipts": 0}

    def history_load(history: OrderHistory) -> None:
        months = history.months()
        with (
            _garbage_collector_spared(),
            tqdm(total=len(months), unit="month", disable=not progress) as bar,
        ):

            def report(month, lines, receipts):
                totals["lines"] += lines
                totals["receipts"] += receipts
                bar.set_postfix_str(
                    f"{month:%Y-%m} lines={totals['lines']:,} receipts={totals['receipts']:,}"
                )
                bar.update(1)

            months_load(history=history, months=months, workers=workers, report=report)

    with transaction.atomic(), kpi_refresh_deferred():
        # Quotes start early enough to price orders placed before the first due month.
        fx = FxTable(
            rng=_rng(seed, "fx"),
            start=first_month - dt.timedelta(days=120),
            end=today,
            base=settings.BASE_CURRENCY,
        )
        fx_rates_upsert(rates=fx.stored_rates())
        users = _users_create()
        suppliers = master.suppliers_build(
            rng=rng, size=spec, calendar=calendar, owners=[users["buyer"], users["buyer2"]]
        )
        master.supplier_records_create(rng=rng, plans=suppliers, calendar=calendar)
        parts = master.parts_build(
            rng=rng, size=spec, suppliers=suppliers, fx=fx, calendar=calendar
        )
        degrading = master.degrading_choose(
            rng=rng, suppliers=suppliers, count=spec.degrading_suppliers
        )
        contracts_build(rng=rng, suppliers=suppliers, calendar=calendar, actor=None)
        qualification_demo_seed(
            rng=_rng(seed, "qualification"), plans=suppliers, today=today, users=users
        )
        first, second, shared = master.contacts_choose(parts=parts)
        _contacts_create(first.supplier, second.supplier)

        plan = DemoPlan(calendar=calendar, suppliers=suppliers, parts=parts)
        history = OrderHistory(seed=seed, plan=plan, fx=fx, target_lines=spec.order_lines)
        if workers <= 1:
            history_load(history)
            inventory_create(seed=seed, plan=plan)
    if workers > 1:
        # The workers need the master data committed before they can refer to it.
        history_load(history)
        with transaction.atomic():
            inventory_create(seed=seed, plan=plan)
    with transaction.atomic():
        messages_seed(users=users, today=today)
        invoices_seed(today=today)

    if connection.vendor == "postgresql":
        # Fresh statistics, so the first dashboards and KPI runs get good query plans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result.load_seconds = round(time.perf_counter() - started, 1)
    result.degrading_suppliers = [(p.supplier.code, p.supplier.name) for p in degrading]
    result.contacts = {
        "supplier1": (first.supplier.code, first.supplier.name),
        "supplier2": (second.supplier.code, second.supplier.name),
    }
    result.shared_part = f"{shared.part.number} {shared.part.name}"
    if recompute_kpis:
        result.kpis, result.kpi_seconds = _kpis_recompute(today)
    else:
        result.kpis = "skipped"
    from demo.generators.prediction import prediction_seed
    from demo.generators.rules import demo_rules_seed

    result.prediction = prediction_seed(today=today) if recompute_kpis else "skipped"

    result.rules = demo_rules_seed(
        suppliers=[p.supplier for p in degrading], today=today, evaluate=recompute_kpis
    )
    result.counts = demo_counts()
    from demo.generators.alerts import alerts_seed

    result.alerts = alerts_seed(today=today)
    from demo.generators.planning import planning_seed
    from purchasing.services import kpi_refresh_deferred

    # Auto-released orders are due in the future: no KPI cell to refresh, no task to queue.
    with kpi_refresh_deferred():
        result.planning = planning_seed(size=size, today=today)
    return result


def _default_workers(size: str) -> int:
    """Parallel only where it pays and is safe: the large demo on PostgreSQL, outside a
    transaction (SQLite has one writer at a time). Even on one CPU two workers beat one
    huge transaction, whose thousands of savepoints slow PostgreSQL's own reads down."""
    from django.db import connection

    if size != "large" or connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return min(4, max(2, os.cpu_count() or 1))


@contextmanager
def _garbage_collector_spared():
    """The history allocates millions of short-lived objects that reference counting frees;
    the cyclic collector need not keep re-scanning the plan that lives throughout."""
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def demo_counts() -> dict[str, int]:
    """Rows per model of the demo, for the closing summary."""
    from django.apps import apps

    labels = (
        "suppliers.Supplier",
        "suppliers.QualificationAssessment",
        "suppliers.Certificate",
        "suppliers.EsgAssessment",
        "parts.Part",
        "parts.InspectionCharacteristic",
        "parts.ApprovedSource",
        "contracts.Contract",
        "contracts.ContractRule",
        "contracts.PriceTier",
        "contracts.VolumeCommitment",
        "purchasing.FxRate",
        "purchasing.PurchaseOrder",
        "purchasing.PurchaseOrderLine",
        "purchasing.PromiseRevision",
        "purchasing.ShipNotice",
        "purchasing.TransitEvent",
        "purchasing.Receipt",
        "purchasing.Inspection",
        "inventory.InventoryPosition",
    )
    return {label: apps.get_model(label).objects.count() for label in labels}


def _rng(seed: int, topic: str):
    import random

    # A string seed is hashed with SHA-512: stable across runs and Python versions.
    return random.Random(f"{seed}:{topic}")


def _months_back(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _demo_user(login: DemoLogin, *, email: str, supplier=None):
    """Create a demo login; an account of that name created earlier is kept as it is."""
    from django.contrib.auth import get_user_model

    from accounts.services import user_create
    from suppliers.services import supplier_contact_user_create

    existing = get_user_model().objects.filter(username=login.username).first()
    if existing is not None:
        return existing
    names = {"first_name": login.first_name, "last_name": login.last_name}
    if supplier is not None:
        return supplier_contact_user_create(
            supplier=supplier,
            username=login.username,
            password=demo_password(),
            email=email,
            **names,
        )
    return user_create(
        username=login.username, password=demo_password(), role=login.role, email=email, **names
    )


def _users_create() -> dict:
    return {
        login.username: _demo_user(login, email=f"{login.username}@plant.example")
        for login in DEMO_LOGINS
        if login.role != Role.SUPPLIER
    }


def _contacts_create(*suppliers) -> None:
    contacts = [login for login in DEMO_LOGINS if login.role == Role.SUPPLIER]
    for login, supplier in zip(contacts, suppliers, strict=True):
        _demo_user(
            login, email=f"{login.username}@{supplier.code.lower()}.example", supplier=supplier
        )


def _kpis_recompute(today: dt.date) -> tuple[str, float]:
    """Recompute every scorecard once, if the scorecard engine is installed."""
    try:
        from scorecards.services import scorecard_recompute
    except ImportError:
        return "not available", 0.0
    started = time.perf_counter()
    scorecard_recompute(as_of=today)
    return "recomputed", round(time.perf_counter() - started, 1)
