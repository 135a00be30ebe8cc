"""Reading settings from the environment.

Every reader raises ``ImproperlyConfigured`` naming the variable when its value is malformed, so a
bad deployment stops at start-up with a message instead of running with a silent default.
"""

import os
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} is required but not set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum of {maximum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but empty; give a comma-separated list.")
    return items


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def env_duration(name: str, default: timedelta, *, minimum: timedelta | None = None) -> timedelta:
    """A duration: a number of seconds, or a number with a unit — ``90s``, ``45m``, ``12h``, ``30d``."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    text = value.strip().lower()
    unit = text[-1] if text[-1] in _DURATION_UNITS else "s"
    number = text[:-1] if text[-1] in _DURATION_UNITS else text
    if not number.isascii() or not number.isdigit():
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a duration; give whole seconds or a number with s, m, h or d (e.g. 12h, 30d)."
        )
    duration = timedelta(seconds=int(number) * _DURATION_UNITS[unit])
    if minimum is not None and duration < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} is below the minimum of {minimum}.")
    return duration


def env_subset(name: str, default: list[str], choices: tuple[str, ...], *, hint: str = "") -> list[str]:
    """A comma-separated list of some of ``choices``. Unset: ``default``; set but empty: none at all
    (``NAME=`` turns off what the list turns on). An unknown item stops the start-up, naming it."""
    value = os.environ.get(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        if item not in choices:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not one of {', '.join(choices)}{'; ' + hint if hint else ''}."
            )
    return list(dict.fromkeys(items))
