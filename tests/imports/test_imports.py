"""File imports: the whole file is checked first; one bad row and nothing is written."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from imports.services import SystemActor, import_file_run
from parts.models import ApprovedSource, Part
from purchasing.models import Inspection, PurchaseOrder, PurchaseOrderLine, Receipt
from suppliers.models import Supplier


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(kind, content, filename="data.csv", user=None, **kwargs):
    return import_file_run(
        kind=kind, content=content, filename=filename, user=user or SystemActor(), **kwargs
    )


def problems(result) -> set[tuple]:
    return {(e.row, e.column) for e in result.errors}


SUPPLIERS = (
    "code,name,country,currency,region,status",
    "CAST,Cast Iron AG,DE,EUR,EMEA,approved",
    "FORG,Forgeworks Ltd,GB,GBP,EMEA,qualified",
)


class TestSuppliers:
    def test_good_file(self, db):
        result = run("suppliers", csv_bytes(*SUPPLIERS))
        assert result.ok, result.errors
        assert result.created == 2
        assert Supplier.objects.get(code="FORG").currency == "GBP"

    def test_one_bad_row_writes_nothing(self, db):
        result = run("suppliers", csv_bytes(*SUPPLIERS, "BAD,Bad Co,XX,EURO,,"))
        assert not result.ok
        assert problems(result) == {(4, "country"), (4, "currency")}
        assert not Supplier.objects.exists()

    def test_duplicate_code_in_file_and_in_database(self, world):
        result = run("suppliers", csv_bytes(*SUPPLIERS, "CAST,Again,DE,EUR,,", "ACME,Dup,DE,EUR,,"))
        assert problems(result) == {(4, "code"), (5, "code")}
        assert not Supplier.objects.filter(code="CAST").exists()

    def test_semicolon_separated_file_from_excel(self, db):
        content = csv_bytes(*(line.replace(",", ";") for line in SUPPLIERS))
        assert run("suppliers", content).ok

    def test_byte_order_mark_and_header_spelling(self, db):
        content = "\ufeffCode,Name,Country,Currency\nCAST,Cast,DE,EUR\n".encode()
        assert run("suppliers", content).ok

    def test_wrong_encoding_is_reported(self, db):
        content = csv_bytes(
            "code,name,country,currency", "MULL,Müller GmbH,DE,EUR", encoding="latin-1"
        )
        result = run("suppliers", content)
        assert not result.ok
        assert "UTF-8" in result.errors[0].message
        assert not Supplier.objects.exists()

    def test_wrong_columns_are_reported(self, db):
        result = run("suppliers", csv_bytes("code,title,country", "CAST,Cast,DE"))
        assert problems(result) == {(1, "title"), (1, "name"), (1, "currency")}

    @pytest.mark.parametrize(
        ("content", "filename"),
        [
            (b"", "data.csv"),
            (b"code,name,country,currency\n", "data.csv"),
            (b"not a zip file", "data.xlsx"),
            (b"\x00\x01", "data.pdf"),
            (b'code,name\n"unterminated,x\x00', "data.csv"),
        ],
    )
    def test_unreadable_files_are_reported(self, db, content, filename):
        result = run("suppliers", content, filename=filename)
        assert not result.ok
        assert result.errors[0].message

    def test_excel_file(self, db):
        rows = [line.split(",") for line in SUPPLIERS]
        result = run("suppliers", xlsx_bytes(rows), filename="suppliers.xlsx")
        assert result.ok, result.errors
        assert Supplier.objects.count() == 2

    def test_excel_file_with_a_bad_row(self, db):
        rows = [line.split(",") for line in SUPPLIERS] + [["X Y", "Bad", "DE", "EUR"]]
        result = run("suppliers", xlsx_bytes(rows), filename="suppliers.xlsx")
        assert problems(result) == {(4, "code")}
        assert not Supplier.objects.exists()

    def test_dry_run_writes_nothing(self, db):
        result = run("suppliers", csv_bytes(*SUPPLIERS), dry_run=True)
        assert result.ok and result.created == 0 and result.rows == 2
        assert not Supplier.objects.exists()


class TestPartsAndSources:
    def test_parts(self, db):
        result = run(
            "parts", csv_bytes("number,name,unit,category", "P-50,Gear,ea,gears", "P-51,Oil,l,")
        )
        assert result.ok, result.errors
        assert Part.objects.get(number="P-51").unit == "LTR"

    def test_sources_shares_within_the_file(self, world):
        header = "part,supplier,target_share_pct,unit_price,currency,lead_time_days"
        result = run(
            "sources", csv_bytes(header, "P-4,ACME,70,2.5,EUR,20", "P-4,BOLT,40,2.7,EUR,25")
        )
        assert problems(result) == {(3, "target_share_pct")}
        assert not ApprovedSource.objects.filter(part__number="P-4").exists()
        result = run(
            "sources", csv_bytes(header, "P-4,ACME,60,2.5,EUR,20", "P-4,BOLT,40,2.7,EUR,25")
        )
        assert result.ok, result.errors
        assert ApprovedSource.objects.filter(part__number="P-4").count() == 2

    def test_same_source_twice(self, world):
        header = "part,supplier,target_share_pct,unit_price,currency,lead_time_days"
        result = run(
            "sources", csv_bytes(header, "P-4,ACME,20,2.5,EUR,20", "P-4,ACME,20,2.5,EUR,20")
        )
        assert problems(result) == {(3, "supplier")}


PO_HEADER = (
    "number,supplier,order_date,currency,line,part,quantity,unit_price,requested_date,promised_date"
)


class TestPurchaseOrders:
    def test_rows_group_into_orders(self, world):
        result = run(
            "purchase_orders",
            csv_bytes(
                PO_HEADER,
                "PO-7,ACME,2026-03-01,EUR,1,P-1,100,9.5,2026-04-01,",
                "PO-7,ACME,2026-03-01,EUR,2,P-2,50,3,2026-04-10,2026-04-12",
                "PO-8,BOLT,2026-03-02,,1,P-3,10,7,2026-04-05,",
            ),
        )
        assert result.ok, result.errors
        assert PurchaseOrder.objects.get(number="PO-7").lines.count() == 2
        assert PurchaseOrder.objects.get(number="PO-8").currency == "EUR"  # the supplier's
        confirmed = PurchaseOrderLine.objects.get(purchase_order__number="PO-7", line_number=2)
        assert confirmed.acknowledged_at is not None

    def test_errors_point_at_the_line_row(self, world):
        result = run(
            "purchase_orders",
            csv_bytes(
                PO_HEADER,
                "PO-7,ACME,2026-03-01,EUR,1,P-1,100,9.5,2026-04-01,",
                "PO-7,ACME,2026-03-01,EUR,2,P-NOPE,-5,3,2026-04-10,",
                "PO-8,NOPE,2026-03-02,,1,P-3,10,7,2026-04-05,",
                "PO-9,ACME,2026-03-02,EUR,1,P-2,10,7,2026-04-05,",
                "PO-9,ACME,2026-03-03,EUR,2,P-2,10,7,2026-04-05,",
            ),
        )
        assert problems(result) == {(3, "quantity"), (4, "supplier"), (6, "order_date")}
        assert not PurchaseOrder.objects.filter(number__in=["PO-7", "PO-8", "PO-9"]).exists()

    def test_unknown_part_is_reported_on_its_row(self, world):
        result = run(
            "purchase_orders",
            csv_bytes(
                PO_HEADER,
                "PO-7,ACME,2026-03-01,EUR,1,P-1,100,9.5,2026-04-01,",
                "PO-7,ACME,2026-03-01,EUR,2,P-NOPE,5,3,2026-04-10,",
            ),
        )
        assert problems(result) == {(3, "part")}

    def test_kpi_refresh_is_queued_once(
        self, world, django_capture_on_commit_callbacks, monkeypatch
    ):
        from engine import tasks

        queued = []
        monkeypatch.setattr(tasks.engine_run, "delay", lambda ids, *_: queued.append(ids))
        with django_capture_on_commit_callbacks(execute=True):
            result = run(
                "purchase_orders",
                csv_bytes(
                    PO_HEADER,
                    "PO-7,ACME,2026-03-01,EUR,1,P-1,100,9.5,2026-04-01,",
                    "PO-8,BOLT,2026-03-02,,1,P-3,10,7,2026-04-05,",
                    "PO-9,ACME,2026-03-02,,1,P-2,10,7,2026-04-05,",
                ),
            )
        assert result.ok
        assert queued == [sorted([world["orders"][0].supplier_id, world["orders"][1].supplier_id])]


RECEIPT_HEADER = "number,purchase_order,line,receipt_date,quantity,freight,cost_currency"


class TestReceiptsAndInspections:
    def test_receipts(self, world):
        result = run(
            "receipts",
            csv_bytes(
                RECEIPT_HEADER,
                "GR-100,PO-A1,1,2026-02-11,10,5.5,EUR",
                "GR-101,PO-B1,1,2026-02-12,5,,",
            ),
        )
        assert result.ok, result.errors
        assert Receipt.objects.get(number="GR-101").cost_currency == "USD"  # PO-B1's

    def test_bad_receipts_are_reported_by_row_and_column(self, world):
        result = run(
            "receipts",
            csv_bytes(
                RECEIPT_HEADER,
                "GR-100,PO-A1,1,2026-02-11,10,5.5,EUR",
                "GR-101,PO-A1,9,2026-02-12,5,,",
                "GR-102,PO-A1,1,12/02/2026,-5,,",
                "GR-100,PO-A1,1,2026-02-11,10,,",
            ),
        )
        assert problems(result) == {
            (3, "line"),
            (4, "receipt_date"),
            (4, "quantity"),
            (5, "number"),
        }
        assert not Receipt.objects.filter(number__startswith="GR-1").exists()

    def test_inspections_from_excel(self, world):
        rows = [
            [
                "receipt",
                "inspection_date",
                "inspected_quantity",
                "defective_quantity",
                "defect_codes",
            ],
            ["GR-A1", "2026-02-11", 20, 2, "DIM; SURF"],
            ["GR-B1", "2026-02-12", 10, 0, None],
        ]
        result = run("inspections", xlsx_bytes(rows), filename="qc.xlsx")
        assert result.ok, result.errors
        assert Inspection.objects.filter(
            receipt__number="GR-A1", defect_codes=["DIM", "SURF"]
        ).exists()

    def test_inspections_bad_excel_rows(self, world):
        import datetime as dt

        rows = [
            [
                "receipt",
                "inspection_date",
                "inspected_quantity",
                "defective_quantity",
                "defect_codes",
            ],
            ["GR-A1", dt.date(2026, 2, 11), 20, 25, "DIM"],
            ["GR-NOPE", dt.datetime(2026, 2, 12), 10, 0, None],
            ["GR-A1", dt.date(2026, 2, 11), 5, 1, "RUST"],
        ]
        result = run("inspections", xlsx_bytes(rows), filename="qc.xlsx")
        assert problems(result) == {(2, "defective_quantity"), (3, "receipt"), (4, "defect_codes")}
        assert Inspection.objects.count() == 2

    def test_exported_file_imports_again(self, world, api_for, buyer):
        """Columns our export adds (id, part, supplier ...) are accepted and ignored."""
        exported = api_for(buyer).get("/api/v1/receipts/?format=csv&number=GR-A1").content
        text = exported.decode("utf-8-sig").replace("GR-A1", "GR-COPY")
        result = run("receipts", text.encode())
        assert result.ok, result.errors
        assert Receipt.objects.get(number="GR-COPY").quantity == 100


class TestCommand:
    def test_import_data(self, world, tmp_path, capsys):
        path = tmp_path / "receipts.csv"
        path.write_bytes(csv_bytes(RECEIPT_HEADER, "GR-100,PO-A1,1,2026-02-11,10,5.5,EUR"))
        call_command("import_data", "receipts", str(path))
        assert "Imported 1" in capsys.readouterr().out
        assert Receipt.objects.filter(number="GR-100").exists()

    def test_import_data_reports_and_fails(self, world, tmp_path, capsys):
        path = tmp_path / "receipts.xlsx"
        path.write_bytes(
            xlsx_bytes([RECEIPT_HEADER.split(","), ["GR-100", "PO-A1", 1, "2026-02-11", -1]])
        )
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("import_data", "receipts", str(path))
        assert "row 2, column quantity" in capsys.readouterr().err
        assert not Receipt.objects.filter(number="GR-100").exists()

    def test_import_data_dry_run_and_user(self, world, buyer, tmp_path, capsys):
        path = tmp_path / "po.csv"
        path.write_bytes(csv_bytes(PO_HEADER, "PO-7,ACME,2026-03-01,EUR,1,P-1,100,9.5,2026-04-01,"))
        call_command("import_data", "purchase_orders", str(path), "--dry-run")
        assert not PurchaseOrder.objects.filter(number="PO-7").exists()
        call_command("import_data", "purchase_orders", str(path), "--user", "buyer")
        assert PurchaseOrder.objects.get(number="PO-7").created_by == buyer

    def test_missing_file_and_non_buyer(self, world, viewer, tmp_path):
        with pytest.raises(CommandError, match="Cannot read"):
            call_command("import_data", "receipts", str(tmp_path / "nope.csv"))
        path = tmp_path / "r.csv"
        path.write_bytes(csv_bytes(RECEIPT_HEADER))
        with pytest.raises(CommandError, match="not a buyer"):
            call_command("import_data", "receipts", str(path), "--user", "viewer")


class TestPage:
    def upload(self, client, kind, content, filename="data.csv", **extra):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(
            "/imports/",
            {"kind": kind, "file": SimpleUploadedFile(filename, content), **extra},
        )

    def test_buyer_imports_a_good_file(self, world, client_for, buyer):
        response = self.upload(client_for(buyer), "suppliers", csv_bytes(*SUPPLIERS))
        assert response.status_code == 200
        assert "Imported 2 rows" in response.content.decode()
        assert Supplier.objects.filter(code__in=["CAST", "FORG"]).count() == 2

    def test_bad_file_shows_the_report(self, world, client_for, buyer):
        content = csv_bytes(
            RECEIPT_HEADER,
            "GR-100,PO-A1,1,2026-02-11,10,5.5,EUR",
            "GR-101,PO-NOPE,1,2026-02-11,1,,",
        )
        response = self.upload(client_for(buyer), "receipts", content)
        assert response.status_code == 400
        page = response.content.decode()
        assert "Nothing was imported" in page
        assert "No purchase order PO-NOPE." in page
        assert '<td class="num">3</td><td>purchase_order</td>' in page
        assert not Receipt.objects.filter(number="GR-100").exists()

    def test_xlsx_upload_and_dry_run(self, world, client_for, buyer):
        rows = [line.split(",") for line in SUPPLIERS]
        response = self.upload(
            client_for(buyer), "suppliers", xlsx_bytes(rows), "s.xlsx", dry_run="on"
        )
        assert "All 2 rows are good" in response.content.decode()
        assert not Supplier.objects.filter(code="CAST").exists()

    def test_wrong_file_type_is_a_form_error(self, world, client_for, buyer):
        response = self.upload(client_for(buyer), "suppliers", b"%PDF", "s.pdf")
        assert response.status_code == 200
        assert "Upload a .csv or .xlsx file." in response.content.decode()

    def test_page_lists_layouts_and_exports(self, world, client_for, buyer):
        page = client_for(buyer).get("/imports/").content.decode()
        assert "purchase_order, line, receipt_date, quantity" in page
        assert "/exports/scorecards.csv" in page
        assert "/imports/templates/receipts.xlsx" in page

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_template_download(self, world, client_for, buyer, fmt):
        response = client_for(buyer).get(f"/imports/templates/inspections.{fmt}")
        assert response.status_code == 200
        if fmt == "csv":
            assert response.content.decode().startswith(
                "receipt,inspection_date,inspected_quantity"
            )

    @pytest.mark.parametrize("role", ["viewer", "contact_a"])
    def test_only_buyers_import(self, world, client_for, request, role):
        client = client_for(request.getfixturevalue(role))
        assert client.get("/imports/").status_code == 403
        assert self.upload(client, "suppliers", csv_bytes(*SUPPLIERS)).status_code == 403
        assert not Supplier.objects.filter(code="CAST").exists()

    def test_anonymous_goes_to_login(self, world, client):
        assert client.get("/imports/").status_code == 302
