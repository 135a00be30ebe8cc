"""One vocabulary (docs/glossary.md).

- Every entry of the Chinese catalogue is translated (not empty, not fuzzy).
- Every literal the templates ({% translate %}, simple {% blocktranslate %}) and the Python code
  (gettext, gettext_lazy, pgettext, … calls with literal arguments) show is in the catalogue, with its
  context (or translated by Django's or DRF's own catalogues): a string without a Chinese translation
  fails here, not in front of a user.
- The words the glossary retired are gone from the catalogue's translations of the fixed terms.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
APPS = ["accounts", "activities", "alerts", "casework", "children", "config", "core", "exports", "pairing", "reports",
        "submissions", "volunteers"]


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def po_entries(path: Path = PO) -> list[dict]:
    """The catalogue's entries: ``ctxt``, ``id``, ``plural``, ``strs`` (list), ``fuzzy`` and ``line``;
    obsolete (#~) entries are left out, the header too."""
    entries: list[dict] = []
    current: dict | None = None
    field: list[str] | None = None

    def finish():
        if current is not None and current["id"] is not None and current["id"] != "":
            entries.append(current)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            current, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = {"ctxt": None, "id": None, "plural": None, "strs": {}, "fuzzy": False, "line": number,
                       "_parts": {}}
        if line.startswith("#,"):
            current["fuzzy"] = current["fuzzy"] or "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if match:
            key, first = match.groups()
            field = current["_parts"].setdefault(key, [])
            field.append(first)
        elif line.startswith('"') and field is not None:
            field.append(line)
        else:
            raise AssertionError(f"{path.name}:{number}: cannot read {raw!r}")
        parts = current["_parts"]
        current["ctxt"] = _unquote(parts["msgctxt"]) if "msgctxt" in parts else None
        current["id"] = _unquote(parts["msgid"]) if "msgid" in parts else None
        current["plural"] = _unquote(parts["msgid_plural"]) if "msgid_plural" in parts else None
        current["strs"] = {k: _unquote(v) for k, v in parts.items() if k.startswith("msgstr")}
    finish()
    return entries


@pytest.fixture(scope="module")
def catalogue() -> dict[tuple[str | None, str], dict]:
    return {(entry["ctxt"], entry["id"]): entry for entry in po_entries()}


def untranslated(strings: list[tuple[str, str | None, str]], catalogue: dict) -> list[str]:
    """The strings neither the project's catalogue nor the compiled catalogues in use (Django's,
    DRF's …) translate into Chinese."""
    from django.utils import translation

    missing = set()
    with translation.override("zh-hans"):
        for where, context, msgid in strings:
            if not msgid or (context, msgid) in catalogue:
                continue
            shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            if shown == msgid:
                missing.add(f"{where}: {context or ''}|{msgid!r}")
    return sorted(missing)


def test_every_catalogue_entry_has_a_chinese_translation():
    missing = [f'line {e["line"]}: {e["ctxt"] or ""}|{e["id"]!r}'
               for e in po_entries() if e["fuzzy"] or not e["strs"] or not all(s.strip() for s in e["strs"].values())]
    assert not missing, "untranslated or fuzzy entries in django.po:\n" + "\n".join(missing)


def test_the_catalogue_has_no_duplicate_entries():
    seen: dict[tuple, int] = {}
    duplicates = []
    for entry in po_entries():
        key = (entry["ctxt"], entry["id"])
        if key in seen:
            duplicates.append(f'{entry["ctxt"] or ""}|{entry["id"]!r} (lines {seen[key]} and {entry["line"]})')
        seen[key] = entry["line"]
    assert not duplicates, "\n".join(duplicates)


# --- templates -----------------------------------------------------------------------------------

STRING = r'''(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')'''
TRANSLATE = re.compile(r"{%\s*(?:translate|trans)\s+(" + STRING + r")(?:\s+context\s+(" + STRING + r"))?[^%]*%}")
BLOCK = re.compile(r"{%\s*(?:blocktranslate|blocktrans)\b([^%]*)%}(.*?){%\s*(?:endblocktranslate|endblocktrans)\s*%}",
                   re.DOTALL)
VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")


def _template_files() -> list[Path]:
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.html"))


def _block_msgid(options: str, body: str) -> str | None:
    """The msgid makemessages would extract from a {% blocktranslate %} without a plural, or None
    when the block is not a simple one."""
    if "{%" in body:
        return None
    if "trimmed" in options.split():
        body = " ".join(line.strip() for line in body.strip().splitlines() if line.strip())
    return VARIABLE.sub(lambda m: f"%({m.group(1)})s", body.replace("%", "%%"))


def template_strings() -> list[tuple[str, str | None, str]]:
    """(where, context, msgid) of every literal the templates translate."""
    found = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        for match in TRANSLATE.finditer(text):
            msgid = ast.literal_eval(match.group(1))
            context = ast.literal_eval(match.group(2)) if match.group(2) else None
            found.append((where, context, msgid))
        for match in BLOCK.finditer(text):
            options, body = match.groups()
            msgid = _block_msgid(options, body)
            if msgid is None:
                continue
            context = re.search(r"\bcontext\s+(" + STRING + ")", options)
            found.append((where, ast.literal_eval(context.group(1)) if context else None, msgid))
    return found


def test_the_template_scan_finds_the_templates_strings():
    strings = template_strings()
    assert len(strings) > 500
    assert ("action", "Open") in {(c, m) for _w, c, m in strings}


def test_every_template_string_is_in_the_catalogue(catalogue):
    missing = untranslated(template_strings(), catalogue)
    assert not missing, "template strings without a Chinese translation:\n" + "\n".join(missing)


# --- Python --------------------------------------------------------------------------------------

PLAIN = {"_", "_lazy", "gettext", "gettext_lazy", "gettext_noop", "_noop"}
CONTEXT = {"pgettext", "pgettext_lazy"}
PLURAL = {"ngettext", "ngettext_lazy"}
CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literals(args: list[ast.expr], count: int) -> list[str] | None:
    if len(args) < count or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[:count]):
        return None
    return [a.value for a in args[:count]]


