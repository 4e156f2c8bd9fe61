"""Configuration: defaults, then ``instance/config.py``, then ``DANWEI_*`` environment variables."""

from pathlib import Path

import pytest

from core import ConfigError, create_app
from core.config import ENV_KEYS
from core.plugins import PluginFailure


@pytest.fixture
def instance(tmp_path, monkeypatch) -> Path:
    """An empty instance folder, and an environment without any ``DANWEI_*`` setting."""
    for key in ENV_KEYS:
        monkeypatch.delenv(f"DANWEI_{key}", raising=False)
    folder = tmp_path / "instance"
    monkeypatch.setenv("DANWEI_INSTANCE_PATH", str(folder))
    return folder


def write_config(instance: Path, text: str) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(text, encoding="utf-8")


def test_defaults(instance):
    app = create_app()
    config = app.config
    assert app.instance_path == str(instance)
    assert instance.is_dir()
    assert config["ENV"] == "development"
    assert config["DEFAULT_LOCALE"] == "zh_CN"
    assert config["BABEL_DEFAULT_LOCALE"] == "zh_CN"
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'danwei.sqlite'}"
    assert config["UPLOAD_DIR"] == str(instance / "uploads")
    assert config["STRICT_PLUGINS"] is False
    assert config["RATELIMIT_ENABLED"] is True
    assert config["WTF_CSRF_ENABLED"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["LOGIN_MAX_FAILURES"] == 5
    assert config["PASSWORD_HASH_METHOD"] == "scrypt"
    assert len(config["SECRET_KEY"]) >= 32  # generated for development


def test_development_secret_key_is_random_per_process(instance):
    assert create_app().config["SECRET_KEY"] != create_app().config["SECRET_KEY"]


def test_instance_config_file_is_read(instance):
    write_config(instance, 'DEFAULT_LOCALE = "en"\nPAGE_SIZE = 10\nSECRET_KEY = "from-file"\n')
    config = create_app().config
    assert config["DEFAULT_LOCALE"] == "en"
    assert config["BABEL_DEFAULT_LOCALE"] == "en"
    assert config["PAGE_SIZE"] == 10
    assert config["SECRET_KEY"] == "from-file"


def test_environment_overrides_defaults_and_instance_config(instance, tmp_path, monkeypatch):
    write_config(instance, 'DEFAULT_LOCALE = "en"\nSECRET_KEY = "from-file"\n')
    uploads = tmp_path / "files"
    monkeypatch.setenv("DANWEI_DATABASE_URL", "postgresql+psycopg://danwei@db.internal/danwei")
    monkeypatch.setenv("DANWEI_SECRET_KEY", "from-environment")
    monkeypatch.setenv("DANWEI_DEFAULT_LOCALE", "zh_CN")
    monkeypatch.setenv("DANWEI_UPLOAD_DIR", str(uploads))
    monkeypatch.setenv("DANWEI_LOGIN_MAX_FAILURES", "7")
    config = create_app().config
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://danwei@db.internal/danwei"
    assert config["SECRET_KEY"] == "from-environment"
    assert config["DEFAULT_LOCALE"] == "zh_CN"
    assert config["UPLOAD_DIR"] == str(uploads)
    assert config["LOGIN_MAX_FAILURES"] == 7


def test_strict_plugins_from_the_environment(instance, monkeypatch, make_plugin):
    make_plugin("sec_broken", "raise ImportError('sec_broken cannot start')")
    app = create_app()  # a broken plugin is reported and skipped...
    assert "sec_broken" in {e.plugin for e in app.extensions["danwei"].errors}

    monkeypatch.setenv("DANWEI_STRICT_PLUGINS", "1")
    with pytest.raises(PluginFailure):  # ...unless CI asks for strictness
        create_app()


@pytest.mark.parametrize("raw", ["0", "false", "no", "off"])
def test_false_booleans_from_the_environment(instance, monkeypatch, raw):
    monkeypatch.setenv("DANWEI_SESSION_COOKIE_SECURE", "yes")
    monkeypatch.setenv("DANWEI_RATELIMIT_ENABLED", raw)
    monkeypatch.setenv("DANWEI_STRICT_PLUGINS", raw)
    config = create_app().config
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["RATELIMIT_ENABLED"] is False
    assert config["STRICT_PLUGINS"] is False


@pytest.mark.parametrize(
    ("name", "raw", "hint"),
    [
        ("DANWEI_STRICT_PLUGINS", "maybe", "use true or false"),
        ("DANWEI_LOGIN_MAX_FAILURES", "five", "use a whole number"),
        ("DANWEI_ENV", "prod", "use one of development, production"),
    ],
)
def test_unreadable_environment_values_are_explained(instance, monkeypatch, name, raw, hint):
    monkeypatch.setenv(name, raw)
    with pytest.raises(ConfigError) as error:
        create_app()
    assert name in str(error.value) and hint in str(error.value)


def test_production_without_secret_key_refuses_to_start(instance, monkeypatch):
    monkeypatch.setenv("DANWEI_ENV", "production")
    with pytest.raises(ConfigError, match="DANWEI_SECRET_KEY is not set"):
        create_app()


def test_production_with_secret_key_starts_with_secure_cookies(instance, monkeypatch):
    monkeypatch.setenv("DANWEI_ENV", "production")
    monkeypatch.setenv("DANWEI_SECRET_KEY", "a-long-fixed-secret")
    app = create_app()
    assert app.config["SECRET_KEY"] == "a-long-fixed-secret"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_production_secret_key_may_come_from_the_instance_config(instance, monkeypatch):
    write_config(instance, 'ENV = "production"\nSECRET_KEY = "kept-in-instance"\n')
    assert create_app().config["SECRET_KEY"] == "kept-in-instance"


def test_plain_http_production_can_turn_secure_cookies_off(instance, monkeypatch):
    monkeypatch.setenv("DANWEI_ENV", "production")
    monkeypatch.setenv("DANWEI_SECRET_KEY", "s")
    monkeypatch.setenv("DANWEI_SESSION_COOKIE_SECURE", "false")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def test_test_config_replaces_file_and_environment(instance, monkeypatch):
    write_config(instance, 'DEFAULT_LOCALE = "en"\n')
    monkeypatch.setenv("DANWEI_STRICT_PLUGINS", "true")
    config = create_app({"SECRET_KEY": "t"}).config
    assert config["DEFAULT_LOCALE"] == "zh_CN"
    assert config["STRICT_PLUGINS"] is False


@pytest.mark.danwei_config(PROXY_COUNT=1, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
def test_behind_a_proxy_the_forwarded_address_is_the_client(client):
    def attempt(address):
        return client.post(
            "/login", data={"username": "x", "password": "y"},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [attempt("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert attempt("198.51.100.2") == 200  # another person behind the same proxy
