"""docker-compose.yml, the Dockerfile and .dockerignore, checked against the code they deploy.

Part one reads the files with PyYAML and plain text parsing, so it runs everywhere. Part two hands
the compose file to a real compose implementation (`docker-compose`, or `docker compose` v2) when
one is installed, and skips otherwise: on Debian, `apt-get install --no-install-recommends
docker-compose` gives one that needs no Docker daemon for `config`.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from pipeline.config import ENV, PROJECT_ROOT, Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / "docker" / ".env.example"
INIT_SCRIPT = ROOT / "docker" / "airflow-init.sh"

CORE_SERVICES = {"postgres", "airflow-init", "airflow-apiserver", "airflow-scheduler",
                 "airflow-dag-processor", "airflow-triggerer"}
CELERY_SERVICES = {"redis", "airflow-worker"}
LITMINE_NAMES = set(ENV.values())
NAME_RE = re.compile(r"\b((?:LITMINE|NCBI)_[A-Z0-9_]+)\b")
REQUIRED_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?")

NO_COMPOSE = ("no docker-compose (nor `docker compose`) on PATH: install Debian's docker-compose "
              "(apt-get install --no-install-recommends docker-compose) to check the file with a "
              "real parser")


# --- helpers --------------------------------------------------------------------------------

class MissingVariable(LookupError):
    pass


_VAR = re.compile(r"\$(?:(?P<dollar>\$)|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
                  r"(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value, variables: dict[str, str]):
    """Compose's variable substitution (${X}, ${X:-d}, ${X-d}, ${X:?e}, ${X?e}, $$) on a tree."""
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group("dollar"):
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg, current = match.group("op"), match.group("arg"), variables.get(name)
        missing = current is None or (op is not None and op.startswith(":") and current == "")
        if op in (":-", "-"):
            return arg if missing else current
        if op in (":?", "?"):
            if missing:
                raise MissingVariable(f"{name}: {arg}")
            return current
        return current or ""

    return _VAR.sub(substitute, value)


def compose_text() -> str:
    return COMPOSE_FILE.read_text()


def compose() -> dict:
    data = yaml.safe_load(compose_text())
    assert isinstance(data, dict) and isinstance(data.get("services"), dict), \
        "docker-compose.yml has no services mapping"
    return data


def required_variables() -> list[str]:
    return sorted(set(REQUIRED_RE.findall(compose_text())))


def sample_variables(**extra: str) -> dict[str, str]:
    """A value for every variable the compose file requires, plus `extra`."""
    values = {name: f"test-{name.lower()}" for name in required_variables()}
    if "NCBI_EMAIL" in values:
        values["NCBI_EMAIL"] = "ops@example.org"
    values.update(extra)
    return values


def common() -> dict:
    data = compose()
    assert "x-airflow-common" in data, "docker-compose.yml has no x-airflow-common block"
    return data["x-airflow-common"]


def airflow_services(data: dict) -> dict[str, dict]:
    return {name: svc for name, svc in data["services"].items()
            if name.startswith("airflow-") or name == "flower"}


def environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the `- NAME=value` form
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def named_volume_mounts(service: dict, data: dict) -> dict[str, str]:
    """target -> volume name, for the service's mounts of top-level named volumes."""
    declared = set((data.get("volumes") or {}).keys())
    mounts = {}
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            source, target = entry.get("source"), entry.get("target")
        else:
            parts = entry.split(":")
            source, target = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
        if source in declared:
            mounts[posixpath.normpath(target)] = source
    return mounts


def is_under(path: str, folder: str) -> bool:
    path, folder = posixpath.normpath(path), posixpath.normpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def dockerfile_instructions() -> list[tuple[str, str]]:
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = (pending + stripped).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    return instructions


def dockerfile_copies() -> list[tuple[str, str]]:
    """(source relative to the build context, absolute path in the image) of each COPY/ADD."""
    workdir, copies = "/", []
    for keyword, args in dockerfile_instructions():
        if keyword == "FROM":
            workdir = "/"
        elif keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, args))
        elif keyword in ("COPY", "ADD"):
            words = shlex.split(args)
            if any(word.startswith("--from") for word in words):
                continue
            *sources, dest = [word for word in words if not word.startswith("--")]
            dest_abs = posixpath.normpath(posixpath.join(workdir, dest))
            for source in sources:
                clean = posixpath.normpath(source.rstrip("/")) if source.rstrip("/") else "."
                is_dir = source.endswith("/") or clean == "." or (ROOT / clean).is_dir()
                if is_dir or not (dest.endswith("/") or dest in (".", "./")):
                    copies.append((clean, dest_abs))
                else:
                    copies.append((clean, posixpath.join(dest_abs, posixpath.basename(clean))))
    return copies


