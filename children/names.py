"""Chinese personal names, as the programme shows them to volunteers (given name only)."""

# Two-character (复姓) surnames: the given name starts after them. The common ones; a name that starts
# with one of these and has more than two characters drops two.
COMPOUND_SURNAMES = frozenset(
    ["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "司徒", "司空", "夏侯",
     "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "太史", "申屠", "钟离", "闻人", "赫连", "濮阳", "万俟",
     "淳于", "单于", "拓跋", "第五", "东郭", "公冶", "公羊", "仲孙", "太叔", "左丘", "梁丘", "闾丘", "亓官", "司寇", "子车",
     "巫马", "乐正", "壤驷", "漆雕", "谷梁", "段干", "南门", "东门", "羊舌", "微生", "公良", "宗政", "颛孙"]
)


def given_name(name: str) -> str:
    """The name without the surname: 王小雨 → 小雨, 欧阳娜娜 → 娜娜. A transliterated name with a middle
    dot (阿依古丽·买买提) keeps its first part, the person's own name; a one-character name stays whole."""
    name = (name or "").strip()
    if "·" in name:
        return name.split("·", 1)[0]
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[2:]
    return name[1:] if len(name) > 1 else name
