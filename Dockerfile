# The litmine image: the official Airflow image plus litmine's pinned dependencies and code.
# docker-compose.yml runs every Airflow component from it.
#
# The tag's Airflow version must equal the apache-airflow pin in pyproject.toml and
# requirements.lock, and its Python the one the lock was resolved with (tests/test_compose.py
# checks both).
FROM apache/airflow:3.3.2-python3.11

# Folders the named volumes are mounted on. A new named volume copies owner and mode from the
# image's folder, so these make the volumes writable by the airflow user (uid 50000, gid 0).
USER root
RUN mkdir -p /opt/litmine/data /opt/airflow/logs /opt/airflow/auth \
    && chown -R airflow:0 /opt/litmine /opt/airflow/logs /opt/airflow/auth \
    && chmod 0700 /opt/airflow/auth
USER airflow

WORKDIR /opt/litmine

# Dependencies first, in their own layer: a code change does not reinstall them. The lock pins
# apache-airflow==3.3.2 as well, so pip keeps the image's Airflow and cannot swap it.
COPY --chown=airflow:0 requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# The lock does not pin the PostgreSQL driver, the Celery provider or the Redis client: they come
# with the base image. Fail the build, not the first night, if the lock's pins broke them.
# (Checked without importing airflow, which would write a config with secrets into the image.)
RUN python -c "import psycopg2, redis, celery; from importlib.metadata import version; print('celery provider', version('apache-airflow-providers-celery'))"

# The project, laid out as in the repository: pipeline/config.py finds the migrations, the
# expectations and the schemas relative to its own file, so the install must be editable (-e).
COPY --chown=airflow:0 pyproject.toml README.md ./
COPY --chown=airflow:0 pipeline/ pipeline/
RUN pip install --no-cache-dir --no-deps -e .
COPY --chown=airflow:0 warehouse/migrations/ warehouse/migrations/
COPY --chown=airflow:0 warehouse/marts/ warehouse/marts/
COPY --chown=airflow:0 expectations/ expectations/
COPY --chown=airflow:0 schemas/ schemas/
COPY --chown=airflow:0 dags/ dags/
COPY --chown=airflow:0 docker/airflow-init.sh docker/airflow-init.sh

# Defaults for a bare `docker run`; docker-compose.yml sets the same values.
ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/litmine/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=false \
    LITMINE_WAREHOUSE=/opt/litmine/data/litmine.duckdb
