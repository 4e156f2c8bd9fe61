"""The files of ``deploy/`` describe a deployment that works: each unit runs a command that
exists with options it accepts, as the user, in the folders and with the environment that the
README's steps create; nginx sends to the app servers the README starts."""

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Deploying on Debian with PostgreSQL")[1].split("\n## ")[0]
VENV_BIN = "/opt/danwei/venv/bin/"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def env_example() -> dict[str, str]:
    found = {}
    for line in (DEPLOY / "danwei.env.example").read_text(encoding="utf-8").splitlines():
        line = line.lstrip("#").strip()
        if re.match(r"^DANWEI_\w+=", line):
            key, value = line.split("=", 1)
            found[key] = value
    return found


def test_the_readme_installs_every_file_of_deploy():
    for path in DEPLOY.rglob("*"):
        if path.is_file() and path.suffix not in (".pyc",) and "__pycache__" not in path.parts:
            folder = path.relative_to(ROOT).parent.as_posix()
            assert (path.relative_to(ROOT).as_posix() in SECTION or f"{folder}/*" in SECTION
                    or "cp -r deploy" in SECTION), path


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_runs_an_existing_command_as_the_readme_user(path):
    from core.cli import main

    service = unit(path)["Service"]
    assert service["User"] == service["Group"] == "danwei"
    assert "adduser --system --group --home /var/lib/danwei danwei" in SECTION
    assert service["WorkingDirectory"] == env_example()["DANWEI_INSTANCE_PATH"]
    assert service["EnvironmentFile"] == "/etc/danwei/danwei.env"
    assert "deploy/danwei.env.example /etc/danwei/danwei.env" in SECTION
    assert env_example()["DANWEI_INSTANCE_PATH"] in service["ReadWritePaths"].split()

    program, *args = shlex.split(service["ExecStart"].replace("%i", "8001"))
    assert program.startswith(VENV_BIN), program
    # the program is one the README's pip install puts in the virtualenv
    assert Path(sys.executable).with_name(Path(program).name).exists(), program
    if Path(program).name == "danwei":
        group = main
        while args and isinstance(group, click.Group) and args[0] in group.commands:
            group = group.commands[args.pop(0)]
        assert not isinstance(group, click.Group), f"{path.name}: incomplete command"
        group.make_context(group.name, list(args))  # refuses an unknown option
    else:
        assert Path(program).name == "gunicorn"
        config = args[args.index("--config") + 1]
        assert config.startswith("/opt/danwei/deploy/")
        assert (DEPLOY / Path(config).relative_to("/opt/danwei/deploy")).is_file()
        assert args[-1] == "core:create_app()"


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # systemd-analyze checks that programs exist: point the units at this checkout's venv
    for path in [*UNITS, *(DEPLOY / "systemd").glob("*.timer")]:
        text = path.read_text(encoding="utf-8").replace(VENV_BIN, str(Path(sys.executable).parent) + "/")
        name = path.name.replace("@.service", "@8001.service")
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = subprocess.run([analyze, "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                          capture_output=True, text=True)
    problems = [line for line in done.stderr.splitlines()
                if "danwei" in line and "EnvironmentFile" not in line
                and "User" not in line and "/var/lib/danwei" not in line]
    assert not problems, done.stderr


def test_the_environment_example_names_only_known_keys():
    from core.config import ENV_KEYS, from_env

    keys = env_example()
    unknown = [k for k in keys if k[len("DANWEI_"):] not in ENV_KEYS
               and k != "DANWEI_INSTANCE_PATH"]
    assert not unknown
    assert from_env({k: v for k, v in keys.items() if v})["ENV"] == "production"
    assert keys["DANWEI_TASKS_BACKEND"] == "redis" and keys["DANWEI_RUN_TASKS_IN_PROCESS"]


def test_nginx_sends_to_the_app_servers_the_readme_starts():
    site = (DEPLOY / "nginx" / "danwei.conf").read_text(encoding="utf-8")
    upstream = re.findall(r"server 127\.0\.0\.1:(\d+)", site)
    started = re.findall(r"danwei-app@(\d+)", SECTION)
    assert len(upstream) >= 2 and sorted(set(started)) == sorted(upstream)
    assert "proxy_set_header X-Request-ID $request_id;" in site
    from core.config import Defaults

    size = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    assert size * 1024 * 1024 > Defaults.MAX_CONTENT_LENGTH
    assert env_example()["DANWEI_PROXY_COUNT"] == "1"


def test_gunicorn_loads_the_app_with_the_deploy_config(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed (the bench extra)")
    env = dict(os.environ, DANWEI_ENV="production", DANWEI_SECRET_KEY="x" * 32,
               DANWEI_INSTANCE_PATH=str(tmp_path),
               DANWEI_DATABASE_URL=f"sqlite:///{tmp_path / 'd.sqlite'}")
    done = subprocess.run([str(gunicorn), "--check-config", "--config",
                           str(DEPLOY / "gunicorn.conf.py"), "core:create_app()"],
                          env=env, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
