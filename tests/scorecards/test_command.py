import pytest
from django.core.management import CommandError, call_command

from scorecards.models import SupplierScorecard
from tests.scorecards.test_rules import FEB_10

pytestmark = pytest.mark.django_db


def test_recompute_kpis_for_one_supplier_and_month(kpi, supplier_a, supplier_b, capsys):
    kpi.receive(kpi.line(), FEB_10, "100")
    kpi.receive(kpi.line(supplier=supplier_b), FEB_10, "100")
    call_command(
        "recompute_kpis", "--supplier", "ACME", "--period", "2026-02", "--as-of", "2026-03-31"
    )
    assert SupplierScorecard.objects.filter(supplier=supplier_a, period="2026-02").exists()
    assert not SupplierScorecard.objects.filter(supplier=supplier_b).exists()
    assert "supplier rows" in capsys.readouterr().out


def test_recompute_kpis_without_arguments_does_everything(kpi, supplier_b):
    kpi.receive(kpi.line(), FEB_10, "100")
    call_command("recompute_kpis", "--as-of", "2026-03-31")
    assert SupplierScorecard.objects.filter(period="2026-02").count() == 1
    assert SupplierScorecard.objects.filter(period="rolling-90").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--supplier", "NOPE"], "Unknown supplier"),
        (["--period", "2026-13"], "not a period"),
        (["--as-of", "31.03.2026"], "--as-of"),
        (["--full", "--supplier", "ACME"], "take no --supplier"),
    ],
)
def test_recompute_kpis_refuses_bad_input(supplier_a, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("recompute_kpis", *args)


def test_recompute_kpis_full_and_nightly(kpi, supplier_a, capsys):
    kpi.receive(kpi.line(), FEB_10, "100")
    call_command("recompute_kpis", "--full", "--as-of", "2026-03-31")
    assert SupplierScorecard.objects.get(supplier=supplier_a, period="2026-02").lines_due == 1
    # The next night: April 1 is a new month, and the rolling window moves with it.
    call_command("recompute_kpis", "--nightly", "--as-of", "2026-04-01")
    rolling = SupplierScorecard.objects.get(supplier=supplier_a, period="rolling-90")
    assert str(rolling.period_end) == "2026-04-01"
    assert "supplier rows" in capsys.readouterr().out
