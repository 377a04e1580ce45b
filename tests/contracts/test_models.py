import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_contract_tolerances_default_to_the_spec():
    contract = ContractFactory()
    contract.refresh_from_db()
    assert (contract.early_tolerance_days, contract.late_tolerance_days) == (3, 0)


def test_contract_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(valid_from=dt.date(2026, 5, 1), valid_to=dt.date(2026, 4, 30))


def test_contract_references_are_unique():
    ContractFactory(reference="C-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(reference="C-1")
