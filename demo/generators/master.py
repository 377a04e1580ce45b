"""Master data: suppliers with their qualification, certificates and ESG answers, and parts
with their QC checklists and approved sources."""

import datetime as dt
import itertools
import math
import random
from decimal import Decimal

from demo.generators.catalogue import CATEGORIES, CERTIFICATE_BODIES, COUNTRIES, Category
from demo.generators.fx import FxTable
from demo.generators.plan import Calendar, DemoSize, PartPlan, SourcePlan, SupplierPlan
from demo.generators.qualification import part_categories_ensure
from parts.models import ApprovedSource, InspectionCharacteristic, Part
from parts.services import approved_sources_create, parts_create
from suppliers.models import (
    Certificate,
    EsgAssessment,
    QualificationAssessment,
    QualificationCriterion,
    QualificationScore,
    Supplier,
)
from suppliers.services import (
    certificates_create,
    esg_assessments_create,
    qualification_assessments_create,
    suppliers_create,
)

DUAL_SOURCED_SHARE = 0.86
# (larger share, smaller share) of a dual-sourced part and how often each split occurs.
SHARE_SPLITS = ((70, 30), (60, 40), (80, 20), (50, 50))
SHARE_SPLIT_WEIGHTS = (55, 20, 15, 10)
SHARE_BOUNDS = (Decimal("20"), Decimal("80"))