def python_strings() -> list[tuple[str, str | None, str]]:
    """(where, context, msgid) of every gettext call with literal arguments in the apps' code."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or "__pycache__" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = _name(node.func)
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if name in PLAIN and (args := _literals(node.args, 1)):
                    found.append((where, None, args[0]))
                elif name in CONTEXT and (args := _literals(node.args, 2)):
                    found.append((where, args[0], args[1]))
                elif name in PLURAL and (args := _literals(node.args, 2)):
                    found.append((where, None, args[0]))
                elif name in CONTEXT_PLURAL and (args := _literals(node.args, 3)):
                    found.append((where, args[0], args[1]))
    return found


def test_the_python_scan_finds_the_codes_strings():
    found = {(c, m) for _w, c, m in python_strings()}
    assert ("need status", "Open") in found and (None, "Home visit") in found


def test_every_python_string_is_in_the_catalogue(catalogue):
    missing = untranslated(python_strings(), catalogue)
    assert not missing, "Python strings without a Chinese translation:\n" + "\n".join(missing)


# --- the fixed terms -----------------------------------------------------------------------------

FIXED = {
    ("need status", "Open"): "待认领",
    ("action", "Open"): "查看",
    (None, "Name"): "姓名",
    ("thing", "Name"): "名称",
    (None, "Children"): "儿童",
    ("work station", "Address"): "地址",
    ("work station", "Opened on"): "成立日期",
    (None, "My records"): "我的记录",
    (None, "Home visit"): "入户探访",
    (None, "Counselling"): "心理辅导",
    (None, "Psychological support"): "心理辅导",
    (None, "Reading together"): "陪伴阅读",
    (None, "Outing or study trip"): "出游或研学",
    (None, "Red"): "红卡",
    (None, "Yellow"): "黄卡",
    (None, "Green"): "绿卡",
    (None, "Overdue contacts"): "逾期未联系",
    (None, "Monthly coverage"): "月月有活动",
    (None, "Letter (爱心家书)"): "爱心家书",
    (None, "Contact with the class teacher"): "联系班主任",
    (None, "Yearly commitments"): "年度结对承诺",
}


@pytest.mark.parametrize(("key", "chinese"), FIXED.items(), ids=[f"{c or ''}|{m}" for c, m in FIXED])
def test_the_glossarys_terms_are_the_catalogues(catalogue, key, chinese):
    assert catalogue[key]["strs"]["msgstr"] == chinese
    assert chinese in (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")


def test_an_open_need_and_an_open_button_read_differently():
    from django.template import Context, Template
    from django.utils import translation

    from children.models import NeedStatus

    with translation.override("zh-hans"):
        assert str(NeedStatus.OPEN.label) == "待认领"
        assert Template('{% load i18n %}{% translate "Open" context "action" %}').render(Context()) == "查看"
