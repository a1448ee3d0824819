"""The 行政行为码 envelope: JWS compact serialisation, ``alg: EdDSA``, Ed25519 (RFC 7515, 8037).

joserfc, a maintained JOSE library, builds and checks the envelope: it signs, splits and decodes
the three base64url segments (refusing non-canonical spellings, such as unused bits set in the
last character) and verifies the signature. This module only chooses what it accepts: ``alg``
must be ``EdDSA`` and the key an Ed25519 key with a ``kid`` from the platform's JWK set; a
``crit`` header or an unregistered header parameter makes a token invalid.

Keys are Ed25519. The private half lives in ``{var_dir}/keys/{kid}.pem`` (mode 0600), never in
the database; the ``signing_key`` table holds the kid and the public ``x`` so that the JWK set
(RFC 7517) at ``/.well-known/jwks.json`` lists every key, retired ones included: rotation stops a
key signing new codes, while codes it signed stay verifiable. Anyone can verify a token offline
with that JWK set and an off-the-shelf JOSE library; revocation and use are online
(``ActionCode.status``), and ``CodeState`` names every outcome of a verification.

Claim names are short so that the token fits a QR code (see tests/inspections/test_codes.py for
the measured length and QR version).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.errors import InvalidKeyCurveError, JoseError, UnsupportedHeaderError
from joserfc.jwa import EdDSAAlgorithm
from joserfc.jwk import OKPKey
from joserfc.util import urlsafe_b64decode, urlsafe_b64encode
from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.core import audit
from wurao.core.audit import AuditActor
from wurao.core.config import get_settings
from wurao.core.errors import Conflict
from wurao.core.time import format_local, utcnow
from wurao.inspections.models import SigningKey
from wurao.registry.items.methods import METHODS

ALG = "EdDSA"
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
    "ob": "随行监督",  # [name, monitor id or null] per observer (inspections/observers.py)
}

_cache_lock = threading.Lock()
_private_cache: dict[tuple[str, str], Ed25519PrivateKey] = {}
_public_cache: dict[str, OKPKey] = {}


class CodeState(enum.StrEnum):
    """Every outcome of verifying a code, offline (signature, window) then online (the record).

    The scan page, the verify API and ``wurao code verify`` all report one of these; only
    ``VALID`` lets officers in.
    """

    VALID = "valid"
    REVOKED = "revoked"
    USED = "used"
    EXPIRED = "expired"
    NOT_YET = "not_yet"
    INVALID = "invalid"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """Chinese name of the state."""
        return _STATE_TEXT[self][0]

    @property
    def colour(self) -> str:
        """``green`` (enter), ``amber`` (not now, nothing wrong) or ``red`` (refuse, report)."""
        return _STATE_TEXT[self][1]

    @property
    def advice(self) -> str:
        """What the state means for the enterprise at the door (Chinese)."""
        return _STATE_TEXT[self][2]

    @property
    def may_enter(self) -> bool:
        """Whether officers may inspect on this code now."""
        return self is CodeState.VALID

    @property
    def genuine(self) -> bool:
        """Whether the signature verified with a key of the platform."""
        return self is not CodeState.INVALID


_NO_ENTRY = "检查人员不能凭此码进入检查；"
_REFUSE = "企业可以拒绝检查并举报。"
_STATE_TEXT: dict[CodeState, tuple[str, str, str]] = {
    CodeState.VALID: (
        "有效",
        "green",
        "此码真实有效，可以接受本次检查；请核对检查人员出示的执法证件。",
    ),
    CodeState.REVOKED: ("已撤销", "red", "此码已被撤销，" + _NO_ENTRY + _REFUSE),
    CodeState.USED: ("已使用（检查已完成）", "amber", "本次检查已经完成，此码不能再用于进入检查。"),
    CodeState.EXPIRED: ("已过期", "red", "已过检查时间窗口，" + _NO_ENTRY + _REFUSE),
    CodeState.NOT_YET: (
        "尚未生效",
        "amber",
        "尚未到检查时间窗口，检查人员现在不能凭此码进入检查；企业可以拒绝检查。",
    ),
    CodeState.INVALID: (
        "签名无效",
        "red",
        "不是本平台签发的行政行为码，或内容已被篡改；" + _REFUSE,
    ),
    CodeState.UNKNOWN: ("未知的码", "red", "平台没有此码的记录，" + _NO_ENTRY + _REFUSE),
}


# --- the JOSE profile ----------------------------------------------------------------------


class _EdDSAOverEd25519(EdDSAAlgorithm):
    """RFC 8037 ``EdDSA``, restricted to Ed25519 keys.

    joserfc warns that RFC 9864 deprecates the polymorphic ``EdDSA`` name, because it leaves
    the curve open; with the curve pinned here it means exactly RFC 9864's ``Ed25519``. The
    name stays ``EdDSA`` because codes already issued and printed carry it.
    """

    # joserfc's base class types the warning as ``str | None``; its EdDSA subclass narrowed it.
    security_warning = None  # type: ignore[assignment]

    def check_key(self, key: OKPKey) -> None:
        super().check_key(key)
        if key.curve_name != "Ed25519":
            raise InvalidKeyCurveError("only Ed25519 keys sign 行政行为码")


class _Registry(jws.JWSRegistry):
    """A JWS registry that knows one algorithm, so nothing else can even be looked up."""

    # joserfc keeps its algorithm table on the class; this subclass has its own.
    algorithms = {ALG: _EdDSAOverEd25519()}  # noqa: RUF012
    recommended = [ALG]  # noqa: RUF012


_REGISTRY = _Registry(algorithms=[ALG])


def b64u(data: bytes) -> str:
    """Unpadded base64url (RFC 7515 §2)."""
    return urlsafe_b64encode(data).decode("ascii")


def b64u_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url; raises ValueError on anything else."""
    return urlsafe_b64decode(text.encode("ascii"))


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


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


