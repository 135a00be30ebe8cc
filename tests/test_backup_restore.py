"""A backup as docs/operations.md takes it (``pg_dump --format=custom``), restored into a fresh database
(``pg_restore``): the ID numbers reveal with the same keys, kept apart from the dump; with other keys they
fail cleanly (a ValueError saying the keys do not open them), never showing anything.

PostgreSQL only, and needs the client tools pg_dump and pg_restore on PATH."""

import shutil
import subprocess
import uuid

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

from children import identity
from tests.children.conftest import make_child, new_id_number  # noqa: F401

pytestmark = [
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="runs on PostgreSQL"),
    pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="needs pg_dump"),
    pytest.mark.django_db(transaction=True),
]


def _conninfo(dbname: str) -> dict:
    params = dict(connection.get_connection_params())
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return {**params, "dbname": dbname}


def _env_args(info: dict) -> tuple[dict, list[str]]:
    env = {"PGPASSWORD": str(info.get("password") or "")}
    args = ["-h", str(info.get("host") or "127.0.0.1"), "-p", str(info.get("port") or 5432),
            "-U", str(info.get("user") or "postgres")]
    return env, args


@pytest.fixture
def restored(tmp_path):
    """``restored()`` → the name of a fresh database holding a dump of the test database (dropped after)."""
    made = []

    def restore() -> str:
        source = _conninfo(connection.settings_dict["NAME"])
        env, args = _env_args(source)
        dump = tmp_path / "aixin.dump"
        subprocess.run(["pg_dump", *args, "--format=custom", "--no-owner", "-f", str(dump), source["dbname"]],
                       env={**env, "PATH": "/usr/bin:/bin"}, check=True, capture_output=True)
        name = f"restore_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(**_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        subprocess.run(["pg_restore", *args, "--no-owner", "-d", name, str(dump)],
                       env={**env, "PATH": "/usr/bin:/bin"}, check=True, capture_output=True)
        return name

    yield restore
    with psycopg.connect(**_conninfo("postgres"), autocommit=True) as admin:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _token_in(dbname: str, pk: int) -> str:
    with psycopg.connect(**_conninfo(dbname)) as restored_db:
        return restored_db.execute("SELECT id_number_encrypted FROM children_child WHERE id = %s", [pk]).fetchone()[0]


def test_a_restored_dump_reveals_with_the_same_keys(staff_lishi, make_child, restored):  # noqa: F811
    number = new_id_number()
    child = make_child(staff_lishi, name="王小雨", id_number=number)
    token = _token_in(restored(), child.pk)
    assert number not in token  # the dump holds no number in clear
    assert identity.decrypt(token) == number


def test_without_the_keys_a_restored_dump_fails_cleanly(settings, staff_lishi, make_child, restored):  # noqa: F811
    child = make_child(staff_lishi, name="王小雨", id_number=new_id_number())
    token = _token_in(restored(), child.pk)
    settings.ID_NUMBER_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError, match="cannot be decrypted with the configured keys"):
        identity.decrypt(token)
