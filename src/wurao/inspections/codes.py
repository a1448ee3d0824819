"""The 行政行为码 envelope: JWS compact serialisation, ``alg: EdDSA`` (RFC 7515 / RFC 8037).

Keys are Ed25519. The private half lives in ``{var_dir}/keys/{kid}.pem`` (mode 0600), never in
the database; the ``signing_key`` table holds the kid and the public ``x`` so that the JWK set
(RFC 7517) at ``/.well-known/jwks.json`` lists every key, retired ones included: rotation stops a
key signing new codes, while codes it signed stay verifiable. Anyone can verify a token offline
with that JWK set and an off-the-shelf JOSE library; revocation and use are online
(``ActionCode.status``).

Claim names are short so that the token fits a QR code (see tests/inspections/test_codes.py for
the measured length and QR version).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.core import audit
from wurao.core.audit import AuditActor
from wurao.core.config import get_settings
from wurao.core.errors import Conflict
from wurao.core.time import utcnow
from wurao.inspections.models import SigningKey

ALG = "EdDSA"
TYP = "JWT"
# Claim names (RFC 7519 registered ones where they exist, short private ones otherwise).
CLAIM_LABELS = {
    "jti": "码标识",
    "no": "行政行为码编号",
    "s": "执法主体（统一社会信用代码）",
    "e": "检查对象（统一社会信用代码）",
    "o": "执法证号",
    "i": "检查事项编码",
    "m": "检查方式",
    "nbf": "生效时间",
    "exp": "失效时间",
    "iat": "签发时间",
    "late": "补码",
}

_cache_lock = threading.Lock()
_private_cache: dict[tuple[str, str], Ed25519PrivateKey] = {}
_public_cache: dict[str, Ed25519PublicKey] = {}


# --- base64url ---------------------------------------------------------------------------


def b64u(data: bytes) -> str:
    """Unpadded base64url (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    """Decode unpadded base64url; raises ValueError on anything else."""
    if not text or any(c not in _B64U for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64U = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=False).encode()


# --- keys ----------------------------------------------------------------------------------


def key_dir() -> Path:
    """Where private keys are kept: ``{var_dir}/keys``."""
    return get_settings().var_dir / "keys"


def public_x(private: Ed25519PrivateKey) -> str:
    """The JWK ``x`` (raw 32-byte public key, base64url) of a private key."""
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return b64u(raw)


def _write_private(path: Path, private: Ed25519PrivateKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


def load_private(kid: str, directory: Path | None = None) -> Ed25519PrivateKey:
    """The private key of ``kid`` from its PEM file (cached per directory)."""
    folder = directory or key_dir()
    cache_key = (str(folder), kid)
    with _cache_lock:
        cached = _private_cache.get(cache_key)
    if cached is not None:
        return cached
    path = folder / f"{kid}.pem"
    if not path.exists():
        raise Conflict(
            f"签名私钥文件 {path} 不存在，无法签发行政行为码；请检查密钥目录或轮换密钥。"
        )
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise Conflict(f"签名私钥文件 {path} 不是 Ed25519 密钥。")
    with _cache_lock:
        _private_cache[cache_key] = key
    return key


def public_key_of(x: str) -> Ed25519PublicKey:
    """An Ed25519 public key from its JWK ``x`` (cached)."""
    with _cache_lock:
        cached = _public_cache.get(x)
    if cached is not None:
        return cached
    key = Ed25519PublicKey.from_public_bytes(b64u_decode(x))
    with _cache_lock:
        _public_cache[x] = key
    return key


def new_kid(now: dt.datetime) -> str:
    """A key id: the creation date and a random suffix (e.g. ``k20261123-3f9a``)."""
    return f"k{now:%Y%m%d}-{secrets.token_hex(2)}"


def create_key(session: Session, *, actor: AuditActor) -> SigningKey:
    """Generate a key pair, keep the private half in a 0600 file and record the public half."""
    now = utcnow()
    kid = new_kid(now)
    while session.get(SigningKey, kid) is not None:
        kid = new_kid(now)
    private = Ed25519PrivateKey.generate()
    _write_private(key_dir() / f"{kid}.pem", private)
    row = SigningKey(kid=kid, public_x=public_x(private), created_at=now, retired_at=None)
    session.add(row)
    audit.record(
        session, actor=actor, action="signing_key.create", obj=row, summary=f"新建签名密钥 {kid}"
    )
    return row


def current_key(session: Session, *, actor: AuditActor) -> SigningKey:
    """The key that signs new codes: the newest one not retired (created on first use)."""
    row = session.scalar(
        select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc(), SigningKey.kid.desc())
        .limit(1)
    )
    return row if row is not None else create_key(session, actor=actor)


def rotate_key(session: Session, *, actor: AuditActor) -> tuple[SigningKey | None, SigningKey]:
    """Retire the current key for new codes and create its successor; returns (old, new)."""
    now = utcnow()
    old_rows = list(session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))))
    for row in old_rows:
        before = audit.snapshot(row)
        row.retired_at = now
        audit.record(
            session,
            actor=actor,
            action="signing_key.retire",
            obj=row,
            before=before,
            summary=f"签名密钥 {row.kid} 停止签发新码（旧码仍可验证）",
        )
    new = create_key(session, actor=actor)
    return (old_rows[0] if old_rows else None), new


