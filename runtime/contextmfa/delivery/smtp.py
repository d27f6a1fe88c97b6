"""Email through an SMTP server with :mod:`smtplib`: plain, STARTTLS or implicit TLS; login.

``security = "starttls"`` upgrades the connection before anything (login, message) is sent and
fails if the server does not offer it; ``"tls"`` connects with TLS from the first byte (port 465).
``ca_file`` trusts a private CA instead of the system store. Every failure is a DeliveryError with
the SMTP reply code when there is one; the server's text is not repeated (it may echo addresses).
"""

from __future__ import annotations

import email.message
import email.utils
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from contextmfa.delivery.base import EmailMessage, Receipt, mask_recipient
from contextmfa.delivery.errors import DeliveryError

__all__ = ["SmtpProvider", "SmtpSettings"]

_log = logging.getLogger("contextmfa.delivery")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    sender: str
    port: int = 587
    security: Literal["none", "starttls", "tls"] = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    ca_file: str = ""
    timeout_seconds: float = 10.0


class SmtpProvider:
    name = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    def send_email(self, message: EmailMessage, *, now: datetime) -> Receipt:
        s = self._settings
        mail = email.message.EmailMessage()
        mail["From"] = s.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = email.utils.format_datetime(now)
        mail["Message-ID"] = email.utils.make_msgid(domain=s.sender.rpartition("@")[2] or None)
        mail.set_content(message.body)
        try:
            with self._connect() as smtp:
                if s.username:
                    smtp.login(s.username, s.password)
                smtp.send_message(mail)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(self.name, "email", f"SMTP reply {exc.smtp_code}") from None
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryError(self.name, "email", "the recipient was refused") from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(self.name, "email", "the server does not offer STARTTLS") from None
        except (smtplib.SMTPException, OSError) as exc:
            reason = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
            raise DeliveryError(self.name, "email", f"cannot reach the server ({reason})") from None
        _log.info("email sent through smtp to %s", mask_recipient(message.to))
        return Receipt(self.name, "email", str(mail["Message-ID"]))

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        if s.security == "tls":
            return smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout_seconds, context=self._tls_context()
            )
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        try:
            if s.security == "starttls":
                smtp.ehlo()
                smtp.starttls(context=self._tls_context())
                smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self._settings.ca_file or None)
