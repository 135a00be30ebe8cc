"""Django admin columns read in Chinese: every model field of the project's apps names itself
(verbose_name through gettext_lazy), the admin's own columns have a translated description, and every
registered changelist — third-party ones too (django-axes, DRF's tokens, auth groups) — renders its
column headers in Chinese for a superuser."""

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from rest_framework.authtoken.models import Token

from accounts.roles import Role
from tests.factories import UserFactory
from tests.test_access_matrix import build_world

APPS = ["accounts", "children", "volunteers", "pairing", "activities", "reports", "submissions"]
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def concrete_fields():
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if getattr(field, "concrete", False) and not field.primary_key:
                    yield pytest.param(field, id=f"{model._meta.label}.{field.name}")


@pytest.mark.parametrize("field", list(concrete_fields()))
def test_model_field_has_a_translatable_verbose_name(field):
    assert isinstance(field._verbose_name, Promise)


def admin_columns():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in APPS:
            for name in model_admin.list_display:
                if name != "__str__":
                    yield pytest.param(model, model_admin, name, id=f"{model._meta.label}.{name}")


@pytest.mark.parametrize(("model", "model_admin", "name"), list(admin_columns()))
def test_admin_column_is_in_chinese(model, model_admin, name):
    with translation.override("zh-hans"):
        assert not ENGLISH_WORD.search(str(label_for_field(name, model, model_admin)))


@pytest.fixture(scope="module")
def admin_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """A superuser, and a row of every model the admin site lists (an empty changelist renders no table):
    the access matrix's world of 离石区 plus a group, a token and django-axes' three kinds of record —
    built once for the module inside a transaction rolled back at its end."""
    storage = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                           "OPTIONS": {"location": str(tmp_path_factory.mktemp("private"))}}}
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(STORAGES={**settings.STORAGES,
                                                                                         **storage}):
        world = build_world()
        Group.objects.create(name="查看者")
        Token.objects.create(user=world.user)
        seen = {"username": "staff_lishi", "ip_address": "127.0.0.1", "user_agent": "pytest", "http_accept": "*/*",
                "path_info": "/login/"}
        AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=2)
        AccessLog.objects.create(**seen)
        AccessFailureLog.objects.create(**seen, locked_out=False)
        yield UserFactory(username="superuser", role=Role.ADMIN, region=None, is_superuser=True)
        transaction.set_rollback(True)


HEADER = re.compile(r"<th[^>]*scope=\"col\"[^>]*>(.*?)</th>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


@pytest.mark.django_db
@pytest.mark.parametrize("model", [pytest.param(m, id=m._meta.label) for m in admin.site._registry])
def test_changelist_column_headers_are_in_chinese(client, admin_rows, model):
    client.force_login(admin_rows)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    headers = [" ".join(TAG.sub(" ", cell).split()) for cell in HEADER.findall(response.content.decode())]
    assert [h for h in headers if h], "no column headers: the changelist has no rows"
    assert [h for h in headers if ENGLISH_WORD.search(h)] == []
