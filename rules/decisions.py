"""A buyer's decisions on exceptions, and the queue kept decidable (docs/rules.md).

After any decision a part's shares sum to 100 and lie within every source's bounds:
approving a proposal that breaks a bound applies the largest shift the bounds allow, or,
when the buyer chooses to, widens the bounds (audited as source changes) and applies it
whole. A proposal whose part's shares moved since it was made is re-proposed from the live
shares, or closed as superseded when nothing is left to move.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone

from parts.models import ApprovedSource
from parts.services import sources_update
from rules.models import AllocationChange, AllocationException
from rules.selectors import expired_certificate_supplier_ids
from rules.writes import balances_rebase
from suppliers.models import Supplier
from suppliers.services import supplier_change_status

Kind = AllocationException.Kind
State = AllocationException.State
_CENT = Decimal("0.01")


@dataclass
class Decision:
    """What a buyer decided on one exception."""

    user: object
    comment: str = ""
    widen_bounds: bool = False


def _shares(sources) -> dict[str, str]:
    return {s.supplier.code: str(s.target_share_pct.quantize(_CENT)) for s in sources}


def _spread(total: int, wants: dict[str, int]) -> dict[str, int]:
    """`total` cents over the keys in proportion to what each wants, none above its want."""
    given = dict.fromkeys(wants, 0)
    left = total
    while left > 0:
        open_ = {k: w - given[k] for k, w in wants.items() if w > given[k]}
        if not open_:
            break
        weight = sum(open_.values())
        step = {k: min(room, left * room // weight) for k, room in open_.items()}
        if not any(step.values()):  # the last few cents, one each in a fixed order
            step = {k: 0 for k in open_}
            for k in sorted(open_)[:left]:
                step[k] = 1
        for k, cents in step.items():
            given[k] += cents
            left -= cents
    return given


def bounded_shares(*, before, proposed, bounds) -> dict[str, Decimal]:
    """The proposal cut to the largest shift the bounds allow (code → share %).

    Each source moves in the proposal's direction, never past its bound nor past the
    proposal; what the givers can give and the receivers can take are matched.
    """
    cents = {c: int(v * 100) for c, v in before.items()}
    target = {c: int(Decimal(proposed.get(c, before[c])) * 100) for c in before}
    low = {c: int(Decimal(b[0]) * 100) for c, b in bounds.items()}
    high = {c: int(Decimal(b[1]) * 100) for c, b in bounds.items()}
    give = {
        c: max(0, min(cents[c] - target[c], cents[c] - low.get(c, 0)))
        for c in cents
        if target[c] < cents[c]
    }
    take = {
        c: max(0, min(target[c] - cents[c], high.get(c, 10000) - cents[c]))
        for c in cents
        if target[c] > cents[c]
    }
    moved = min(sum(give.values()), sum(take.values()))
    for code, cents_out in _spread(moved, give).items():
        cents[code] -= cents_out
    for code, cents_in in _spread(moved, take).items():
        cents[code] += cents_in
    return {c: (Decimal(v) / 100).quantize(_CENT, rounding=ROUND_DOWN) for c, v in cents.items()}


def _live_sources(part_id: int) -> list[ApprovedSource]:
    return list(
        ApprovedSource.objects.select_for_update()
        .filter(part_id=part_id, is_active=True)
        .select_related("supplier", "part")
        .order_by("supplier__code")
    )


def _reproposal(exception: AllocationException, sources) -> dict[str, Decimal] | None:
    """The proposal's moves applied to the live shares (None: nothing left to move)."""
    before = {s.supplier.code: s.target_share_pct for s in sources}
    made_on = exception.evidence.get("shares_before") or {}
    moves = {
        code: Decimal(share) - Decimal(made_on.get(code, share))
        for code, share in (exception.proposed_shares or {}).items()
        if code in before
    }
    wanted = {code: before[code] + moves.get(code, 0) for code in before}
    everything = {code: ("0", "100") for code in before}
    shares = bounded_shares(before=before, proposed=wanted, bounds=everything)
    return None if shares == before else shares