def public_key_of(x: str) -> OKPKey:
    """An Ed25519 public key (joserfc ``OKPKey``) from its JWK ``x`` (cached).

    Raises ValueError when ``x`` is not a canonical base64url Ed25519 public key.
    """
    with _cache_lock:
        cached = _public_cache.get(x)
    if cached is not None:
        return cached
    try:
        key = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": x})
        b64u_decode(x)  # joserfc's key import is lenient about the spelling of x
    except JoseError as err:
        raise ValueError(str(err)) from err
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


def keys_from_jwks(doc: Mapping[str, Any]) -> dict[str, OKPKey]:
    """Ed25519 public keys by kid from a JWK set document (other keys and bad entries skipped)."""
    out: dict[str, OKPKey] = {}
    entries = doc.get("keys", [])
    for jwk in entries if isinstance(entries, list) else []:
        if not isinstance(jwk, dict):
            continue
        kid, x = jwk.get("kid"), jwk.get("x")
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and kid and isinstance(x, str):
            try:
                out[str(kid)] = public_key_of(x)
            except ValueError:
                continue
    return out


def keys_from_db(session: Session) -> dict[str, OKPKey]:
    """Every known public key by kid."""
    return {r.kid: public_key_of(r.public_x) for r in session.scalars(select(SigningKey))}


# The request path (scan page, verify API) keeps each database's key set in memory instead of
# reading and parsing ``signing_key`` per request. Keys are only ever added (rotation retires a
# key for signing, never for verifying); the caller re-reads the set when a token fails against
# it (a kid created by a rotation on another worker), and any other change (a row removed by
# hand) is seen within KEY_CACHE_SECONDS.
KEY_CACHE_SECONDS = 1.0
_key_sets: dict[str, tuple[float, dict[str, OKPKey]]] = {}


def _keys_of(rows: Iterable[tuple[str, str]]) -> dict[str, OKPKey]:
    """Keys by kid from (kid, x) rows, skipping a malformed row rather than failing every scan."""
    out: dict[str, OKPKey] = {}
    for kid, x in rows:
        try:
            out[kid] = public_key_of(x)
        except ValueError:
            continue
    return out


def known_keys(session: Session, *, reload: bool = False) -> Mapping[str, OKPKey]:
    """Every public key by kid, cached per database for ``KEY_CACHE_SECONDS`` (``reload``:
    read the table now)."""
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    return cached_keys(
        database,
        lambda: [(k, x) for k, x in session.execute(select(SigningKey.kid, SigningKey.public_x))],
        reload=reload,
    )


def cached_keys(
    database: str, rows: Callable[[], Iterable[tuple[str, str]]], *, reload: bool = False
) -> Mapping[str, OKPKey]:
    """``known_keys`` for any reader of ``signing_key``: ``rows`` gives (kid, x) when the
    cached set of ``database`` is missing, older than ``KEY_CACHE_SECONDS`` or ``reload``."""
    now = time.monotonic()
    cached = _key_sets.get(database)
    if cached is not None and not reload and now - cached[0] < KEY_CACHE_SECONDS:
        return cached[1]
    keys = _keys_of(rows())
    _key_sets[database] = (now, keys)
    return keys


def forget_keys() -> None:
    """Drop the cached key sets and verified tokens (tests; a key row edited by hand)."""
    _key_sets.clear()
    _genuine.clear()


# --- signing and verifying -----------------------------------------------------------------


def sign(claims: dict[str, Any], *, kid: str, private: Ed25519PrivateKey) -> str:
    """A JWS compact token over ``claims`` (protected header ``{"alg": "EdDSA", "kid": …}``)."""
    key = OKPKey.import_key(private)
    return jws.serialize_compact({"alg": ALG, "kid": kid}, _json(claims), key, registry=_REGISTRY)


@dataclass(frozen=True)
class Verified:
    """The offline verdict on a token: genuine (signature, known kid) and valid at ``at``.

    ``state`` is ``VALID``, ``NOT_YET`` (before nbf), ``EXPIRED`` (from exp) or ``INVALID``;
    revocation and use need the platform's record (``verification.verify_token``). ``claims`` are
    only filled when the signature is genuine.
    """

    state: CodeState
    reason: str
    kid: str = ""
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def genuine(self) -> bool:
        """Whether the signature verified with a known key."""
        return self.state.genuine


