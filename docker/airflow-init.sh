#!/usr/bin/env bash
# One-shot setup of litmine's Airflow stack, run by the airflow-init service of
# docker-compose.yml (inside the litmine image, after PostgreSQL reports healthy).
#
#   1. migrates Airflow's metadata database (`airflow db migrate`);
#   2. sets the admin's password for Airflow core's SimpleAuthManager, which reads it from
#      $AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE (a volume the API server shares);
#   3. checks that the litmine data and log volumes are there and writable.
#
# Idempotent: a second run changes nothing, unless AIRFLOW_ADMIN_PASSWORD changed, in which case
# it sets the new one (restart airflow-apiserver afterwards). Any failure exits non-zero, and
# the other Airflow services, which wait for this one to succeed, do not start.
set -euo pipefail

: "${AIRFLOW_ADMIN_USERNAME:=admin}"
: "${AIRFLOW_ADMIN_PASSWORD:?set AIRFLOW_ADMIN_PASSWORD}"
: "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:?the compose file sets it}"
: "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS:?the compose file sets it}"
: "${LITMINE_WAREHOUSE:?the compose file sets it}"

echo "airflow-init: Airflow $(airflow version)"

echo "airflow-init: migrating the metadata database"
airflow db migrate

echo "airflow-init: pool litmine_warehouse (one slot: DuckDB has a single writer)"
airflow pools set litmine_warehouse 1 "litmine load, validate and publish: DuckDB's single writer"

echo "airflow-init: admin user '${AIRFLOW_ADMIN_USERNAME}'"
export AIRFLOW_ADMIN_USERNAME AIRFLOW_ADMIN_PASSWORD
python - <<'PY'
import json
import os
import sys
from pathlib import Path

path = Path(os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
user = os.environ["AIRFLOW_ADMIN_USERNAME"]
password = os.environ["AIRFLOW_ADMIN_PASSWORD"]
configured = {entry.split(":")[0].strip()
              for entry in os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].split(",")
              if entry.strip()}
if user not in configured:
    sys.exit(f"airflow-init: {user!r} is not in AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS "
             f"({sorted(configured)})")
path.parent.mkdir(parents=True, exist_ok=True)
text = path.read_text().strip() if path.exists() else ""
passwords = json.loads(text) if text else {}
if passwords.get(user) == password:
    print(f"airflow-init: {user!r} already set, unchanged")
else:
    action = "updated" if user in passwords else "created"
    passwords[user] = password
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(passwords) + "\n")
    os.replace(tmp, path)
    print(f"airflow-init: {user!r} {action}")
PY

echo "airflow-init: checking volumes"
for dir in "$(dirname "${LITMINE_WAREHOUSE}")" \
           "${LITMINE_STAGING_DIR:-$(dirname "${LITMINE_WAREHOUSE}")/staging}" \
           "$(dirname "${LITMINE_PUBLISHED:-$(dirname "${LITMINE_WAREHOUSE}")/published/x}")" \
           "${AIRFLOW__LOGGING__BASE_LOG_FOLDER:-/opt/airflow/logs}"; do
    mkdir -p "${dir}"
    if [ ! -w "${dir}" ]; then
        echo "airflow-init: ${dir} is not writable by $(id -u):$(id -g)" >&2
        exit 1
    fi
done

echo "airflow-init: done"
