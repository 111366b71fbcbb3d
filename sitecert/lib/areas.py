"""Where an ID number was issued: its first six digits name the county (GB/T 2260), looked up in
python-stdnum's table of administrative codes."""

from functools import cache

from stdnum import numdb


@cache
def area_name(code: str, home: str = "12") -> str:
    """The district of a code in the home province (its latest name), or the province for codes elsewhere."""
    found = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    if not found.get("province"):
        return "未知地区"
    if not code.startswith(home):
        return found["province"]
    county = found.get("county", "").split(",")[-1]
    return county.split("]")[-1] or found["province"]
