"""Settings read from environment variables (prefix ``WURAO_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _default_var_dir() -> Path:
    return Path.cwd() / "var"


class Settings(BaseSettings):
    """Process-wide configuration; every value can be set as ``WURAO_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="WURAO_", extra="ignore")

    var_dir: Path = Field(default_factory=_default_var_dir)
    database_url: str = ""
    secret_key: str = ""
    policy_file: Path | None = None
    timezone: str = "Asia/Shanghai"
    session_hours: int = 12
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    # "auto": the session cookie is ``Secure`` unless the request is addressed to localhost
    # (127.0.0.1, ::1, localhost) over plain HTTP; true/false force it.
    cookie_secure: bool | Literal["auto"] = "auto"
    # Addresses (or CIDR networks), comma-separated, of reverse proxies whose
    # X-Forwarded-For is believed when they are the connection's peer.
    trusted_proxies: str = ""
    # Rate limits of the anonymous endpoints, per client address (limits' notation,
    # several joined by ";"); storage memory:// (per process) or redis://host:port/db.
    rate_limits: bool = True
    rate_limit_storage: str = "memory://"
    rate_limit_scan: str = "120/minute;2000/hour"
    rate_limit_verify: str = "300/minute"
    rate_limit_report: str = "10/minute;60/day"
    rate_limit_login: str = "20/minute;200/hour"
    sql_echo: bool = False

    def resolved_database_url(self) -> str:
        """Return the configured URL, defaulting to a SQLite file under ``var/``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'wurao.sqlite3'}"

    def resolved_secret_key(self) -> str:
        """Return the signing secret; generate and keep one under ``var/`` when unset."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if not path.exists():
            import secrets

            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the cached settings object."""
    return Settings()
