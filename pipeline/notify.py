"""Tell operators when the night goes wrong, through Airflow's notifier interface.

`FailureEmail` is a `BaseNotifier`: given as a task's `on_failure_callback`, it emails the
task, the run, the try and the reason to `LITMINE_ALERT_TO` through `LITMINE_SMTP_HOST`
(settings from the environment, see `pipeline.config`). Without a host or a recipient it logs
the alert instead, so a development machine runs the same DAG. `record_task_failure` is the
other half of a failure callback: the failed stage and its reason go into `ops.runs` (or beside
the warehouse when it cannot be opened). `deadline_missed` is the DAG's deadline-alert callback.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage

from airflow.sdk import BaseNotifier

from pipeline.config import Settings

log = logging.getLogger(__name__)


def _send(settings: Settings, subject: str, body: str) -> bool:
    recipients = [a.strip() for a in (settings.alert_to or "").split(",") if a.strip()]
    if not settings.smtp_host or not recipients:
        log.error("litmine alert (no SMTP configured): %s\n%s", subject, body)
        return False
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, settings.alert_from, ", ".join(recipients)
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_user:
            smtp.starttls()
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)
    return True


def _describe(context) -> tuple[str, str, str, str]:
    ti = context.get("ti") or context.get("task_instance")
    dag = context.get("dag")
    dag_id = getattr(dag, "dag_id", None) or getattr(ti, "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    run_id = context.get("run_id") or getattr(ti, "run_id", "?")
    reason = str(context.get("exception") or "no exception recorded")
    return dag_id, task_id, run_id, reason


class FailureEmail(BaseNotifier):
    """Email the operators that a litmine task failed, with the reason."""

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings

    def notify(self, context) -> None:
        settings = self.settings or Settings.from_env()
        dag_id, task_id, run_id, reason = _describe(context)
        ti = context.get("ti") or context.get("task_instance")
        tries = getattr(ti, "try_number", "?")
        _send(settings, f"[litmine] {dag_id}.{task_id} failed ({run_id})",
              f"Task {task_id} of {dag_id} failed in run {run_id} (try {tries}).\n\n"
              f"Reason: {reason}\n\nThe next run resumes what this one left staged; see ops.runs "
              f"for what each source loaded.\n")


def record_task_failure(context) -> None:
    """Failure callback: the stage and its reason as an ops.runs row of the run."""
    from pipeline.runlog import record_failure

    _, task_id, run_id, reason = _describe(context)
    try:
        record_failure(Settings.from_env(), run_id, task_id, reason)
    except Exception:   # a callback must never mask the task's own failure
        log.exception("could not record the failure of %s", task_id)


async def deadline_missed(dag_id: str, hours: float, context: dict | None = None) -> None:
    """Deadline-alert callback (runs in the triggerer): the night is late."""
    run = (context or {}).get("dag_run") or {}
    run_id = run.get("run_id", "") if isinstance(run, dict) else getattr(run, "run_id", "")
    subject = f"[litmine] {dag_id} {run_id} has not finished after {hours:g} hours"
    body = (f"The {dag_id} run {run_id} has not finished within {hours:g} hours of being queued. "
            "It may be retrying a source that keeps failing, or waiting on the warehouse pool.\n")
    await asyncio.to_thread(_send, Settings.from_env(), subject, body)
