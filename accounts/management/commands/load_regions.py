"""Load the region tree.

Without arguments: the real codes and names of 山西省, its 11 cities and 117 county-level units,
shipped in accounts/data/shanxi_regions.csv. With ``--file X.csv``: a full 统计用区划代码 table
(townships and villages too) with a header naming the code and name columns (``code,name`` or
``统计用区划代码,名称``); extra columns such as 城乡分类代码 are ignored. Both are idempotent.
"""

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "shanxi_regions.csv"
CODE_HEADERS = {"code", "统计用区划代码", "区划代码", "代码"}
NAME_HEADERS = {"name", "名称", "区划名称"}


def read_rows(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        try:
            code_col = next(i for i, h in enumerate(header) if h in CODE_HEADERS)
            name_col = next(i for i, h in enumerate(header) if h in NAME_HEADERS)
        except StopIteration:
            raise CommandError(
                f"{path}: the first line must name the code and name columns (code,name or 统计用区划代码,名称); "
                f"found {header!r}."
            ) from None
        rows = []
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= max(code_col, name_col):
                raise CommandError(f"{path}, line {line_no}: expected at least {max(code_col, name_col) + 1} columns.")
            rows.append((row[code_col], row[name_col]))
        return rows


class Command(BaseCommand):
    help = "Load Shanxi's real city and county codes, or a full 统计用区划代码 table with --file."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="CSV with code and name columns (UTF-8).")

    def handle(self, *args, file: Path | None = None, **options):
        path = file or SHIPPED
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        rows = read_rows(path)
        try:
            created, updated = services.regions_import(rows=rows, actor=None)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"Regions from {path.name}: {len(rows)} rows, {created} created, {updated} renamed, "
                          f"{len(rows) - created - updated} unchanged.")
