"""Recording reads and changes of sensitive records (PIPL): one call per audited action."""

from django.db import models

from accounts.models import AuditAction, AuditEvent


def client_ip(request) -> str | None:
    """The caller's address: REMOTE_ADDR, or the proxy-supplied one when PROXY_COUNT says to trust it."""
    if request is None:
        return None
    from django.conf import settings

    proxies = settings.AXES_IPWARE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        parts = [p.strip() for p in forwarded.split(",") if p.strip()]
        if len(parts) >= proxies:
            return parts[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor,
    action: AuditAction | str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    region_code: str = "",
    request=None,
    detail: dict | None = None,
) -> AuditEvent:
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or _label(target)
        region_code = region_code or (getattr(target, "region_id", "") or "")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:120],
        region_code=region_code or "",
        ip=client_ip(request),
        detail=detail or {},
    )


def _label(target) -> str:
    label = getattr(target, "audit_label", None)
    return label() if callable(label) else str(target)
