"""Failure alerts go out through Airflow's notifier interface, by SMTP to a real (loopback)
mail server, and a failed task's reason lands in ops.runs."""

from __future__ import annotations

import socketserver
import threading
from dataclasses import replace
from email import message_from_bytes
from types import SimpleNamespace

import duckdb
import pytest

from pipeline.notify import FailureEmail, record_task_failure


class SmtpSink(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to take one message."""

    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                self.wfile.write(b"250 sink\r\n")
            elif command == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.server.messages.append(message_from_bytes(data))
                self.wfile.write(b"250 queued\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpSink)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def failure_context(run_id="scheduled__2026-12-07"):
    ti = SimpleNamespace(dag_id="litmine_nightly", task_id="harvest_pubmed", run_id=run_id,
                         try_number=4)
    return {"ti": ti, "run_id": run_id,
            "exception": RuntimeError("PubMed: gave up after 6 attempts: HTTP 503")}


def test_a_failed_task_emails_the_operators(settings, smtp_server):
    host, port = smtp_server.server_address
    notifier = FailureEmail(replace(settings, smtp_host=host, smtp_port=port,
                                    alert_to="ops@example.org, oncall@example.org"))
    notifier(failure_context())                  # as Airflow calls a notifier
    (message,) = smtp_server.messages
    assert message["To"] == "ops@example.org, oncall@example.org"
    assert "litmine_nightly.harvest_pubmed failed" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert "HTTP 503" in body and "(try 4)" in body


def test_without_smtp_the_alert_is_logged_not_lost(settings, caplog):
    FailureEmail(settings)(failure_context())
    assert "harvest_pubmed failed" in caplog.text and "HTTP 503" in caplog.text


def test_a_failed_task_is_recorded_in_ops_runs(settings, monkeypatch):
    monkeypatch.setenv("LITMINE_WAREHOUSE", str(settings.warehouse))
    record_task_failure(failure_context("manual__1"))
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    row = con.execute("SELECT status, error FROM ops.runs WHERE run_id = 'manual__1'").fetchone()
    con.close()
    assert row == ("failed", "harvest_pubmed: PubMed: gave up after 6 attempts: HTTP 503")