def exception_refresh(exception: AllocationException, sources=None) -> AllocationException:
    """Re-propose an open proposal from the live shares when they moved since it was made,
    or close it as superseded when nothing is left to move (the engine's own decision)."""
    if exception.state != State.OPEN or not exception.proposed_shares:
        return exception
    sources = _live_sources(exception.part_id) if sources is None else sources
    live = _shares(sources)
    if exception.evidence.get("shares_before") == live:
        return exception
    proposal = _reproposal(exception, sources)
    if proposal is None:
        exception.state = State.SUPERSEDED
        exception.decided_at = timezone.now()
        exception.comment = "Superseded: the part's shares moved since it was proposed."
        exception.save(update_fields=["state", "decided_at", "comment"])
        return exception
    exception.proposed_shares = {c: str(v) for c, v in proposal.items()}
    exception.evidence = {
        **exception.evidence,
        "shares_before": live,
        "bounds": {s.supplier.code: [str(s.min_share_pct), str(s.max_share_pct)] for s in sources},
        "reproposed_at": timezone.now().isoformat(),
    }
    exception.save(update_fields=["proposed_shares", "evidence"])
    return exception


def _moved(open_) -> list[int]:
    """The open proposals made on other shares than their part's live ones: each proposal
    with its part's active sources, in one query."""
    made, live = {}, {}
    active = FilteredRelation("part__sources", condition=Q(part__sources__is_active=True))
    for pk, made_on, code, share in (
        open_.annotate(live=active)
        .order_by()
        .values_list(
            "pk", "evidence__shares_before", "live__supplier__code", "live__target_share_pct"
        )
    ):
        made[pk] = made_on
        shares = live.setdefault(pk, {})
        if code is not None:
            shares[code] = str(share.quantize(_CENT))
    return sorted(pk for pk, made_on in made.items() if made_on != live[pk])


def _moved_proposals() -> list[int]:
    """`_moved` in one PostgreSQL statement: each part's live shares as the same JSON
    object (code → share with its two decimals), compared with the proposal's in the
    database, so thousands of proposals never travel to Python."""
    exceptions = AllocationException._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH open_ AS (
                SELECT id, part_id, evidence -> 'shares_before' AS made_on FROM "{exceptions}"
                WHERE state = %s AND proposed_shares IS NOT NULL
            ), live AS (
                SELECT s.part_id, jsonb_object_agg(u.code, s.target_share_pct::text) AS shares
                FROM "{ApprovedSource._meta.db_table}" s
                JOIN "{Supplier._meta.db_table}" u ON u.id = s.supplier_id
                WHERE s.is_active AND s.part_id IN (SELECT part_id FROM open_)
                GROUP BY s.part_id
            )
            SELECT o.id FROM open_ o LEFT JOIN live l ON l.part_id = o.part_id
            WHERE o.made_on IS DISTINCT FROM COALESCE(l.shares, '{{}}'::jsonb)
            """,
            [State.OPEN],
        )
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def exceptions_refresh() -> dict[str, int]:
    """Keep the queue decidable: every open proposal re-proposed or superseded.

    The whole queue is compared as plain rows (the shares each proposal was made on
    against the live shares of its part, in the database on PostgreSQL); only the
    proposals whose part's shares moved since are then locked and refreshed, so a queue
    of thousands that nothing moved costs one read (two elsewhere)."""
    counts = {"reproposed": 0, "superseded": 0}
    open_ = AllocationException.objects.filter(state=State.OPEN, proposed_shares__isnull=False)
    moved = _moved_proposals() if connection.vendor == "postgresql" else _moved(open_)
    if not moved:
        return counts
    by_part: dict[int, list[ApprovedSource]] = {}
    for source in (
        ApprovedSource.objects.filter(
            part_id__in=open_.filter(pk__in=moved).values("part_id"), is_active=True
        )
        .select_related("supplier")
        .order_by("supplier__code")
    ):
        by_part.setdefault(source.part_id, []).append(source)
    for exception in open_.select_for_update().filter(pk__in=moved).order_by("pk"):
        before = (exception.proposed_shares, exception.state)
        exception_refresh(exception, by_part.get(exception.part_id, []))
        if exception.state == State.SUPERSEDED:
            counts["superseded"] += 1
        elif exception.proposed_shares != before[0]:
            counts["reproposed"] += 1
    return counts


@transaction.atomic
def exception_approve(
    *, exception: AllocationException, user, comment: str = "", widen_bounds: bool = False
) -> AllocationException:
    """Approve: a hold puts the supplier on hold; a share proposal is applied within the
    bounds (or whole, with the bounds widened, when the buyer chooses so), with an
    allocation change in the buyer's name."""
    exception = AllocationException.objects.select_for_update().get(pk=exception.pk)
    _check_open(exception)
    decision = Decision(user=user, comment=comment, widen_bounds=widen_bounds)
    if exception.kind == Kind.HOLD:
        supplier = Supplier.objects.select_for_update().get(pk=exception.supplier_id)
        if supplier.status != Supplier.Status.ON_HOLD:
            supplier_change_status(supplier=supplier, status=Supplier.Status.ON_HOLD)
    elif exception.proposed_shares:
        sources = _live_sources(exception.part_id)
        exception = exception_refresh(exception, sources)
        if exception.state == State.SUPERSEDED:
            return exception
        _apply_proposal(exception, sources, decision)
    return _decide_exception(exception, state=State.APPROVED, decision=decision)


