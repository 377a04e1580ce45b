"""An SMTP backend that reports the server's acceptance of each message at once.

The SMTP transaction's acceptance is the boundary of "sent": once the server answered
250 to DATA the message is the server's, and anything after it (a slow QUIT, a dropped
connection, a worker hitting its time limit) must not make the sender try again. A
message may carry `on_accepted`, a callable run right after that 250, before anything
else can fail; failures while closing the connection after an accepted message are
logged, not raised. See docs/emails.md.
"""

import logging

from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend

logger = logging.getLogger(__name__)


class EmailBackend(DjangoSMTPBackend):
    def _send(self, email_message):
        sent = super()._send(email_message)
        if sent:
            email_message.accepted = True
            callback = getattr(email_message, "on_accepted", None)
            if callback is not None:
                callback()
        return sent

    def close(self):
        try:
            super().close()
        except Exception:  # noqa: BLE001  (the messages were accepted already)
            logger.warning("Closing the SMTP connection failed after sending", exc_info=True)