def _money(value: float, places: str = "0.0001") -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(places))


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Split `total` into whole numbers proportional to `weights`."""
    weight_sum = sum(weights)
    exact = [total * w / weight_sum for w in weights]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def suppliers_build(
    *, rng: random.Random, size: DemoSize, calendar: Calendar, owners: list
) -> list[SupplierPlan]:
    """Suppliers across regions; mostly approved, a few qualified, on hold or prospects."""
    n = size.suppliers
    statuses = (
        [Supplier.Status.PROSPECT] * max(1, round(n * 0.04))
        + [Supplier.Status.QUALIFIED] * max(1, round(n * 0.05))
        + [Supplier.Status.ON_HOLD] * max(1, round(n * 0.03))
    )
    statuses += [Supplier.Status.APPROVED] * (n - len(statuses))
    rng.shuffle(statuses)

    # The main buyer owns most relationships; the second buyer a fifth.
    main_owned = round(n * 0.8)
    owner_of = [owners[0]] * main_owned + [owners[1]] * (n - main_owned)
    rng.shuffle(owner_of)
    countries = rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES], k=n)
    used_names: set[str] = set()
    plans = []
    for i, (status, country) in enumerate(zip(statuses, countries, strict=True)):
        reliability_band = rng.random()
        if reliability_band < 0.70:
            reliability = rng.uniform(0.94, 0.995)
        elif reliability_band < 0.95:
            reliability = rng.uniform(0.87, 0.94)
        else:
            reliability = rng.uniform(0.78, 0.87)
        supplier = Supplier(
            code=f"V{10001 + i}",
            name="",
            country=country.code,
            region=country.region,
            currency=country.currency,
            status=status,
            owner=owner_of[i],
        )
        plans.append(
            SupplierPlan(
                supplier=supplier,
                country=country,
                categories=[],
                size_weight=math.exp(rng.gauss(0, 0.7)),
                reliability=reliability,
                ppm=min(max(math.exp(rng.gauss(math.log(700), 0.8)), 60.0), 6000.0),
                acknowledgement_rate=0.97 if rng.random() < 0.85 else 0.85,
                posts_ship_notices=rng.random() < 0.8,
                order_weekday=rng.randrange(5),
                city=f"{rng.choice(country.cities)}, {country.code}",
                hold_from=(
                    calendar.today - dt.timedelta(days=rng.randint(20, 90))
                    if status == Supplier.Status.ON_HOLD
                    else None
                ),
            )
        )

    _categories_assign(rng=rng, plans=plans)
    for plan in plans:
        plan.supplier.name = _supplier_name(rng, plan, used_names)
    suppliers_create(suppliers=[p.supplier for p in plans])
    return plans


def _categories_assign(*, rng: random.Random, plans: list[SupplierPlan]) -> None:
    """Every category used gets at least two active suppliers, so its parts can be dual-sourced."""
    active = [p for p in plans if p.supplier.status != Supplier.Status.PROSPECT]
    by_weight = sorted(CATEGORIES, key=lambda c: -c.weight)
    pairs = min(len(by_weight), len(active) // 2)
    order = active[:]
    rng.shuffle(order)
    for i, plan in enumerate(order):
        if i < 2 * pairs:
            plan.categories.append(by_weight[i // 2])
        else:
            plan.categories.append(rng.choices(by_weight, weights=[c.weight for c in by_weight])[0])
    for plan in order:
        if rng.random() < 0.3:
            candidates = [c for c in by_weight[:pairs] if c not in plan.categories]
            if candidates:
                plan.categories.append(rng.choice(candidates))
    for plan in plans:
        if not plan.categories:  # prospects: what they would like to supply
            plan.categories.append(rng.choices(by_weight, weights=[c.weight for c in by_weight])[0])


def _supplier_name(rng: random.Random, plan: SupplierPlan, used: set[str]) -> str:
    country = plan.country
    word = plan.categories[0].supplier_word
    for attempt in range(50):
        root = rng.choice(country.name_roots)
        style = rng.random() if attempt < 10 else 1.0
        if style < 0.55:
            stem = f"{root} {word}"
        elif style < 0.8:
            stem = f"{root} & {rng.choice(country.name_roots)}"
            if stem.split(" & ")[0] == stem.split(" & ")[1]:
                continue
        else:
            stem = f"{root} {word} {rng.choice(country.cities)}"
        name = f"{stem} {rng.choice(country.legal_forms)}"
        if attempt >= 40:
            name = f"{stem} {attempt} {rng.choice(country.legal_forms)}"
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("Ran out of supplier names.")  # pragma: no cover


def supplier_records_create(
    *, rng: random.Random, plans: list[SupplierPlan], calendar: Calendar
) -> None:
    """Qualification assessments with scores, certificates and ESG answers."""
    criteria = list(QualificationCriterion.objects.filter(is_active=True).order_by("code"))
    today = calendar.today
    assessments = []
    certificates = []
    esg = []
    for plan in plans:
        supplier = plan.supplier
        status = supplier.status
        onboarded = calendar.first_month - dt.timedelta(days=rng.randint(60, 900))
        if status == Supplier.Status.PROSPECT:
            if rng.random() < 0.6:
                assessments.append(
                    _assessment(
                        rng,
                        supplier,
                        today - dt.timedelta(days=rng.randint(5, 60)),
                        criteria,
                        low=1,
                        high=4,
                        passing=False,
                    )
                )
            continue
        assessments.append(
            _assessment(rng, supplier, onboarded, criteria, low=3, high=5, passing=True)
        )
        if rng.random() < 0.35:
            reassessed = today - dt.timedelta(days=rng.randint(15, 400))
            passing = status != Supplier.Status.ON_HOLD
            assessments.append(
                _assessment(
                    rng,
                    supplier,
                    reassessed,
                    criteria,
                    low=2 if not passing else 3,
                    high=5 if passing else 3,
                    passing=passing,
                )
            )
        kinds = [Certificate.Kind.ISO_9001] if rng.random() < 0.92 else []
        if rng.random() < 0.45:
            kinds.append(Certificate.Kind.IATF_16949)
        if rng.random() < 0.4:
            kinds.append(Certificate.Kind.ISO_14001)
        if rng.random() < 0.2:
            kinds.append(Certificate.Kind.ISO_45001)
        if rng.random() < 0.05:
            kinds.append(Certificate.Kind.AS_9100)
        for kind in kinds:
            certificates.append(
                Certificate(
                    supplier=supplier,
                    kind=kind,
                    number=f"{kind.label.replace(' ', '')}-{supplier.country}-"
                    f"{rng.randint(100000, 999999)}",
                    issued_by=rng.choice(CERTIFICATE_BODIES),
                    valid_until=today + dt.timedelta(days=rng.randint(31, 1000)),
                )
            )
        if rng.random() < 0.85:
            for answered in sorted(
                {
                    today - dt.timedelta(days=rng.randint(10, 540))
                    for _ in range(rng.choice((1, 1, 1, 2)))
                }
            ):
                esg.append(_esg_answer(rng, supplier, answered))
    # A few certificates run out within 30 days and a few have already expired.
    order = list(range(len(certificates)))
    rng.shuffle(order)
    expiring = max(1, round(len(certificates) * 0.06))
    expired = max(1, round(len(certificates) * 0.03))
    for i in order[:expiring]:
        certificates[i].valid_until = today + dt.timedelta(days=rng.randint(1, 30))
    for i in order[expiring : expiring + expired]:
        certificates[i].valid_until = today - dt.timedelta(days=rng.randint(1, 120))

    qualification_assessments_create(assessments=assessments)
    certificates_create(certificates=certificates)
    esg_assessments_create(assessments=esg)


def _assessment(rng, supplier, assessed_on, criteria, *, low, high, passing):
    scores = [
        QualificationScore(criterion=c, score=rng.randint(low, high), weight=c.weight)
        for c in criteria
    ]
    total_weight = sum(s.weight for s in scores)
    if passing and total_weight:
        # Raise the weakest criteria until the weighted score clears the minimum of 3.
        while sum(s.score * s.weight for s in scores) / total_weight < 3:
            min(scores, key=lambda s: s.score).score += 1
    notes = "Initial supplier qualification audit." if passing else "Qualification in progress."
    assessment = QualificationAssessment(
        supplier=supplier,
        assessed_on=assessed_on,
        assessed_by=supplier.owner,
        notes=notes,
    )
    return assessment, scores


_ESG_COMMENTS = (
    "",
    "",
    "Scope 1 and 2 emissions reported yearly; scope 3 screening started.",
    "Solar roof installed on the main plant.",
    "Code of conduct signed; social audit (SMETA) planned.",
    "Waste-water treatment upgraded after the last audit.",
    "Conflict-minerals declaration (CMRT) provided.",
)


def _esg_answer(rng, supplier, answered_on):
    def score():
        return min(5, max(1, round(rng.gauss(3.4, 0.9))))

    return EsgAssessment(
        supplier=supplier,
        answered_on=answered_on,
        emissions_score=score(),
        waste_score=score(),
        labour_score=score(),
        traceability_score=score(),
        comments=rng.choice(_ESG_COMMENTS),
    )


def parts_build(
    *,
    rng: random.Random,
    size: DemoSize,
    suppliers: list[SupplierPlan],
    fx: FxTable,
    calendar: Calendar,
) -> list[PartPlan]:
    """Parts in the categories the suppliers cover, most of them with two approved sources."""
    pools: dict[str, list[SupplierPlan]] = {}
    for plan in suppliers:
        if plan.supplier.status == Supplier.Status.PROSPECT:
            continue
        for category in plan.categories:
            pools.setdefault(category.name, []).append(plan)
    categories = [c for c in CATEGORIES if len(pools.get(c.name, ())) >= 2]
    pickers = {c.name: _SupplierPicker(pools[c.name]) for c in categories}
    counts = _largest_remainder(
        size.parts, [c.weight * len(pools[c.name]) ** 0.5 for c in categories]
    )
    part_categories: list[Category] = []
    for category, count in zip(categories, counts, strict=True):
        part_categories += [category] * count
    rng.shuffle(part_categories)
    dual = set(rng.sample(range(size.parts), round(size.parts * DUAL_SOURCED_SHARE)))

    # First pass: each active supplier becomes the main source of at least one part.
    first_choice: dict[int, SupplierPlan] = {}
    for category in categories:
        indexes = [i for i, c in enumerate(part_categories) if c is category]
        pool = pools[category.name][:]
        rng.shuffle(pool)
        for i, plan in zip(indexes, pool, strict=False):
            first_choice[i] = plan

    parts: list[PartPlan] = []
    part_category = part_categories_ensure(sorted({c.name for c in part_categories}))
    for i, category in enumerate(part_categories):
        number = f"{category.prefix}-{100001 + i}"
        part = Part(
            number=number,
            name=f"{rng.choice(category.part_names)} {rng.choice('ABCDEFGHKLMNPRST')}"
            f"{rng.randint(10, 99)}",
            unit=category.unit,
            category=part_category[category.name],
            specification_reference=f"DS-{category.prefix}-{rng.randint(10000, 99999)}",
            specification_revision=rng.choice("AAABBBCCDE"),
            is_critical=rng.random() < 0.7,
        )
        checklist_size = rng.randint(2, min(4, len(category.checklist)))
        characteristics = [category.checklist[0]] + rng.sample(
            category.checklist[1:], checklist_size - 1
        )
        low, high = category.monthly_demand
        parts.append(
            PartPlan(
                part=part,
                category=category,
                checklist=[
                    InspectionCharacteristic(
                        code=c.code, description=c.description, is_critical=c.is_critical
                    )
                    for c in characteristics
                ],
                monthly_demand=math.exp(rng.uniform(math.log(low), math.log(high))),
            )
        )

        pool = pickers[category.name]
        main = first_choice.get(i) or pool.pick(rng)
        chosen = [main]
        if i in dual:
            # Four in ten second sources come from another region, to spread the risk.
            other_region = main.country.region if rng.random() < 0.4 else None
            chosen.append(pool.pick(rng, besides=main, outside_region=other_region))
        base_price_eur = math.exp(rng.uniform(*map(math.log, category.price_eur)))
        if len(chosen) == 1:
            shares = (100,)
        else:
            shares = rng.choices(SHARE_SPLITS, weights=SHARE_SPLIT_WEIGHTS)[0]
        for plan, share in zip(chosen, shares, strict=True):
            parts[-1].sources.append(
                _source_build(rng, parts[-1], plan, share, base_price_eur, fx, calendar)
            )

    parts_create(parts=[(p.part, p.checklist) for p in parts])
    approved_sources_create(sources=[s.source for p in parts for s in p.sources])
    for p in parts:
        for s in p.sources:
            s.supplier.sources.append(s)
    return parts


class _SupplierPicker:
    """Draws suppliers of one category, the larger ones more often; suppliers still only
    qualified (not approved) get a smaller part of the business."""

    def __init__(self, plans: list[SupplierPlan]):
        self.plans = plans
        weights = [
            p.size_weight * (0.3 if p.supplier.status == Supplier.Status.QUALIFIED else 1.0)
            for p in plans
        ]
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng, *, besides=None, outside_region=None) -> SupplierPlan:
        """Redraws until the constraints hold; after a few tries the region is let go."""
        for attempt in range(50):
            plan = rng.choices(self.plans, cum_weights=self.cumulative)[0]
            if plan is besides:
                continue
            if outside_region and attempt < 20 and plan.country.region == outside_region:
                continue
            return plan
        return next(p for p in self.plans if p is not besides)


def _source_build(rng, part_plan, supplier_plan, share, base_price_eur, fx, calendar):
    category = part_plan.category
    country = supplier_plan.country
    currency = supplier_plan.supplier.currency
    price_eur = base_price_eur * country.price_factor * rng.uniform(0.92, 1.08)
    price = price_eur / fx.rate(currency, calendar.today) * fx.rate("EUR", calendar.today)
    monthly = part_plan.monthly_demand * share / 100
    capacity_roll = rng.random()
    if capacity_roll < 0.1:
        capacity = None
    else:
        headroom = rng.uniform(1.0, 1.15) if capacity_roll < 0.18 else rng.uniform(1.3, 3.0)
        capacity = Decimal(
            max(category.pack, round(monthly * headroom / category.pack) * category.pack)
        )
    moq = category.pack * rng.randint(*category.moq_packs)
    if len(part_plan.sources) == 0 and share == 100:
        bounds = (Decimal("0"), Decimal("100"))
    else:
        bounds = SHARE_BOUNDS
    source = ApprovedSource(
        part=part_plan.part,
        supplier=supplier_plan.supplier,
        target_share_pct=Decimal(share),
        min_share_pct=bounds[0],
        max_share_pct=bounds[1],
        unit_price=_money(price),
        currency=currency,
        lead_time_days=rng.randint(*country.lead_time_days),
        monthly_capacity=capacity,
        moq=Decimal(moq),
        pack_size=Decimal(category.pack),
    )
    return SourcePlan(
        source=source,
        supplier=supplier_plan,
        share=share / 100,
        unit_price=float(source.unit_price),
        lead_time_days=source.lead_time_days,
        part_monthly_demand=part_plan.monthly_demand,
        pack=category.pack,
        moq=moq,
    )


def degrading_choose(
    *, rng: random.Random, suppliers: list[SupplierPlan], count: int
) -> list[SupplierPlan]:
    """Approved suppliers, each the source of some dual-sourced parts, that will slip lately."""
    candidates = [
        p
        for p in suppliers
        if p.supplier.status == Supplier.Status.APPROVED
        and sum(1 for s in p.sources if s.share < 1) >= 2
    ]
    chosen = rng.sample(candidates, min(count, len(candidates)))
    for plan in chosen:
        # They start from a good record, so the slide shows clearly on their trend.
        plan.degrading = True
        plan.reliability = max(plan.reliability, 0.95)
        plan.ppm = min(plan.ppm, 800.0)
    return sorted(chosen, key=lambda p: p.supplier.code)


def contacts_choose(*, parts: list[PartPlan]) -> tuple[SupplierPlan, SupplierPlan, PartPlan]:
    """Two approved suppliers that are the two sources of one part, so isolation shows.

    The second is a degrading supplier when possible: its contact then sees its own alerts.
    """
    pairs = []
    for part in parts:
        if len(part.sources) != 2:
            continue
        first, second = (s.supplier for s in part.sources)
        if {first.supplier.status, second.supplier.status} != {Supplier.Status.APPROVED}:
            continue
        if first.degrading and not second.degrading:
            first, second = second, first
        rank = (
            0 if second.degrading and not first.degrading else 1,
            0 if first.country.region == "EMEA" else 1,
            part.part.number,
        )
        pairs.append((rank, first, second, part))
    if not pairs:
        raise RuntimeError("No dual-sourced part has two approved sources.")
    _, first, second, part = min(pairs, key=lambda p: p[0])
    return first, second, part