def _invalid(reason: str, kid: str = "") -> Verified:
    return Verified(state=CodeState.INVALID, reason=reason, kid=kid)


# Tokens whose signature verified, with the key that verified them: a code's claims never
# change, so a second scan of the same token skips the signature and the JSON (only the
# window is evaluated again). An entry counts only while its kid still maps to that very key
# object (``public_key_of`` hands out one object per key), so a changed key set re-verifies.
GENUINE_CACHE_SIZE = 4096
_genuine: dict[str, tuple[str, OKPKey, dict[str, Any]]] = {}


def verify(token: str, keys: Mapping[str, OKPKey], *, at: dt.datetime) -> Verified:
    """Check a token's signature against ``keys`` and its validity window at ``at``."""
    token = token.strip()
    seen = _genuine.get(token)
    if seen is not None and keys.get(seen[0]) is seen[1]:
        return _window(seen[0], dict(seen[2]), at)
    checked = _check(token, keys)
    if isinstance(checked, Verified):
        return checked
    kid, claims = checked
    if len(_genuine) >= GENUINE_CACHE_SIZE:
        _genuine.clear()  # cheaper than LRU bookkeeping; the hot tokens come back at once
    _genuine[token] = (kid, keys[kid], claims)
    return _window(kid, dict(claims), at)


def _window(kid: str, claims: dict[str, Any], at: dt.datetime) -> Verified:
    now = int(at.timestamp())
    if now < claims["nbf"]:
        return Verified(CodeState.NOT_YET, "签名真实，但尚未到检查时间窗口。", kid, claims)
    if now >= claims["exp"]:
        return Verified(CodeState.EXPIRED, "签名真实，但已超过检查时间窗口。", kid, claims)
    return Verified(CodeState.VALID, "签名真实，且在检查时间窗口内。", kid, claims)


def _check(token: str, keys: Mapping[str, OKPKey]) -> Verified | tuple[str, dict[str, Any]]:
    """The signature and the claims' shape: an INVALID verdict, or (kid, claims)."""
    try:
        obj = jws.extract_compact(token.encode("ascii"), registry=_REGISTRY)
    except (JoseError, ValueError):  # UnicodeEncodeError and binascii.Error are ValueErrors
        return _invalid("格式错误：不是规范的 JWS 紧凑序列化（三段 base64url，以“.”分隔）。")
    header = obj.protected
    if not isinstance(header, dict) or header.get("alg") != ALG:
        return _invalid("签名算法不是 EdDSA。")
    if "crit" in header:
        return _invalid("含有不支持的关键头部参数（crit）。")
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in keys:
        shown = kid if isinstance(kid, str) and kid else "（未标明）"
        return _invalid(f"签名密钥 {shown} 不在本平台公布的公钥集中。", str(kid or ""))
    key = keys[kid]
    try:
        genuine = jws.validate_compact(obj, key, registry=_REGISTRY)
    except UnsupportedHeaderError:
        return _invalid("含有本平台不使用的头部参数。", kid)
    except JoseError:
        genuine = False
    if not genuine:
        return _invalid("签名校验失败：内容被改动，或不是用该密钥签发。", kid)
    try:
        claims = json.loads(obj.payload)
    except ValueError:
        return _invalid("载荷不是合法的 JSON。", kid)
    if not isinstance(claims, dict):
        return _invalid("载荷不是 JSON 对象。", kid)
    nbf, exp = claims.get("nbf"), claims.get("exp")
    if not isinstance(nbf, int) or not isinstance(exp, int):
        return _invalid("缺少有效期（nbf/exp）。", kid)
    return kid, claims


def describe(claims: dict[str, Any]) -> list[tuple[str, str]]:
    """The claims as (Chinese label, value) lines, for the CLI and debugging pages."""
    lines: list[tuple[str, str]] = []
    for key, value in claims.items():
        label = CLAIM_LABELS.get(key, key)
        if key in ("nbf", "exp", "iat") and isinstance(value, int):
            text = format_local(dt.datetime.fromtimestamp(value, dt.UTC), "%Y-%m-%d %H:%M:%S")
        elif key == "ob" and isinstance(value, list):
            text = "、".join(_observer_text(v) for v in value)
        elif isinstance(value, list):
            text = "、".join(str(v) for v in value)
        elif key == "m":
            text = METHODS.get(str(value), str(value))
        elif isinstance(value, bool):
            text = "是" if value else "否"
        else:
            text = str(value)
        lines.append((label, text))
    return lines


def _observer_text(entry: Any) -> str:
    """One ``ob`` entry as 张三（执法监督员） or 李四（执法监督机构）."""
    if isinstance(entry, list) and entry:
        role = "执法监督员" if len(entry) > 1 and entry[1] is not None else "执法监督机构"
        return f"{entry[0]}（{role}）"
    return str(entry)
