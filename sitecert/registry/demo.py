"""Realistic, reproducible registry data: Tianjin-like people and their old certificates.

Used by `sitecert seed-demo`, the tests (as raw input, never as expected results) and the benchmarks.
"""

import random
from collections.abc import Iterator
from datetime import date, timedelta

from sitecert.lib.idnumber import build

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜"
    "戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志海峰辉鹏宇浩凯晨文博飞红玉兰波斌林亮云春雪梅鑫旭东毅俊龙瑞宁新"
MINORITY_NAMES = ("阿卜杜拉·艾买提", "买买提·吐尔逊", "古丽娜尔·热合曼", "艾尔肯·阿不都")
TIANJIN_AREAS = [
    "120101",
    "120102",
    "120103",
    "120104",
    "120105",
    "120106",
    "120110",
    "120111",
    "120112",
    "120113",
    "120114",
    "120115",
    "120116",
    "120117",
    "120118",
    "120119",
]
OTHER_AREAS = ("130102", "130602", "370102", "410105", "210102")
TIANJIN_ISSUERS = ("天津市城乡建设和交通委员会", "天津市城乡建设委员会", "天津市住房和城乡建设委员会")
OTHER_ISSUERS = ("河北省住房和城乡建设厅", "山东省住房和城乡建设厅")
# (post cell forms, specialty column, number code)
POST_FORMS = [
    (("施工员（土建施工）", "施工员(土建)", "土建施工员", "施工员-土建"), "", "01"),
    (("施工员（装饰装修）", "装饰施工员"), "", "02"),
    (("施工员",), "设备安装", "03"),
    (("施工员（市政工程）", "市政施工员"), "", "04"),
    (("质量员（土建施工）", "土建质量员"), "", "05"),
    (("质量员",), "装饰", "06"),
    (("质量员（设备安装）", "安装质量员"), "", "07"),
    (("质量员(市政)",), "", "08"),
    (("安全员",), "", "09"),
    (("标准员",), "", "10"),
    (("材料员",), "", "11"),
    (("机械员",), "", "12"),
    (("劳务员",), "", "13"),
    (("资料员",), "", "14"),
]
HEADER = ("证书编号", "姓名", "身份证号", "岗位", "专业", "发证日期", "发证机关", "证书状态")


def person_name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.01:
        return rng.choice(MINORITY_NAMES)
    surname = rng.choice(COMPOUND_SURNAMES) if roll < 0.02 else rng.choice(SURNAMES)
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def id_number(rng: random.Random, *, area: str | None = None, born: date | None = None) -> str:
    area = area or rng.choice(TIANJIN_AREAS if rng.random() < 0.9 else OTHER_AREAS)
    born = born or date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 38))
    return build(area, born, rng.randrange(1000))


def registry_rows(people: int, *, seed: int = 2020) -> Iterator[tuple]:
    """Rows in HEADER's order: most valid Tianjin certificates since 2012, some invalid, cancelled,
    older than 2012 or issued elsewhere; one to three certificates (posts) per person."""
    rng = random.Random(seed)
    serial = 0
    for _ in range(people):
        name, number = person_name(rng), id_number(rng)
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        for forms, specialty, code in rng.sample(POST_FORMS, rng.choice((1, 1, 1, 2, 3))):
            serial += 1
            earliest = max(date(2008, 1, 1), date(born.year + 19, 1, 1))
            issued = earliest + timedelta(days=rng.randrange(max(1, (date(2020, 6, 30) - earliest).days)))
            roll = rng.random()
            status = (
                "有效" if roll < 0.82 else ("无效" if roll < 0.9 else rng.choice(("注销", "作废", "过期")))
            )
            issuer = rng.choice(TIANJIN_ISSUERS) if rng.random() < 0.94 else rng.choice(OTHER_ISSUERS)
            yield (
                f"12{issued.year}{code}{serial:07d}",
                name,
                number,
                rng.choice(forms),
                specialty,
                issued.strftime(rng.choice(("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d"))),
                issuer,
                status,
            )
