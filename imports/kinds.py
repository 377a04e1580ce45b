"""What can be imported: the kinds of file, their columns, and the report of a run."""

from dataclasses import dataclass, field

from core.units import EXAMPLES as UNIT_EXAMPLES


@dataclass(frozen=True)
class RowError:
    row: int | None  # spreadsheet row (header = 1); None for the file as a whole
    column: str | None
    message: str


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Accepted but worth a look (an over-delivery): listed row by row, never blocking.
    warnings: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportKind:
    name: str
    label: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # Columns our own exports write that an import does not need: accepted and ignored,
    # so an exported file can be edited and imported again.
    ignored: tuple[str, ...] = ()
    help: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS: dict[str, ImportKind] = {
    kind.name: kind
    for kind in [
        ImportKind(
            "suppliers",
            "Suppliers",
            required=("code", "name", "country", "currency"),
            optional=("region", "status", "owner"),
            ignored=("primary_contact", "created_at", "updated_at"),
            help="One row per supplier; country and currency as ISO codes (DE, EUR).",
        ),
        ImportKind(
            "parts",
            "Parts",
            required=("number", "name"),
            optional=(
                "unit",
                "category",
                "specification_reference",
                "specification_revision",
                "is_critical",
            ),
            ignored=("checklist",),
            help=f"One row per part; unit as a UN/ECE Rec 20 code or alias ({UNIT_EXAMPLES}).",
        ),
        ImportKind(
            "sources",
            "Approved sources",
            required=(
                "part",
                "supplier",
                "target_share_pct",
                "unit_price",
                "currency",
                "lead_time_days",
            ),
            optional=(
                "min_share_pct",
                "max_share_pct",
                "monthly_capacity",
                "moq",
                "pack_size",
                "is_active",
            ),
            ignored=("id",),
            help="One row per part and supplier; the active shares of a part may not exceed 100.",
        ),
        ImportKind(
            "purchase_orders",
            "Purchase orders",
            required=(
                "number",
                "supplier",
                "order_date",
                "line",
                "part",
                "quantity",
                "unit_price",
                "requested_date",
            ),
            optional=("currency", "promised_date", "status"),
            ignored=(
                "order_status",
                "created_by",
                "created_at",
                "expected_date",
                "acknowledged_at",
                "spot_buy_lines",
                "over_delivered_lines",
                "spot_buy",
                "over_delivered",
            ),
            help="One row per order line; the order columns repeat on each of its lines. "
            "A promised date counts as the supplier's confirmation.",
        ),
        ImportKind(
            "receipts",
            "Goods receipts",
            required=("number", "purchase_order", "line", "receipt_date", "quantity"),
            optional=("freight", "duty", "other_costs", "cost_currency"),
            ignored=("id", "part", "supplier", "created_at"),
            help="One row per goods receipt against a PO line; costs default to 0 and their "
            "currency to the order's.",
        ),
        ImportKind(
            "inspections",
            "Inspections",
            required=("receipt", "inspection_date", "inspected_quantity"),
            optional=("defective_quantity", "defect_codes", "disposition"),
            ignored=("id", "purchase_order", "line", "part", "supplier", "created_at"),
            help="One row per inspection of a receipt; separate several defect codes with ';'.",
        ),
        ImportKind(
            "invoice_payments",
            "Invoice payments",
            required=("supplier", "number"),
            optional=("paid_at", "reference"),
            help="One row per approved supplier invoice your ERP paid; paid_at defaults to "
            "today. Only approved invoices can be paid.",
        ),
        ImportKind(
            "inventory_positions",
            "Stock readings",
            required=("part", "site", "on_hand", "read_at"),
            optional=("safety_stock", "reorder_point", "source"),
            ignored=("id",),
            help="One row per reading; read_at as an ISO date and time.",
        ),
    ]
}
