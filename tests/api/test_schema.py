"""OpenAPI schema and interactive docs, served without any CDN."""

import re

from django.contrib.staticfiles import finders
from django.core.management import call_command

# The stable resource names and fields of docs/api.md.
APPENDIX = {
    "Supplier": {"code", "name", "country", "region", "currency", "status"},
    "Part": {"number", "name", "unit"},
    "Source": {
        "part",
        "supplier",
        "target_share_pct",
        "min_share_pct",
        "max_share_pct",
        "unit_price",
        "currency",
        "lead_time_days",
        "monthly_capacity",
        "moq",
    },
    "Contract": {
        "supplier",
        "reference",
        "valid_from",
        "valid_to",
        "early_tolerance_days",
        "late_tolerance_days",
    },
    "PurchaseOrder": {"number", "supplier", "order_date", "currency", "lines"},
    "PurchaseOrderLine": {
        "line",
        "part",
        "quantity",
        "unit_price",
        "requested_date",
        "promised_date",
        "status",
    },
    "Receipt": {
        "number",
        "purchase_order",
        "line",
        "receipt_date",
        "quantity",
        "freight",
        "duty",
        "other_costs",
        "cost_currency",
    },
    "Inspection": {
        "receipt",
        "inspection_date",
        "inspected_quantity",
        "defective_quantity",
        "defect_codes",
    },
    "FxRate": {"currency", "date", "rate"},
}


def test_schema_generates_without_warnings(capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    assert "Warning" not in capsys.readouterr().err


def test_schema_uses_the_appendix_names(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for name, fields in APPENDIX.items():
        assert fields <= set(components[name]["properties"]), name
    paths = schema["paths"]
    for resource in [
        "suppliers",
        "parts",
        "sources",
        "contracts",
        "purchase-orders",
        "ship-notices",
        "receipts",
        "inspections",
        "inventory-positions",
        "fx-rates",
    ]:
        assert f"/api/v1/{resource}/" in paths
    assert "/api/v1/purchase-orders/{number}/lines/{line}/acknowledge/" in paths
    assert "/api/v1/suppliers/{code}/" in paths
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_docs_load_assets_from_our_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    for asset in assets:
        if asset.startswith("/api/docs/?script"):
            # Its start-up script, served as a file (no inline script under the CSP).
            assert client.get(asset.replace("&amp;", "&")).status_code == 200
            continue
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "cdn" not in page.lower()
    assert "unpkg" not in page.lower()