@transaction.atomic
def exception_reject(
    *, exception: AllocationException, user, comment: str = ""
) -> AllocationException:
    """Reject: nothing changes; the decision is kept with who, when and why."""
    exception = AllocationException.objects.select_for_update().get(pk=exception.pk)
    _check_open(exception)
    return _decide_exception(
        exception, state=State.REJECTED, decision=Decision(user=user, comment=comment)
    )


def exceptions_decide(
    *, exception_ids, approve: bool, user, comment: str = ""
) -> tuple[list[AllocationException], list[str]]:
    """Decide many exceptions with one click, each on its own: one that cannot be decided
    (already decided, a receiver no longer usable) is reported and the rest go ahead."""
    decided, problems = [], []
    for pk in sorted(set(exception_ids)):
        exception = AllocationException(pk=pk)
        try:
            with transaction.atomic():
                if approve:
                    decided.append(
                        exception_approve(exception=exception, user=user, comment=comment)
                    )
                else:
                    decided.append(
                        exception_reject(exception=exception, user=user, comment=comment)
                    )
        except (ValidationError, AllocationException.DoesNotExist) as error:
            messages = getattr(error, "messages", ["not found"])
            problems.append(f"#{pk}: {' '.join(messages)}")
    return decided, problems


def _check_open(exception: AllocationException) -> None:
    if exception.state != State.OPEN:
        raise ValidationError(
            {"state": f"This exception was already {exception.state}; it cannot be decided again."}
        )


def _decide_exception(exception, *, state, decision: Decision) -> AllocationException:
    exception.state = state
    exception.decided_by = decision.user
    exception.decided_at = timezone.now()
    exception.comment = (decision.comment or "").strip()[:2000]
    exception.save(update_fields=["state", "decided_by", "decided_at", "comment"])
    return exception


def _new_shares(exception, sources, decision: Decision) -> dict[str, Decimal]:
    proposal = {code: Decimal(v) for code, v in exception.proposed_shares.items()}
    before = {s.supplier.code: s.target_share_pct for s in sources}
    if decision.widen_bounds:
        return {code: proposal.get(code, share) for code, share in before.items()}
    bounds = {s.supplier.code: (s.min_share_pct, s.max_share_pct) for s in sources}
    shares = bounded_shares(before=before, proposed=proposal, bounds=bounds)
    if shares == before:
        raise ValidationError(
            {
                "proposed_shares": "The share bounds allow no shift at all; approve with "
                "'widen the bounds' to apply it, or reject it."
            }
        )
    return shares


def _apply_proposal(exception, sources, decision: Decision) -> None:
    before = _shares(sources)
    shares = _new_shares(exception, sources, decision)
    expired = expired_certificate_supplier_ids(
        supplier_ids=[s.supplier_id for s in sources], as_of=timezone.localdate()
    )
    updates = []
    for source in sources:
        new = shares[source.supplier.code]
        if new > source.target_share_pct and (
            source.supplier.status != Supplier.Status.APPROVED or source.supplier_id in expired
        ):
            raise ValidationError(
                {
                    "proposed_shares": f"{source.supplier.code} is no longer usable; "
                    "share cannot move to it."
                }
            )
        data = {"target_share_pct": new}
        if decision.widen_bounds:
            data["min_share_pct"] = min(source.min_share_pct, new)
            data["max_share_pct"] = max(source.max_share_pct, new)
        updates.append((source, data))
    sources_update(updates=updates, actor=decision.user)
    note = f"; {decision.comment.strip()}" if decision.comment.strip() else ""
    how = " with the bounds widened" if decision.widen_bounds else ""
    cut = (
        ""
        if decision.widen_bounds or shares == _as_decimals(exception.proposed_shares)
        else (" (cut to the largest shift the bounds allow)")
    )
    change = AllocationChange.objects.create(
        part_id=exception.part_id,
        shares_before=before,
        shares_after=_shares(sources),
        rule=exception.rule,
        metric_value=exception.evidence.get("value"),
        actor=decision.user,
        reason=f"Approved exception #{exception.pk} ({exception.get_kind_display().lower()})"
        f"{how}{cut}{note}",
    )
    balances_rebase(part_ids=[exception.part_id], at=change.created_at)


def _as_decimals(shares: dict) -> dict[str, Decimal]:
    return {code: Decimal(v) for code, v in shares.items()}
