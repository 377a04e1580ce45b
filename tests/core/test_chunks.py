"""core.chunks.chunked: the one way long lists are taken in pieces (exports, the alert scan,
the rules engine's batches)."""

import pytest

from core.chunks import chunked
from suppliers.models import Supplier
from tests.factories import SupplierFactory


def test_a_list_comes_back_whole_and_in_order_in_pieces_of_the_size():
    pieces = list(chunked(list(range(7)), 3))
    assert pieces == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked([], 3)) == []
    with pytest.raises(ValueError):
        list(chunked([1], 0))


@pytest.mark.django_db
def test_a_queryset_is_streamed_not_loaded_whole():
    SupplierFactory.create_batch(5)
    rows = Supplier.objects.order_by("code")
    pieces = list(chunked(rows, 2))
    assert [len(piece) for piece in pieces] == [2, 2, 1]
    codes = [s.code for piece in pieces for s in piece]
    assert codes == list(rows.values_list("code", flat=True))
    assert rows._result_cache is None  # read through an iterator: the queryset never filled
