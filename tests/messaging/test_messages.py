import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

import messaging.tasks  # noqa: F401  (registers the tasks so eager mode runs them here)
from accounts.services import user_profile_update
from messaging.models import Message, MessageNotification, Thread
from messaging.selectors import unread_message_count
from messaging.services import (
    message_digests_send,
    message_notifications_send,
    message_notifications_send_stale,
    message_post,
)
from tests.factories import PurchaseOrderFactory, SupplierContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def owned_a(supplier_a, buyer):
    supplier_a.owner = buyer
    supplier_a.save()
    return supplier_a


def _new_thread(client, **data):
    return client.post("/messages/new/", {"subject": "Delivery plan", "body": "Hello", **data})


def test_a_contacts_message_is_stored_once_and_emails_the_owner_once(
    client, contact_a, owned_a, buyer, django_capture_on_commit_callbacks
):
    client.force_login(contact_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _new_thread(client, body="Can we ship early?")
    thread = Thread.objects.get()
    assert response.status_code == 302 and response.url == f"/messages/{thread.pk}/"
    assert thread.supplier == owned_a and thread.purchase_order is None
    assert Message.objects.count() == 1
    assert [m.to for m in mail.outbox] == [[buyer.email]]
    assert "Can we ship early?" in mail.outbox[0].body
    # A second run of the task (a retry, a duplicate) sends nothing more.
    assert message_notifications_send(message_id=Message.objects.get().pk) == 0
    assert len(mail.outbox) == 1
    assert MessageNotification.objects.get().status == "sent"
    # In the portal: the buyer has one unread message until the thread is opened.
    assert unread_message_count(user=buyer) == 1
    assert unread_message_count(user=contact_a) == 0
    client.force_login(buyer)
    assert b"Can we ship early?" in client.get(f"/messages/{thread.pk}/").content
    assert unread_message_count(user=buyer) == 0


def test_a_buyers_reply_reaches_every_contact_of_that_supplier_only(
    client, contact_a, contact_b, owned_a, buyer, django_capture_on_commit_callbacks
):
    colleague = SupplierContactFactory(supplier=owned_a, user__username="colleague").user
    client.force_login(contact_a)
    _new_thread(client)
    thread = Thread.objects.get()
    mail.outbox.clear()
    client.force_login(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/messages/{thread.pk}/", {"body": "Yes, from Monday."})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted([contact_a.email, colleague.email])
    assert unread_message_count(user=contact_a) == 1
    assert unread_message_count(user=contact_b) == 0


def test_email_settings_daily_goes_to_the_digest_and_off_sends_nothing(
    contact_a, owned_a, buyer, viewer, django_capture_on_commit_callbacks
):
    colleague = SupplierContactFactory(supplier=owned_a, user__username="colleague").user
    user_profile_update(user=contact_a, email_frequency="daily")
    user_profile_update(user=colleague, email_frequency="off")
    thread = Thread.objects.create(supplier=owned_a, subject="Plan")
    with django_capture_on_commit_callbacks(execute=True):
        message_post(thread=thread, author=buyer, body="First")
        message_post(thread=thread, author=buyer, body="Second")
    assert mail.outbox == []
    statuses = dict(
        MessageNotification.objects.values_list("recipient__username", "status").distinct()
    )
    assert statuses == {"contact_a": "digest", "colleague": "skipped"}
    assert message_digests_send() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [contact_a.email]
    assert "First" in mail.outbox[0].body and "Second" in mail.outbox[0].body
    assert message_digests_send() == 0
    assert len(mail.outbox) == 1


def test_one_notification_per_message_and_recipient_is_enforced(contact_a, owned_a, buyer):
    thread = Thread.objects.create(supplier=owned_a, subject="Plan")
    message = message_post(thread=thread, author=contact_a, body="Hi")
    with pytest.raises(IntegrityError), transaction.atomic():
        MessageNotification.objects.create(message=message, recipient=buyer)


def test_a_new_subject_opens_a_new_thread_and_the_same_subject_joins(client, contact_a, owned_a):
    client.force_login(contact_a)
    _new_thread(client)
    _new_thread(client, subject="Price increase 2027", body="New price list attached")
    threads = {t.subject: t for t in Thread.objects.all()}
    assert set(threads) == {"Delivery plan", "Price increase 2027"}
    assert [m.body for m in threads["Price increase 2027"].messages.all()] == [
        "New price list attached"
    ]
    _new_thread(client, subject="delivery plan ", body="Week 12 too")
    assert Thread.objects.count() == 2
    assert threads["Delivery plan"].messages.count() == 2


def test_one_thread_per_order(client, contact_a, owned_a):
    client.force_login(contact_a)
    order = PurchaseOrderFactory(number="PO-A7", supplier=owned_a)
    _new_thread(client, purchase_order="PO-A7", subject="About PO-A7")
    assert Thread.objects.filter(purchase_order=order).count() == 1
    response = client.get("/messages/new/?purchase_order=PO-A7")
    assert response.status_code == 302


def test_a_contact_cannot_reach_or_post_in_another_suppliers_thread(
    client, contact_a, contact_b, owned_a, supplier_b, buyer
):
    theirs = Thread.objects.create(supplier=supplier_b, subject="Bolt pricing")
    message_post(thread=theirs, author=buyer, body="Secret price 4.20")
    order_b = PurchaseOrderFactory(number="PO-B9", supplier=supplier_b)
    client.force_login(contact_a)
    assert client.get(f"/messages/{theirs.pk}/").status_code == 404
    assert client.post(f"/messages/{theirs.pk}/", {"body": "hi"}).status_code == 404
    assert b"Bolt pricing" not in client.get("/messages/").content
    assert b"Bolt pricing" not in client.get("/messages/?q=Bolt").content
    assert client.get("/messages/new/?purchase_order=PO-B9").status_code == 404
    response = _new_thread(client, purchase_order=order_b.number)
    assert response.status_code == 200 and b"No such purchase order" in response.content
    assert Message.objects.filter(thread=theirs).count() == 1
    assert not Thread.objects.filter(purchase_order=order_b).exists()


def test_viewers_read_but_do_not_post(client, viewer, owned_a, contact_a):
    thread = Thread.objects.create(supplier=owned_a, subject="Plan")
    message_post(thread=thread, author=contact_a, body="Hi")
    client.force_login(viewer)
    page = client.get(f"/messages/{thread.pk}/")
    assert page.status_code == 200 and b"Hi" in page.content and b"Reply" not in page.content
    refused = client.post(f"/messages/{thread.pk}/", {"body": "x"})
    assert refused.status_code == 403 and b"Viewers read only" in refused.content
    assert client.get("/messages/new/").status_code == 403
    assert Message.objects.count() == 1


def test_an_empty_message_is_a_form_error(client, contact_a, owned_a):
    thread = Thread.objects.create(supplier=owned_a, subject="Plan")
    client.force_login(contact_a)
    response = client.post(f"/messages/{thread.pk}/", {"body": "   "})
    assert response.status_code == 200 and b"required" in response.content
    assert not Message.objects.exists()


def test_the_api_threads_and_messages(api_for, contact_a, contact_b, owned_a, buyer):
    order = PurchaseOrderFactory(number="PO-A8", supplier=owned_a)
    api = api_for(contact_a)
    response = api.post(
        "/api/v1/threads/",
        {"purchase_order": "PO-A8", "subject": "Packaging", "body": "Pallets?"},
        format="json",
    )
    assert response.status_code == 201, response.content
    thread = response.json()
    assert thread["supplier"] == "ACME" and thread["purchase_order"] == order.number
    reply = api_for(buyer).post(
        f"/api/v1/threads/{thread['id']}/messages/", {"body": "Euro pallets"}, format="json"
    )
    assert reply.status_code == 201
    assert reply.json()["author"] == "buyer"
    listed = api.get(f"/api/v1/threads/{thread['id']}/messages/").json()
    assert [m["body"] for m in listed["results"]] == ["Pallets?", "Euro pallets"]
    assert (
        api.post(
            "/api/v1/messages/", {"thread": thread["id"], "body": "Thanks"}, format="json"
        ).status_code
        == 201
    )
    again = api.post("/api/v1/threads/", {"purchase_order": "PO-A8", "subject": "x"}, format="json")
    assert again.status_code == 400 and "purchase_order" in again.json()
    other = api_for(contact_b)
    assert other.get(f"/api/v1/threads/{thread['id']}/").status_code == 404
    assert other.get(f"/api/v1/threads/{thread['id']}/messages/").status_code == 404
    bad = other.post("/api/v1/messages/", {"thread": thread["id"], "body": "x"}, format="json")
    assert bad.status_code == 400
    sneaky = other.post(
        "/api/v1/threads/", {"purchase_order": "PO-A8", "subject": "x"}, format="json"
    )
    assert sneaky.status_code == 400
    assert other.get("/api/v1/messages/").json()["count"] == 0


def test_emails_whose_task_never_ran_are_caught_up_once(contact_a, owned_a, buyer):
    thread = Thread.objects.create(supplier=owned_a, subject="Plan")
    message_post(thread=thread, author=contact_a, body="No worker was running")  # no on_commit
    assert mail.outbox == []
    assert message_notifications_send_stale() == 0  # too fresh: its own task may still come
    with time_machine.travel(dt.timedelta(minutes=11)):
        assert message_notifications_send_stale() == 1
        assert message_notifications_send_stale() == 0
    assert [m.to for m in mail.outbox] == [[buyer.email]]
