"""'How is this computed?': the pages of docs/, rendered in the product for its users."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_buyer_reads_how_every_figure_is_computed(client_for, buyer):
    response = client_for(buyer).get("/guide/kpis/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>How each figure on a scorecard is computed</h1>" in html
    assert "<table>" in html  # the composite's floors and targets
    assert 'href="../engine/"' in html  # links between pages stay inside the guide


def test_a_contact_reads_how_its_scorecard_is_made_and_nothing_internal(client_for, contact_a):
    client = client_for(contact_a)
    assert client.get("/guide/kpis/").status_code == 200
    assert client.get("/guide/engine/").status_code == 404
    index = client.get("/guide/").content.decode()
    assert "/guide/kpis/" in index and "/guide/engine/" not in index


def test_the_portal_scorecard_links_to_the_explanation(client_for, contact_a):
    assert "/guide/kpis/" in client_for(contact_a).get("/portal/scorecard/").content.decode()


def test_an_unknown_or_crafted_page_is_not_found(client_for, buyer):
    client = client_for(buyer)
    assert client.get("/guide/no-such-page/").status_code == 404
    assert client.get("/guide/..%2Fpyproject/").status_code == 404
