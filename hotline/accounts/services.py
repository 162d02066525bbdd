"""Every write to organisations, users and tokens."""

import hashlib
import secrets
import threading
import time

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from hotline.accounts.actors import Actor
from hotline.accounts.models import ROLES_BY_KIND, ApiToken, Membership, Organisation
from hotline.audit.services import audit_record
from hotline.core import clock
from hotline.core.encryption import EncryptedTextField
from hotline.core.errors import Conflict, InvalidInput, NotFound

TOKEN_PREFIX = "hl_"  # noqa: S105 - a public prefix, not a secret


def token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, jurisdiction: str = "KR", contact_email: str = "", actor: str
) -> Organisation:
    if kind not in ROLES_BY_KIND:
        raise InvalidInput(
            f"unknown organisation kind {kind!r}; use one of {sorted(ROLES_BY_KIND)}"
        )
    if Organisation.objects.filter(name=name).exists():
        raise Conflict(f"an organisation named {name!r} already exists")
    org = Organisation.objects.create(
        name=name,
        slug=slugify(name)[:60] or f"org-{secrets.token_hex(3)}",
        kind=kind,
        jurisdiction=jurisdiction.upper(),
        contact_email=contact_email,
    )
    audit_record(
        tag="organisation:create",
        actor=actor,
        subject=f"organisation:{org.pk}",
        organisation_id=org.pk,
        payload={"name": name, "kind": kind, "jurisdiction": org.jurisdiction},
    )
    return org


@transaction.atomic
def user_create(
    *,
    username: str,
    organisation: Organisation,
    role: str,
    password: str | None = None,
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    actor: str,
) -> Membership:
    """Create a person with one role in one organisation."""
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise InvalidInput(
            f"role {role!r} does not exist in a {organisation.kind} organisation; "
            f"use one of {sorted(ROLES_BY_KIND[organisation.kind])}"
        )
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise Conflict(f"a user named {username!r} already exists")
    user = user_model.objects.create_user(
        username=username,
        email=email,
        password=password,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    audit_record(
        tag="user:create",
        actor=actor,
        subject=f"user:{user.pk}",
        organisation_id=organisation.pk,
        payload={
            "username": username,
            "role": role,
            "staff": is_staff,
            "superuser": is_superuser,
        },
    )
    return membership


def _membership_for_update(username: str) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("organisation", "user")
        .filter(user__username=username)
        .first()
    )
    if membership is None:
        raise NotFound(f"no user named {username!r} with a membership")
    return membership


@transaction.atomic
def user_active_set(*, username: str, active: bool, actor: str) -> Membership:
    """Disable (or enable again) a person: a disabled one can neither sign in nor use a token."""
    membership = _membership_for_update(username)
    user = membership.user
    if user.is_active == active:
        state = "enabled" if active else "disabled"
        raise Conflict(f"{username} is already {state}")
    user.is_active = active
    user.save(update_fields=["is_active"])
    _audit_user_change(membership, tag="user:enable" if active else "user:disable", actor=actor)
    _forget_tokens_now_and_on_commit()
    return membership


def _audit_user_change(membership: Membership, *, tag: str, actor: str) -> None:
    """The audit event of a change to one person's account, named by username."""
    audit_record(
        tag=tag,
        actor=actor,
        subject=f"user:{membership.user_id}",
        organisation_id=membership.organisation_id,
        payload={"username": membership.user.username},
    )


@transaction.atomic
def user_password_set(*, username: str, password: str, actor: str) -> Membership:
    """Set a person's password (checked by Django's validators); the old one stops working."""
    membership = _membership_for_update(username)
    user = membership.user
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput("; ".join(error.messages)) from error
    user.set_password(password)
    user.save(update_fields=["password"])
    _audit_user_change(membership, tag="user:password", actor=actor)
    return membership


@transaction.atomic
def user_role_set(*, username: str, role: str, actor: str) -> Membership:
    """Change a person's role in their organisation (one role per person and organisation)."""
    membership = _membership_for_update(username)
    kind = membership.organisation.kind
    if role not in ROLES_BY_KIND[kind]:
        raise InvalidInput(
            f"role {role!r} does not exist in a {kind} organisation; "
            f"use one of {sorted(ROLES_BY_KIND[kind])}"
        )
    if membership.role == role:
        raise Conflict(f"{username} already has the role {role}")
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        tag="user:role",
        actor=actor,
        subject=f"user:{membership.user_id}",
        organisation_id=membership.organisation_id,
        payload={"username": username, "from": previous, "to": role},
    )
    _forget_tokens_now_and_on_commit()
    return membership


