"""The channels a notification reaches people through besides the in-app list: e-mail and SMS.

- E-mail: Django's ``send_mail`` through settings.EMAIL_BACKEND (SMTP, the console in development).
- SMS: an HTTP gateway adapter (settings.SMS_GATEWAY_ADAPTER, by default :class:`HttpSmsGateway`),
  off while settings.SMS_GATEWAY_URL is empty.

An SMS is read on a lock screen, by anyone holding the phone: its text comes from :data:`SMS_TEMPLATES`
and the notification's kind and region only — never from its title or body, which may name a child.

Each sender raises :class:`SendFailed` (with a short reason) when the message was not accepted; the
caller (activities.delivery) records it and retries later.
"""

import json
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from activities.models import DeliveryChannel, Notification

# Per notification kind; ``{region}`` is the name of the notification's region (or the recipient's).
# A kind not listed falls back to the notification's title.
SMS_TEMPLATES: dict[str, str] = {
    "alert": "【爱心妈妈】{region}有紧急情况报告，请尽快登录处理。",
    "alert_escalated": "【爱心妈妈】{region}有紧急情况报告超时未接报，请尽快登录处理。",
    "due": "【爱心妈妈】您有结对儿童需要联系，请登录查看。",
    "occasion": "【爱心妈妈】您结对的孩子生日或节日临近，请安排探望。",
    "digest": "【爱心妈妈】{region}有逾期未联系的儿童，请登录查看。",
    "submission_due": "【爱心妈妈】{region}本月报送尚未提交，请登录处理。",
    "submission_sent": "【爱心妈妈】有新的报送待审核，请登录处理。",
    "submission_returned": "【爱心妈妈】您的报送已退回，请登录处理。",
    "submission_accepted": "【爱心妈妈】您的报送已通过。",
    "transfer_requested": "【爱心妈妈】有儿童转移申请待处理，请登录查看。",
    "transfer_to_pair": "【爱心妈妈】有转入的儿童待结对，请登录查看。",
    "transfer_accepted": "【爱心妈妈】儿童转移申请已接收。",
    "transfer_rejected": "【爱心妈妈】儿童转移申请被拒绝，请登录查看。",
    "transfer_cancelled": "【爱心妈妈】儿童转移申请已撤销。",
    "actions": "【爱心妈妈】您有到期的个案行动，请登录查看。",
    "report": "【爱心妈妈】月度报表已生成，请登录下载。",
    "export": "【爱心妈妈】导出文件已生成，请登录下载。",
}
# A kind without its own template: a title could name a child, so it is never used.
SMS_FALLBACK = "【爱心妈妈】您有新的消息，请登录查看。"
SMS_MAX_CHARS = 70  # one message on Chinese networks


class SendFailed(Exception):
    """The channel did not take the message (the reason is kept on the attempt)."""


class SmsGateway(Protocol):
    def send(self, *, to: str, text: str) -> None:
        """Hand one SMS to the gateway; raise :class:`SendFailed` unless it accepted it."""


class HttpSmsGateway:
    """POSTs ``{"to": …, "text": …}`` as JSON to SMS_GATEWAY_URL with the key in the ``Authorization:
    Bearer`` header; a non-2xx answer, a network error or no answer within SMS_GATEWAY_TIMEOUT seconds
    is a failed attempt."""

    def __init__(self) -> None:
        self.url = settings.SMS_GATEWAY_URL
        self.key = settings.SMS_GATEWAY_KEY
        self.timeout = settings.SMS_GATEWAY_TIMEOUT

    def send(self, *, to: str, text: str) -> None:
        request = urllib.request.Request(
            self.url, data=json.dumps({"to": to, "text": text}, ensure_ascii=False).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.key}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SendFailed(f"gateway answered HTTP {exc.code}") from None
        except TimeoutError:
            raise SendFailed(f"no answer within {self.timeout} s") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise SendFailed(f"no answer within {self.timeout} s") from None
            raise SendFailed(f"gateway unreachable: {reason}") from None
        if not 200 <= status < 300:
            raise SendFailed(f"gateway answered HTTP {status}")


def sms_enabled() -> bool:
    return bool(settings.SMS_GATEWAY_URL)


def sms_text(notification: Notification) -> str:
    """The SMS for ``notification``: its kind's template with the region's name, else a generic one."""
    template = SMS_TEMPLATES.get(notification.kind, SMS_FALLBACK)
    region = notification.region or notification.recipient.region
    return template.format(region=region.name if region else "")


def email_text(notification: Notification) -> tuple[str, str]:
    """Subject and body of the e-mail: the notification's title, text and link."""
    body = "\n\n".join(part for part in (notification.body, notification.link) if part)
    return notification.title, body or notification.title


def send(channel: str, notification: Notification) -> None:
    """Send ``notification`` to its recipient through ``channel``; raises :class:`SendFailed`."""
    recipient = notification.recipient
    if channel == DeliveryChannel.EMAIL:
        if not recipient.email:
            raise SendFailed("no e-mail address")
        subject, body = email_text(notification)
        try:
            send_mail(subject, body, None, [recipient.email])
        except Exception as exc:  # SMTP errors, refused connections, bad addresses: all a failed try
            raise SendFailed(f"e-mail not sent: {type(exc).__name__}: {exc}"[:300]) from None
    elif channel == DeliveryChannel.SMS:
        if not sms_enabled():
            raise SendFailed("SMS gateway not configured")
        if not recipient.phone:
            raise SendFailed("no mobile number")
        gateway: SmsGateway = import_string(settings.SMS_GATEWAY_ADAPTER)()
        gateway.send(to=recipient.phone, text=sms_text(notification))
    else:
        raise SendFailed(f"unknown channel {channel!r}")
