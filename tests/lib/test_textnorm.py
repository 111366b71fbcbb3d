import pytest

from sitecert.lib.textnorm import clean, clean_name, name_problem


def test_clean_applies_nfkc_and_strips_ideographic_spaces():
    assert clean("\u3000ＴＪ２０１５\u3000 ") == "TJ2015"
    assert clean("（土建）") == "(土建)"
    assert clean(None) == ""
    assert clean(12) == "12"


@pytest.mark.parametrize("dot", ["•", "・", "･", "‧", "．", "·"])
def test_every_middle_dot_becomes_one(dot):
    assert clean_name(f"阿卜杜拉{dot}艾买提") == "阿卜杜拉·艾买提"


def test_inner_white_space_is_removed():
    assert clean_name(" 王\u3000小 明\t") == "王小明"


@pytest.mark.parametrize(
    ("name", "problem"),
    [("王", "length"), ("王" * 40, None), ("王" * 41, "length"), ("王2", "digits"), ("王小明", None)],
)
def test_name_rules(name, problem):
    assert name_problem(clean_name(name)) == problem