@transaction.atomic
def token_create(*, membership: Membership, name: str, actor: str) -> tuple[ApiToken, str]:
    """Issue a token. The raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        membership=membership, name=name, prefix=raw[:10], digest=token_digest(raw)
    )
    audit_record(
        tag="token:create",
        actor=actor,
        subject=f"token:{token.pk}",
        organisation_id=membership.organisation_id,
        payload={"prefix": token.prefix, "user": membership.user.get_username()},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, prefix: str = "", token_id: int | None = None, actor: str) -> ApiToken:
    """Revoke one active token, named by its prefix (as `token list` shows it) or its id."""
    active = ApiToken.objects.select_for_update().filter(revoked_at=None)
    if token_id is not None:
        active = active.filter(pk=token_id)
    elif prefix:
        active = active.filter(prefix=prefix)
    else:
        raise InvalidInput("name the token by its prefix or its id")
    matches = list(active[:2])
    if not matches:
        named = f"id {token_id}" if token_id is not None else f"prefix {prefix!r}"
        raise NotFound(f"no active token with {named}")
    if len(matches) > 1:
        raise Conflict(f"several active tokens start with {prefix!r}; revoke by --id")
    token = matches[0]
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    _forget_tokens_now_and_on_commit()
    audit_record(
        tag="token:revoke",
        actor=actor,
        subject=f"token:{token.pk}",
        organisation_id=token.membership.organisation_id,
        payload={"prefix": token.prefix},
    )
    return token


def actor_for_membership(membership: Membership) -> Actor:
    return Actor(
        user_id=membership.user_id,
        username=membership.user.get_username(),
        organisation_id=membership.organisation_id,
        organisation_kind=membership.organisation.kind,
        role=membership.role,
    )


# Resolved tokens, briefly (HOTLINE_TOKEN_CACHE_SECONDS): digest -> (good until, actor).
# A platform's upload checks come one call at a time on one token; without this each paid a
# three-table read and an UPDATE. A revocation, a deactivated user or a changed role made in
# another process takes effect there within the setting's seconds; in this one, at once.
_tokens: dict[str, tuple[float, Actor]] = {}
_tokens_lock = threading.Lock()
_TOKENS_MAX = 10_000


def monotonic() -> float:
    """The clock the token cache reads (tests move it)."""
    return time.monotonic()


def actor_from_token(raw_token: str) -> Actor | None:
    """Resolve a bearer token to its actor; None for unknown or revoked tokens."""
    if not raw_token.startswith(TOKEN_PREFIX):
        return None
    digest = token_digest(raw_token)
    ttl = settings.HOTLINE_TOKEN_CACHE_SECONDS
    if ttl > 0:
        with _tokens_lock:
            cached = _tokens.get(digest)
        if cached is not None and cached[0] > monotonic():
            return cached[1]
    token = (
        ApiToken.objects.select_related("membership__organisation", "membership__user")
        .filter(digest=digest, revoked_at=None)
        .first()
    )
    if token is None or not token.membership.user.is_active:
        with _tokens_lock:
            _tokens.pop(digest, None)
        return None
    # A read-path write, kept to a single UPDATE so it never contends with the chain; with the
    # cache, once per token per process per HOTLINE_TOKEN_CACHE_SECONDS.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    actor = actor_for_membership(token.membership)
    if ttl > 0:
        with _tokens_lock:
            if len(_tokens) >= _TOKENS_MAX:
                _tokens.clear()
            _tokens[digest] = (monotonic() + ttl, actor)
    return actor


def _forget_tokens_now_and_on_commit() -> None:
    """This process stops accepting a revoked token, or a changed person's, at once (and again
    once committed, in case a call re-read the row in between); others within the cache TTL."""
    tokens_forget()
    transaction.on_commit(tokens_forget)


def tokens_forget() -> None:
    """Drop every cached token (a revocation in this process; tests)."""
    with _tokens_lock:
        _tokens.clear()


@transaction.atomic
def secrets_reencrypt(*, actor: str) -> dict[str, int]:
    """Rewrite every encrypted column under the current key, after a key rotation: the old
    key can then leave HOTLINE_ENCRYPTION_KEY_FALLBACKS. Counts per model, audited."""
    counts: dict[str, int] = {}
    for model in apps.get_models():
        fields = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
        if not fields:
            continue
        rows = 0
        for row in model._default_manager.select_for_update().order_by("pk"):
            row.save(update_fields=fields)  # read with any key, written with the current one
            rows += 1
        counts[model._meta.label] = rows
    audit_record(tag="secrets:reencrypt", actor=actor, subject="encryption", payload=counts)
    return counts
