"""Settings for one litmine process, read from the environment.

Every knob an operator may turn is here, with its environment variable, so that the CLI, the
Airflow tasks and `docker-compose.yml` agree on names. Nothing else in the package reads
`os.environ` for configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

NCBI_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
EUROPEPMC_REST_URL = "https://www.ebi.ac.uk/europepmc/webservices/rest/"

# The default topic: cryoneurolysis of peripheral nerves for pain and spasticity. Broad on
# purpose: the `relevant` field, not the query, separates nerve work from tumour or ice therapy.
DEFAULT_QUERY = (
    '(cryoneurolysis OR cryoanalgesia OR cryoneuroablation OR "cryo-neurolysis" '
    'OR "cryo neurolysis" OR cryoablation OR cryodenervation OR cryotherapy) '
    "AND (nerve OR nerves OR neuralgia OR pain OR spasticity OR neuroma)"
)

# Env var names. docker-compose.yml and tests/test_compose.py rely on these exact names.
ENV = {
    "warehouse": "LITMINE_WAREHOUSE",
    "staging": "LITMINE_STAGING_DIR",
    "published": "LITMINE_PUBLISHED",
    "query": "LITMINE_QUERY",
    "harvest_start": "LITMINE_HARVEST_START",
    "pubmed_url": "LITMINE_PUBMED_URL",
    "europepmc_url": "LITMINE_EUROPEPMC_URL",
    "ncbi_api_key": "NCBI_API_KEY",
    "ncbi_email": "NCBI_EMAIL",
    "ncbi_tool": "NCBI_TOOL",
    "http_timeout": "LITMINE_HTTP_TIMEOUT",
    "http_retries": "LITMINE_HTTP_RETRIES",
    "http_backoff": "LITMINE_HTTP_BACKOFF",
    "batch_size": "LITMINE_BATCH_SIZE",
    "pdf_max_bytes": "LITMINE_PDF_MAX_BYTES",
    "http_max_wait": "LITMINE_HTTP_MAX_WAIT",
    "smtp_host": "LITMINE_SMTP_HOST",
    "smtp_port": "LITMINE_SMTP_PORT",
    "smtp_user": "LITMINE_SMTP_USER",
    "smtp_password": "LITMINE_SMTP_PASSWORD",
    "alert_from": "LITMINE_ALERT_FROM",
    "alert_to": "LITMINE_ALERT_TO",
    "deadline_hours": "LITMINE_DEADLINE_HOURS",
    "warehouse_busy_wait": "LITMINE_WAREHOUSE_BUSY_WAIT",
    "topic_vocab": "LITMINE_TOPIC_VOCAB",
    "slice_records": "LITMINE_SLICE_RECORDS",
    "extract_tasks": "LITMINE_EXTRACT_TASKS",
}


@dataclass(frozen=True)
class Settings:
    warehouse: Path = PROJECT_ROOT / "warehouse" / "litmine.duckdb"
    staging_dir: Path = PROJECT_ROOT / "warehouse" / "staging"
    published: Path = PROJECT_ROOT / "warehouse" / "published" / "litmine.duckdb"
    docs_dir: Path = PROJECT_ROOT / "warehouse" / "docs"
    expectations_dir: Path = PROJECT_ROOT / "expectations"
    migrations_dir: Path = PROJECT_ROOT / "warehouse" / "migrations"
    marts_dir: Path = PROJECT_ROOT / "warehouse" / "marts"
    query: str = DEFAULT_QUERY
    # First day a source is harvested from when it has no watermark yet (a full backfill).
    harvest_start: date = date(1970, 1, 1)
    pubmed_url: str = NCBI_EUTILS_URL
    europepmc_url: str = EUROPEPMC_REST_URL
    ncbi_api_key: str | None = None
    ncbi_email: str = "litmine@example.org"
    ncbi_tool: str = "litmine"
    http_timeout: float = 30.0
    http_retries: int = 5
    http_backoff: float = 1.0          # seconds; retry n waits up to backoff * 2**n
    # E-utilities allows up to 10,000 ids per efetch, but asks for batches of ~200 per request.
    batch_size: int = 200
    pdf_max_bytes: int = 50 * 1024 * 1024
    http_max_wait: float = 300.0       # seconds: the longest single wait a Retry-After gets
    # A record larger than this is quarantined (DuckDB's JSON reader stops at 16 MiB objects).
    record_max_bytes: int = 16 * 1024 * 1024
    # PubMed pages through only the first 9,999 ids of a search; windows are split to fit.
    pubmed_max_ids: int = 9999
    # A first run or a long backfill is harvested, loaded and watermarked in date slices of at
    # most this many records by the source's count (pipeline/backfill.py).
    slice_records: int = 5000
    # extract tasks a nightly DAG run starts at a time, each on every core of its worker
    extract_tasks: int = 1
    # Failure alerts by email (pipeline/notify.py); no host or no recipient: alerts are logged.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    alert_from: str = "litmine@localhost"
    alert_to: str | None = None          # comma-separated addresses
    # The nightly DAG's deadline alert: hours after queueing; 0 turns it off (`airflow dags test`
    # in Airflow 3.3.2 fails a run whose DAG has a deadline alert, so `make demo` sets 0).
    deadline_hours: float = 8.0
    # Seconds the pipeline waits for a reader holding the warehouse file to let go before it
    # reports the warehouse busy (readers of the live file hold it briefly; the night waits).
    warehouse_busy_wait: float = 30.0
    # What makes a record relevant to the topic (pipeline/lexicon/vocab/relevance.json's shape);
    # a different query brings its own. None: the default cryoneurolysis topic.
    topic_vocab: Path | None = None
    # Full-text links to loopback addresses are refused, except from the offline mirror.
    allow_loopback: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def extractor_config(self) -> dict:
        """The extractor's configuration from these settings."""
        return {"relevance_vocab": str(self.topic_vocab)} if self.topic_vocab else {}

    @property
    def ncbi_requests_per_second(self) -> float:
        # NCBI's published limit: 3 requests/s without an API key, 10 with one.
        return 10.0 if self.ncbi_api_key else 3.0

    @property
    def rates_dir(self) -> Path:
        """Where the processes of a night share each service's request rate (beside the staged
        records, which every task of a night can reach)."""
        return Path(self.staging_dir) / ".rates"

    def with_query(self, query: str) -> "Settings":
        if not query or not query.strip():
            raise ValueError("the search query is empty")
        return replace(self, query=query.strip())

    def with_mirror(self, base_url: str) -> "Settings":
        """The same settings pointed at a local mirror instead of NCBI and Europe PMC."""
        base = base_url.rstrip("/")
        return replace(self, pubmed_url=f"{base}/entrez/eutils/",
                       europepmc_url=f"{base}/europepmc/webservices/rest/", allow_loopback=True)

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        base = cls()
        values: dict = {}

        def get(key: str):
            value = env.get(ENV[key])
            return value if value not in (None, "") else None

        for key in ("warehouse", "published"):
            if get(key):
                values[key] = Path(get(key))
        if get("staging"):
            values["staging_dir"] = Path(get("staging"))
        elif "warehouse" in values:
            values["staging_dir"] = values["warehouse"].parent / "staging"
        if "warehouse" in values and "published" not in values:
            values["published"] = values["warehouse"].parent / "published" / "litmine.duckdb"
        if "warehouse" in values:
            values["docs_dir"] = values["warehouse"].parent / "docs"
        for key in ("query", "pubmed_url", "europepmc_url", "ncbi_email", "ncbi_tool", "smtp_host",
                    "smtp_user", "smtp_password", "alert_from", "alert_to"):
            if get(key):
                values[key] = get(key)
        if get("ncbi_api_key"):
            values["ncbi_api_key"] = get("ncbi_api_key")
        if get("topic_vocab"):
            values["topic_vocab"] = Path(get("topic_vocab"))
        if get("harvest_start"):
            values["harvest_start"] = date.fromisoformat(get("harvest_start"))
        for key, cast in (("http_timeout", float), ("http_retries", int), ("http_backoff", float),
                          ("batch_size", int), ("pdf_max_bytes", int), ("http_max_wait", float),
                          ("smtp_port", int), ("deadline_hours", float),
                          ("warehouse_busy_wait", float), ("slice_records", int),
                          ("extract_tasks", int)):
            if get(key):
                try:
                    values[key] = cast(get(key))
                except ValueError as exc:
                    raise ValueError(f"{ENV[key]}={get(key)!r} is not a valid {cast.__name__}") from exc
        for key in ("batch_size", "slice_records", "extract_tasks"):
            if values.get(key, getattr(base, key)) < 1:
                raise ValueError(f"{ENV[key]} must be at least 1")
        return replace(base, **values)