def image_path(relative: str) -> str | None:
    """Where a repository path ends up in the image, or None if the Dockerfile doesn't copy it."""
    found = None
    for source, dest in dockerfile_copies():
        if source == ".":
            found = posixpath.join(dest, relative)
        elif relative == source:
            found = dest
        elif relative.startswith(source + "/"):
            found = posixpath.join(dest, relative[len(source) + 1:])
    return found


def dockerignore_patterns() -> list[str]:
    return [line.strip() for line in DOCKERIGNORE.read_text().splitlines()
            if line.strip() and not line.strip().startswith("#")]


def _glob_regex(pattern: str) -> re.Pattern:
    out, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
            continue
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
            continue
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i:end + 1], end + 1
            continue
        else:
            out += re.escape(char)
        i += 1
    return re.compile(out + r"\Z")


def dockerignored(relative: str) -> bool:
    """Docker's rule: the last matching pattern wins; a matched folder takes its contents along."""
    parts, ignored = relative.split("/"), False
    for raw in dockerignore_patterns():
        negate = raw.startswith("!")
        pattern = posixpath.normpath(raw[1:] if negate else raw).lstrip("/")
        regex = _glob_regex(pattern)
        if any(regex.match("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            ignored = not negate
    return ignored


def compose_command() -> list[str] | None:
    if exe := shutil.which("docker-compose"):
        return [exe]
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True,
                                 timeout=60).returncode == 0:
        return [docker, "compose"]
    return None


def run_compose(tmp_path: Path, variables: dict[str, str], *args: str):
    command = compose_command()
    if command is None:
        pytest.skip(NO_COMPOSE)
    empty_env_file = tmp_path / "empty.env"  # so a developer's own .env does not leak in
    empty_env_file.write_text("")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), **variables}
    return subprocess.run([*command, "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE),
                           *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


# --- the compose file, read as YAML ---------------------------------------------------------

def test_required_services_exist():
    services = set(compose()["services"])
    missing = (CORE_SERVICES | CELERY_SERVICES) - services
    assert not missing, f"docker-compose.yml lacks services: {sorted(missing)}"


def test_celery_services_are_only_in_the_celery_profile():
    services = compose()["services"]
    default = {name for name, svc in services.items() if not svc.get("profiles")}
    assert CORE_SERVICES <= default, \
        f"not in the default profile: {sorted(CORE_SERVICES - default)}"
    for name in CELERY_SERVICES:
        assert "celery" in (services[name].get("profiles") or []), \
            f"{name} must be in the celery profile"
    assert not (CELERY_SERVICES & default), "redis/airflow-worker must not start by default"
    worker_needs = services["airflow-worker"].get("depends_on") or {}
    assert (worker_needs.get("redis") or {}).get("condition") == "service_healthy", \
        "airflow-worker must wait for a healthy redis"


def test_default_services_do_not_depend_on_profiled_ones():
    services = compose()["services"]
    profiled = {name for name, svc in services.items() if svc.get("profiles")}
    for name, svc in services.items():
        if svc.get("profiles"):
            continue
        needs = set(svc.get("depends_on") or [])
        assert not (needs & profiled), \
            f"{name} (default profile) depends on {sorted(needs & profiled)}, which only a " \
            f"profile starts: a plain `up` would fail"
        assert needs <= set(services), f"{name} depends on unknown {sorted(needs - set(services))}"


def test_every_airflow_service_shares_the_common_image_and_environment():
    data, base = compose(), common()
    base_env = environment(base)
    assert base.get("build"), "x-airflow-common must build the image from the Dockerfile"
    context = base["build"]["context"] if isinstance(base["build"], dict) else base["build"]
    dockerfile = base["build"].get("dockerfile", "Dockerfile") if isinstance(base["build"], dict) \
        else "Dockerfile"
    assert (ROOT / context / dockerfile).resolve() == DOCKERFILE.resolve()
    services = airflow_services(data)
    assert set(services) >= CORE_SERVICES - {"postgres"} | {"airflow-worker"}
    for name, svc in services.items():
        assert svc.get("build") == base["build"], f"{name} does not build the common image"
        assert svc.get("image") == base.get("image"), f"{name} does not use the common image tag"
        env = environment(svc)
        differing = {key for key, value in base_env.items() if env.get(key) != value}
        assert not differing, f"{name} drops or overrides common settings: {sorted(differing)}"
        assert named_volume_mounts(svc, data) == named_volume_mounts(base, data), \
            f"{name} does not mount the common volumes"


def test_executor_is_local_by_default_and_celery_when_asked():
    env = environment(common())
    default = interpolate(env["AIRFLOW__CORE__EXECUTOR"], sample_variables())
    celery = interpolate(env["AIRFLOW__CORE__EXECUTOR"],
                         sample_variables(AIRFLOW_EXECUTOR="CeleryExecutor"))
    assert default == "LocalExecutor"
    assert celery == "CeleryExecutor"
    broker = interpolate(env["AIRFLOW__CELERY__BROKER_URL"], sample_variables())
    assert re.match(r"redis://(?:[^@/]*@)?redis:6379/\d+$", broker), broker


def _fake_bin(tmp_path: Path) -> Path:
    """A folder with an `airflow` that records its arguments and a `python` that is this one."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    airflow = bin_dir / "airflow"
    airflow.write_text('#!/bin/sh\necho "airflow $*" >> "$FAKE_AIRFLOW_LOG"\n'
                       'echo "airflow $*"\n')
    airflow.chmod(0o755)
    python = bin_dir / "python"
    if not python.exists():
        python.symlink_to(sys.executable)
    return bin_dir


def test_worker_starts_only_under_the_celery_executor(tmp_path):
    worker = interpolate(compose()["services"]["airflow-worker"], sample_variables())
    command = worker["command"]
    assert isinstance(command, list) and command[:2] == ["bash", "-c"], \
        "the worker's command should be a bash -c guard around `airflow celery worker`"
    bin_dir = _fake_bin(tmp_path)
    log = tmp_path / "airflow.log"
    base = {"PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "FAKE_AIRFLOW_LOG": str(log)}
    refused = subprocess.run(command, env={**base, "AIRFLOW__CORE__EXECUTOR": "LocalExecutor"},
                             capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0
    assert "AIRFLOW_EXECUTOR=CeleryExecutor" in refused.stderr
    assert not log.exists()
    started = subprocess.run(command, env={**base, "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor"},
                             capture_output=True, text=True, timeout=30)
    assert started.returncode == 0, started.stderr
    assert log.read_text().strip() == "airflow celery worker"


def test_healthchecks_ports_and_the_execution_api():
    services = compose()["services"]
    for name in ("postgres", "redis", "airflow-apiserver", "airflow-scheduler"):
        test = (services[name].get("healthcheck") or {}).get("test")
        assert test and test != ["NONE"], f"{name} needs a healthcheck"
    api = services["airflow-apiserver"]
    assert api.get("command") in ("api-server", ["api-server"]), \
        "Airflow 3's UI/API process is `airflow api-server`"
    container_ports = {str(port).split(":")[-1].split("/")[0] for port in api.get("ports") or []}
    assert "8080" in container_ports, "airflow-apiserver must publish container port 8080"
    url = environment(common())["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
    assert url == "http://airflow-apiserver:8080/execution/", url
    commands = {name: services[name].get("command") for name in services}
    assert commands["airflow-scheduler"] in ("scheduler", ["scheduler"])
    assert commands["airflow-dag-processor"] in ("dag-processor", ["dag-processor"])
    assert commands["airflow-triggerer"] in ("triggerer", ["triggerer"])
    assert "airflow celery worker" in " ".join(commands["airflow-worker"])
    scheduler_env = environment(common())
    assert scheduler_env.get("AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK") == "true", \
        "the scheduler's healthcheck polls its health server, which is off by default"


def test_init_runs_once_before_everything_else():
    data = compose()
    services = data["services"]
    init = services["airflow-init"]
    assert init.get("restart", "no") == "no", "airflow-init is one-shot"
    assert init["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["postgres"].get("volumes"), "postgres must keep its data in a volume"
    assert named_volume_mounts(services["postgres"], data), "postgres data needs a named volume"
    for name, svc in airflow_services(data).items():
        if name == "airflow-init":
            continue
        condition = (svc.get("depends_on") or {}).get("airflow-init", {}).get("condition")
        assert condition == "service_completed_successfully", \
            f"{name} must wait for airflow-init to succeed"
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"
    command = " ".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    script = re.search(r"(/\S+\.sh)\b", command)
    assert script, "airflow-init should run docker/airflow-init.sh"
    assert image_path("docker/airflow-init.sh") == script.group(1), \
        "airflow-init runs a script the Dockerfile does not put there"


def test_litmine_variable_names_are_the_ones_the_code_reads():
    for path in (COMPOSE_FILE, DOCKERFILE, ENV_EXAMPLE):
        unknown = set(NAME_RE.findall(path.read_text())) - LITMINE_NAMES
        assert not unknown, f"{path.name} uses names pipeline/config.py does not read: " \
                            f"{sorted(unknown)}; ENV has {sorted(LITMINE_NAMES)}"
    passed = set(environment(common()))
    not_passed = LITMINE_NAMES - passed
    assert not not_passed, f"x-airflow-common does not pass {sorted(not_passed)} to the tasks"


def test_warehouse_lives_in_a_named_volume_that_hides_nothing_in_the_image():
    data, env = compose(), environment(common())
    warehouse = env[ENV["warehouse"]]
    assert warehouse.startswith("/") and "$" not in warehouse, \
        f"{ENV['warehouse']} should be a fixed path in the container, not {warehouse!r}"
    paths = [warehouse] + [env[ENV[key]] for key in ("staging", "published") if ENV[key] in env]
    copied = [dest for _, dest in dockerfile_copies()]
    for name, svc in airflow_services(data).items():
        mounts = named_volume_mounts(svc, data)
        warehouse_mounts = [target for target in mounts if is_under(warehouse, target)]
        assert warehouse_mounts, f"{name}: {warehouse} is not on a named volume"
        target = max(warehouse_mounts, key=len)
        assert posixpath.dirname(warehouse) == target, \
            f"{name}: the warehouse volume is mounted at {target}, {ENV['warehouse']} points " \
            f"into {posixpath.dirname(warehouse)}"
        for path in paths:
            assert is_under(path, target), f"{name}: {path} is outside the data volume {target}"
        for target_path in mounts:
            hidden = [dest for dest in copied if is_under(dest, target_path)]
            assert not hidden, f"{name}: the volume at {target_path} hides what the image " \
                               f"ships there: {hidden}"


def test_logs_are_in_a_named_volume():
    data = compose()
    for name, svc in airflow_services(data).items():
        assert "/opt/airflow/logs" in named_volume_mounts(svc, data), \
            f"{name} must mount a named volume at /opt/airflow/logs"


def test_secrets_and_contact_email_are_required_not_written_in():
    env = environment(common())
    for key, variable in (("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW_JWT_SECRET"),
                          ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW_FERNET_KEY"),
                          ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "POSTGRES_PASSWORD"),
                          (ENV["ncbi_email"], "NCBI_EMAIL")):
        assert re.search(r"\$\{" + variable + r":\?", env[key]), \
            f"{key} must come from ${{{variable}:?...}}, so a missing value stops compose"
    postgres_env = environment(compose()["services"]["postgres"])
    assert re.search(r"\$\{POSTGRES_PASSWORD:\?", postgres_env["POSTGRES_PASSWORD"])
    assert not any("ADMIN_PASSWORD" in key for key in env), \
        "the admin password belongs to airflow-init only, not to every task's environment"
    with pytest.raises(MissingVariable, match="NCBI_EMAIL"):
        interpolate(env, {k: v for k, v in sample_variables().items() if k != "NCBI_EMAIL"})


def test_required_variables_are_documented_in_the_env_example():
    documented = set(re.findall(r"^#?\s*([A-Z_][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.M))
    referenced = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", compose_text()))
    assert set(required_variables()) <= documented, \
        f"undocumented required variables: {sorted(set(required_variables()) - documented)}"
    assert referenced <= documented, \
        f"variables docker/.env.example does not mention: {sorted(referenced - documented)}"


# --- the Dockerfile and .dockerignore -------------------------------------------------------

def _base_image() -> str:
    froms = [args for keyword, args in dockerfile_instructions() if keyword == "FROM"]
    assert froms, "the Dockerfile has no FROM"
    return froms[-1].split()[0]


def test_dockerfile_base_image_matches_the_pinned_airflow():
    match = re.fullmatch(r"apache/airflow:(?P<airflow>\d+\.\d+\.\d+)-python(?P<python>\d+\.\d+)",
                         _base_image())
    assert match, f"expected apache/airflow:X.Y.Z-pythonA.B, got {_base_image()}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [dep for dep in project["dependencies"]
            if re.match(r"apache-airflow\s*==", dep)]
    assert pins, "pyproject.toml does not pin apache-airflow=="
    assert match["airflow"] == pins[0].split("==")[1].strip()
    lock = re.search(r"^apache-airflow==(\S+)", (ROOT / "requirements.lock").read_text(), re.M)
    assert lock and lock.group(1) == match["airflow"], "requirements.lock pins another Airflow"
    from packaging.specifiers import SpecifierSet
    assert match["python"] in SpecifierSet(project["requires-python"])


def test_dags_folder_is_where_the_dockerfile_copies_dags():
    dags_folder = environment(common())["AIRFLOW__CORE__DAGS_FOLDER"]
    assert image_path("dags") == posixpath.normpath(dags_folder), \
        f"AIRFLOW__CORE__DAGS_FOLDER={dags_folder}, but the Dockerfile copies dags/ to " \
        f"{image_path('dags')}"
    dockerfile_env = " ".join(args for keyword, args in dockerfile_instructions()
                              if keyword == "ENV")
    if "AIRFLOW__CORE__DAGS_FOLDER" in dockerfile_env:
        assert f"AIRFLOW__CORE__DAGS_FOLDER={dags_folder}" in dockerfile_env


def test_image_keeps_the_project_layout_pipeline_config_expects():
    """pipeline/config.py finds migrations and expectations next to the package: the image must
    keep the repository's layout and install the project editable, not into site-packages."""
    project_root = image_path("pipeline")
    assert project_root, "the Dockerfile does not copy pipeline/"
    project_root = posixpath.dirname(project_root)
    defaults = Settings()
    for folder in (defaults.migrations_dir, defaults.expectations_dir, PROJECT_ROOT / "schemas"):
        relative = folder.relative_to(PROJECT_ROOT).as_posix()
        assert image_path(relative) == posixpath.join(project_root, relative), \
            f"{relative}/ must be copied to {project_root}/{relative}"
    runs = [args for keyword, args in dockerfile_instructions() if keyword == "RUN"]
    assert any(re.search(r"pip install\b.*\s-r\s+\S*requirements\.lock\b", run) for run in runs), \
        "the Dockerfile must install requirements.lock"
    assert image_path("requirements.lock"), "the Dockerfile must copy requirements.lock"
    assert any(re.search(r"pip install\b.*(\s-e\s|--editable)", run) and "--no-deps" in run
               for run in runs), "install the project with pip install --no-deps -e"
    workdirs = [args for keyword, args in dockerfile_instructions() if keyword == "WORKDIR"]
    assert workdirs and workdirs[-1] == project_root


def test_dockerfile_sources_exist_in_the_repository():
    """`docker build` fails on a COPY whose source is missing, and git keeps no empty folders."""
    missing = []
    for source, _ in dockerfile_copies():
        path = ROOT / source
        if not path.exists() or (path.is_dir() and not any(p.is_file() for p in path.rglob("*"))):
            missing.append(source)
    assert not missing, f"the Dockerfile copies what the repository lacks (or has only as an " \
                        f"empty folder): {missing}"


def test_dockerignore_keeps_local_state_out_and_the_project_in():
    for path in (".venv", ".venv/bin/python", ".git", ".git/HEAD", ".env", ".airflow",
                 "warehouse/litmine.duckdb", "warehouse/staging/x.parquet",
                 "pipeline/__pycache__/config.cpython-311.pyc"):
        assert dockerignored(path), f".dockerignore should exclude {path}"
    for source, _ in dockerfile_copies():
        assert not dockerignored(source), f".dockerignore excludes {source}, which the " \
                                          f"Dockerfile copies"
    for path in ("pipeline/config.py", "warehouse/migrations/001_layers.sql",
                 "dags/litmine_nightly.py", "expectations/articles.json"):
        assert not dockerignored(path), f".dockerignore excludes {path}"


# --- docker/airflow-init.sh -----------------------------------------------------------------

def _init_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    init = interpolate(compose()["services"]["airflow-init"],
                       sample_variables(AIRFLOW_ADMIN_PASSWORD="first-password"))
    env = {key: str(value) for key, value in environment(init).items()}
    bin_dir = _fake_bin(tmp_path)
    env.update({
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "FAKE_AIRFLOW_LOG": str(tmp_path / "airflow.log"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp_path / "auth" / "pw.json"),
        "LITMINE_WAREHOUSE": str(tmp_path / "data" / "litmine.duckdb"),
        "LITMINE_STAGING_DIR": str(tmp_path / "data" / "staging"),
        "LITMINE_PUBLISHED": str(tmp_path / "data" / "published" / "litmine.duckdb"),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(tmp_path / "logs"),
    })
    env.update(extra)
    return env


def _run_init(env: dict[str, str]):
    return subprocess.run(["bash", str(INIT_SCRIPT)], env=env, capture_output=True, text=True,
                          timeout=60)


def test_airflow_init_migrates_and_sets_the_admin_password_idempotently(tmp_path):
    env = _init_env(tmp_path)
    first = _run_init(env)
    assert first.returncode == 0, first.stderr
    assert "airflow db migrate" in (tmp_path / "airflow.log").read_text()
    assert "pools set litmine_warehouse 1" in (tmp_path / "airflow.log").read_text()
    passwords = tmp_path / "auth" / "pw.json"
    assert json.loads(passwords.read_text()) == {"admin": "first-password"}
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    for folder in ("data", "data/staging", "data/published", "logs"):
        assert (tmp_path / folder).is_dir()

    again = _run_init(env)
    assert again.returncode == 0 and "unchanged" in again.stdout
    assert json.loads(passwords.read_text()) == {"admin": "first-password"}

    rotated = _run_init({**env, "AIRFLOW_ADMIN_PASSWORD": "second-password"})
    assert rotated.returncode == 0 and "updated" in rotated.stdout
    assert json.loads(passwords.read_text()) == {"admin": "second-password"}


def test_airflow_init_fails_loudly(tmp_path):
    env = _init_env(tmp_path)
    no_password = {k: v for k, v in env.items() if k != "AIRFLOW_ADMIN_PASSWORD"}
    result = _run_init(no_password)
    assert result.returncode != 0 and "AIRFLOW_ADMIN_PASSWORD" in result.stderr
    stranger = _run_init({**env, "AIRFLOW_ADMIN_USERNAME": "nobody"})
    assert stranger.returncode != 0 and "SIMPLE_AUTH_MANAGER_USERS" in stranger.stderr
    broken = tmp_path / "bin" / "airflow"
    broken.write_text("#!/bin/sh\nexit 3\n")
    assert _run_init(env).returncode != 0, "a failed `airflow db migrate` must fail the init"


# --- the compose file, read by a real compose implementation --------------------------------

@pytest.mark.parametrize("profiles", [(), ("celery",), ("celery", "flower")],
                         ids=["default", "celery", "celery+flower"])
def test_compose_config_is_valid(tmp_path, profiles):
    args = [arg for profile in profiles for arg in ("--profile", profile)]
    executor = {"AIRFLOW_EXECUTOR": "CeleryExecutor"} if profiles else {}
    result = run_compose(tmp_path, sample_variables(**executor), *args, "config", "-q")
    assert result.returncode == 0, result.stderr
    assert "is not set" not in result.stderr, \
        f"a variable without a default or a `:?`: {result.stderr}"


def test_compose_config_refuses_to_run_without_the_ncbi_email(tmp_path):
    variables = {k: v for k, v in sample_variables().items() if k != "NCBI_EMAIL"}
    result = run_compose(tmp_path, variables, "config", "-q")
    assert result.returncode != 0
    assert "NCBI_EMAIL" in result.stderr


def test_compose_config_resolves_the_celery_executor(tmp_path):
    result = run_compose(tmp_path, sample_variables(AIRFLOW_EXECUTOR="CeleryExecutor"),
                         "--profile", "celery", "config")
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    for name in ("airflow-worker", "airflow-scheduler"):
        assert environment(resolved[name])["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert environment(resolved["airflow-scheduler"])["NCBI_EMAIL"] == "ops@example.org"
