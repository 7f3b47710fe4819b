"""The email channel: plain-text mail through SMTP (stdlib smtplib)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from drorch.domain.notifications import Channel, EmailConfig
from drorch.errors import DeliveryError
from drorch.ports.notifier import Outgoing, Sent


class EmailSender:
    """Sends to email channels; the password is used to log in, never logged or echoed."""

    def __init__(self, *, timeout: float = 10.0, tls_context: ssl.SSLContext | None = None):
        self._timeout = timeout
        self._tls = tls_context or ssl.create_default_context()

    def send(self, channel: Channel, message: Outgoing) -> Sent:
        """Deliver the mail to every recipient; the server's reply code to DATA."""
        config = channel.config
        assert isinstance(config, EmailConfig)
        mail = compose(config, message)
        try:
            with self._connect(config) as smtp:
                if config.username:
                    smtp.login(config.username, channel.secret or "")
                refused = smtp.send_message(mail)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP {config.host}:{config.port} answered {exc.smtp_code}: {_text(exc)}",
                status_code=exc.smtp_code,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"SMTP {config.host}:{config.port}: {type(exc).__name__}: {exc}"
            ) from exc
        if refused:
            raise DeliveryError(f"SMTP {config.host} refused {', '.join(sorted(refused))}")
        return Sent(status_code=250)

    def _connect(self, config: EmailConfig) -> smtplib.SMTP:
        if config.tls == "ssl":
            return smtplib.SMTP_SSL(
                config.host, config.port, timeout=self._timeout, context=self._tls
            )
        smtp = smtplib.SMTP(config.host, config.port, timeout=self._timeout)
        if config.tls == "starttls":
            try:
                smtp.starttls(context=self._tls)
            except BaseException:
                smtp.close()
                raise
        return smtp


def compose(config: EmailConfig, message: Outgoing) -> EmailMessage:
    """The mail: the title as subject, the text and the link as body."""
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = config.sender
    mail["To"] = ", ".join(config.recipients)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=message.delivery_id, domain="drorch")
    mail["X-Drorch-Event"] = message.kind
    mail["X-Drorch-Delivery"] = message.delivery_id
    body = message.text + (f"\n\n{message.link}\n" if message.link else "\n")
    mail.set_content(body)
    return mail


def _text(exc: smtplib.SMTPResponseException) -> str:
    raw = exc.smtp_error
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