def jwk_of(row: SigningKey) -> dict[str, str]:
    """One key as a JWK (RFC 8037 OKP / Ed25519)."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": row.public_x,
        "kid": row.kid,
        "alg": ALG,
        "use": "sig",
    }


def jwks(session: Session) -> dict[str, list[dict[str, str]]]:
    """The JWK set of every key ever used, retired ones included."""
    rows = session.scalars(select(SigningKey).order_by(SigningKey.created_at, SigningKey.kid))
    return {"keys": [jwk_of(r) for r in rows]}


def keys_from_jwks(doc: dict[str, Any]) -> dict[str, Ed25519PublicKey]:
    """Ed25519 public keys by kid from a JWK set document (other key types are skipped)."""
    out: dict[str, Ed25519PublicKey] = {}
    for jwk in doc.get("keys", []):
        if not isinstance(jwk, dict):
            continue
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and jwk.get("kid"):
            try:
                out[str(jwk["kid"])] = public_key_of(str(jwk["x"]))
            except (KeyError, ValueError):
                continue
    return out


def keys_from_db(session: Session) -> dict[str, Ed25519PublicKey]:
    """Every known public key by kid."""
    return {r.kid: public_key_of(r.public_x) for r in session.scalars(select(SigningKey))}


# --- signing and verifying -----------------------------------------------------------------


def sign(claims: dict[str, Any], *, kid: str, private: Ed25519PrivateKey) -> str:
    """A JWS compact token over ``claims``."""
    header = b64u(_json({"alg": ALG, "kid": kid}))
    payload = b64u(_json(claims))
    signing_input = f"{header}.{payload}".encode("ascii")
    return f"{header}.{payload}.{b64u(private.sign(signing_input))}"


@dataclass(frozen=True)
class Verified:
    """The offline verdict on a token: genuine (signature, known kid) and valid at ``at``.

    ``state`` is ``valid``, ``not_yet`` (before nbf), ``expired`` (after exp) or ``invalid``;
    ``claims`` are only filled when the signature is genuine.
    """

    state: str
    reason: str
    kid: str = ""
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def genuine(self) -> bool:
        """Whether the signature verified with a known key."""
        return self.state != "invalid"


STATE_LABELS = {
    "valid": "有效",
    "not_yet": "尚未生效",
    "expired": "已过有效期",
    "invalid": "无效（非本平台签发或已被篡改）",
}


def _invalid(reason: str, kid: str = "") -> Verified:
    return Verified(state="invalid", reason=reason, kid=kid)


def verify(token: str, keys: dict[str, Ed25519PublicKey], *, at: dt.datetime) -> Verified:
    """Check a token's signature against ``keys`` and its validity window at ``at``."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        return _invalid("格式错误：不是 JWS 紧凑序列化（应为三段，以“.”分隔）。")
    try:
        header = json.loads(b64u_decode(parts[0]))
        signature = b64u_decode(parts[2])
    except ValueError:
        return _invalid("格式错误：头部或签名不是合法的 base64url/JSON。")
    if not isinstance(header, dict) or header.get("alg") != ALG:
        return _invalid("签名算法不是 EdDSA。")
    if "crit" in header:
        return _invalid("含有不支持的关键头部参数（crit）。")
    kid = str(header.get("kid", ""))
    key = keys.get(kid)
    if key is None:
        return _invalid(f"签名密钥 {kid or '（未标明）'} 不在本平台公布的公钥集中。", kid)
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature:
        return _invalid("签名校验失败：内容被改动，或不是用该密钥签发。", kid)
    try:
        claims = json.loads(b64u_decode(parts[1]))
    except ValueError:
        return _invalid("载荷不是合法的 JSON。", kid)
    if not isinstance(claims, dict):
        return _invalid("载荷不是 JSON 对象。", kid)
    now = int(at.timestamp())
    nbf, exp = claims.get("nbf"), claims.get("exp")
    if not isinstance(nbf, int) or not isinstance(exp, int):
        return _invalid("缺少有效期（nbf/exp）。", kid)
    if now < nbf:
        return Verified("not_yet", "签名真实，但尚未到检查时间窗口。", kid, claims)
    if now >= exp:
        return Verified("expired", "签名真实，但已超过检查时间窗口。", kid, claims)
    return Verified("valid", "签名真实，且在检查时间窗口内。", kid, claims)


def describe(claims: dict[str, Any]) -> list[tuple[str, str]]:
    """The claims as (Chinese label, value) lines, for the CLI and debugging pages."""
    lines: list[tuple[str, str]] = []
    for key, value in claims.items():
        label = CLAIM_LABELS.get(key, key)
        if key in ("nbf", "exp", "iat") and isinstance(value, int):
            from wurao.core.time import format_local

            text = format_local(dt.datetime.fromtimestamp(value, dt.UTC), "%Y-%m-%d %H:%M:%S")
        elif isinstance(value, list):
            text = "、".join(str(v) for v in value)
        elif key == "m":
            from wurao.inspections.rules import METHODS

            text = METHODS.get(str(value), str(value))
        elif isinstance(value, bool):
            text = "是" if value else "否"
        else:
            text = str(value)
        lines.append((label, text))
    return lines
