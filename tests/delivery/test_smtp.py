"""SMTP delivery against a real SMTP server (aiosmtpd) on loopback: plain, STARTTLS and login."""

from __future__ import annotations

import logging
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from delivery_helpers import NOW, TENANT
from local_servers import MailSink, free_port, self_signed_cert

from contextmfa.delivery import DeliveryError, EmailMessage, SmtpProvider, SmtpSettings

BODY = "Your acme.test verification code is:\n\n    730142\n"
PASSWORD = "smtp-password-do-not-log"


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"mfa",
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def plain_server():
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    return self_signed_cert(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def starttls_server(tls_files):
    cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    sink = MailSink()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticator,
        auth_require_tls=True,
        auth_exclude_mechanism=["LOGIN"],
    )
    controller.start()
    yield sink, controller.port, cert
    controller.stop()


def _message(to: str = "sanne@acme.test") -> EmailMessage:
    return EmailMessage(TENANT, to, "Your acme.test verification code", BODY)


def _ours(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("contextmfa"))


def test_plain_delivery(plain_server, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    sink, port = plain_server
    provider = SmtpProvider(
        SmtpSettings(host="127.0.0.1", port=port, security="none", sender="mfa@acme.test")
    )
    receipt = provider.send_email(_message(), now=NOW)
    recipients, mail = sink.messages[0]
    assert recipients == ["sanne@acme.test"]
    assert mail["Subject"] == "Your acme.test verification code"
    assert mail["From"] == "mfa@acme.test" and mail["Message-ID"] == receipt.message_id
    assert "730142" in mail.get_content()
    ours = _ours(caplog)
    assert "s***@acme.test" in ours
    assert "730142" not in ours and "sanne@acme.test" not in ours


def test_starttls_and_login(starttls_server) -> None:
    sink, port, cert = starttls_server
    provider = SmtpProvider(
        SmtpSettings(
            host="127.0.0.1",
            port=port,
            security="starttls",
            sender="mfa@acme.test",
            username="mfa",
            password=PASSWORD,
            ca_file=str(cert),
        )
    )
    provider.send_email(_message(), now=NOW)
    assert "730142" in sink.messages[0][1].get_content()


def test_wrong_password_is_a_delivery_error(starttls_server) -> None:
    _, port, cert = starttls_server
    provider = SmtpProvider(
        SmtpSettings(
            host="127.0.0.1",
            port=port,
            sender="mfa@acme.test",
            username="mfa",
            password="wrong-" + PASSWORD,
            ca_file=str(cert),
        )
    )
    with pytest.raises(DeliveryError, match="SMTP reply 535") as failed:
        provider.send_email(_message(), now=NOW)
    assert PASSWORD not in repr(failed.value) and "730142" not in repr(failed.value)


def test_untrusted_certificate_fails_closed(starttls_server) -> None:
    _, port, _ = starttls_server
    provider = SmtpProvider(SmtpSettings(host="127.0.0.1", port=port, sender="mfa@acme.test"))
    with pytest.raises(DeliveryError, match="cannot reach"):
        provider.send_email(_message(), now=NOW)


def test_starttls_required_but_not_offered(plain_server) -> None:
    _, port = plain_server
    provider = SmtpProvider(
        SmtpSettings(host="127.0.0.1", port=port, security="starttls", sender="mfa@acme.test")
    )
    with pytest.raises(DeliveryError, match="STARTTLS"):
        provider.send_email(_message(), now=NOW)


def test_refused_recipient_and_closed_port(plain_server) -> None:
    sink, port = plain_server
    sink.refuse.add("ghost@acme.test")
    provider = SmtpProvider(
        SmtpSettings(host="127.0.0.1", port=port, security="none", sender="mfa@acme.test")
    )
    with pytest.raises(DeliveryError, match="refused") as failed:
        provider.send_email(_message("ghost@acme.test"), now=NOW)
    assert "ghost" not in str(failed.value)
    closed = SmtpProvider(
        SmtpSettings(host="127.0.0.1", port=free_port(), security="none", sender="m@acme.test")
    )
    with pytest.raises(DeliveryError, match="cannot reach"):
        closed.send_email(_message(), now=NOW)
    assert not sink.messages


def test_settings_repr_hides_the_password() -> None:
    assert PASSWORD not in repr(SmtpSettings(host="h", sender="s@x.test", password=PASSWORD))
