"""A demo continuing-education library in Chinese for `sitecert seed-demo`: general courses and, for each
of the 14 posts, professional courses and a question bank of 30 questions, enough for any holder to reach
the Tianjin policy's hours. Idempotent."""

from django.conf import settings
from django.db import transaction
from django.templatetags.static import static

from sitecert.learning.models import Category, Course, Question, QuestionBank, Unit
from sitecert.people.models import Organisation
from sitecert.registry.models import Post

MINUTES_PER_CLASS_HOUR = 45
TOPICS = {
    "builder": [
        "施工组织设计",
        "地基与基础工程",
        "主体结构施工",
        "施工进度控制",
        "施工质量控制",
        "施工安全管理",
    ],
    "quality": [
        "质量计划编制",
        "材料进场检验",
        "工序质量检查",
        "隐蔽工程验收",
        "质量问题处理",
        "质量资料管理",
    ],
    "safety": [
        "安全生产责任制",
        "危大工程管理",
        "脚手架安全",
        "临时用电安全",
        "起重机械安全",
        "应急救援预案",
    ],
    "standards": [
        "工程建设标准体系",
        "标准实施计划",
        "强制性条文执行",
        "标准实施检查",
        "标准信息管理",
        "新标准宣贯",
    ],
    "materials": [
        "材料采购计划",
        "材料进场验收",
        "材料储存保管",
        "材料发放台账",
        "周转材料管理",
        "材料成本分析",
    ],
    "machinery": [
        "施工机械选型",
        "机械进场验收",
        "机械安全操作",
        "机械维护保养",
        "特种设备管理",
        "机械租赁管理",
    ],
    "labour": ["劳务分包管理", "劳动合同管理", "实名制管理", "工资支付监管", "劳务纠纷处理", "劳务人员培训"],
    "records": ["施工资料分类", "资料收集整理", "资料编号归档", "竣工资料编制", "电子档案管理", "资料移交"],
}
GENERAL = [
    ("GEN-LAW", "建设工程法律法规", ["建筑法与安全生产法", "建设工程质量管理条例", "劳动者权益保护"]),
    ("GEN-SAFE", "施工现场安全生产", ["安全生产基本知识", "常见事故与预防", "个人防护与急救"]),
    ("GEN-TECH", "建筑业新技术应用", ["装配式建筑", "建筑信息模型（BIM）", "绿色施工"]),
]


def _text(topic: str, post: str) -> str:
    return (
        f"{topic}是{post}日常工作的重要内容。\n"
        f"作业前应熟悉施工图纸、规范和合同要求，编制{topic}相关的方案或计划，经审批后向作业人员进行技术交底。\n"
        f"作业中按方案组织实施，做好过程检查和记录；发现问题及时报告，按规定整改并复查。\n"
        f"完成后组织验收，验收合格方可进入下道工序；有关资料随工程进度及时整理归档。"
    )


DEMO_VIDEO = "sitecert/demo/test-pattern-60s.webm"  # a 60-second test pattern (WebM/VP8, 31 KB)
DEMO_CAPTIONS = "sitecert/demo/test-pattern-60s.zh-Hans.vtt"  # its captions (WebVTT)


def _course(institution, code, title, category, hours, topics, post_label, posts=()) -> Course:
    course, created = Course.objects.get_or_create(
        code=code,
        defaults={
            "institution": institution,
            "title": title,
            "category": category,
            "class_hours": hours,
            "summary": "、".join(topics),
            "status": Course.Status.APPROVED,
        },
    )
    if created:
        course.posts.set(posts)
        seconds = hours * MINUTES_PER_CLASS_HOUR * 60 // len(topics)
        intro = Unit(
            course=course,
            order=1,
            kind=Unit.Kind.VIDEO,
            title="课程导学（视频）",
            body=f"本课程讲授：{course.summary}。",
            video_url=f"{settings.PUBLIC_URL}{static(DEMO_VIDEO)}",
            captions_url=f"{settings.PUBLIC_URL}{static(DEMO_CAPTIONS)}",
            required_seconds=60,
        )
        Unit.objects.bulk_create(
            [intro]
            + [
                Unit(
                    course=course,
                    order=i,
                    kind=Unit.Kind.TEXT,
                    title=topic,
                    body=_text(topic, post_label),
                    required_seconds=seconds,
                )
                for i, topic in enumerate(topics, 2)
            ]
        )
    return course


def _questions(bank: QuestionBank, topics: list[str]) -> None:
    if bank.questions.exists():
        return
    rows = []
    for topic in topics:
        rows += [
            ("truefalse", f"{topic}作业前应编制方案并进行技术交底。", ["正确", "错误"], [0]),
            ("truefalse", f"{topic}完成后无需验收即可进入下道工序。", ["正确", "错误"], [1]),
            (
                "single",
                f"{topic}的技术交底一般由谁组织？",
                ["项目技术负责人", "门卫", "食堂管理员", "供货商"],
                [0],
            ),
            (
                "multiple",
                f"{topic}过程中应做好哪些工作？",
                ["过程检查", "施工记录", "问题整改复查", "随意变更方案"],
                [0, 1, 2],
            ),
            (
                "single",
                f"{topic}的相关资料应何时整理归档？",
                ["随工程进度及时归档", "竣工后一次补齐", "无需归档", "由他人代签"],
                [0],
            ),
        ]
    Question.objects.bulk_create(
        Question(bank=bank, kind=k, text=t, options=o, answer=a) for k, t, o, a in rows
    )


@transaction.atomic
def demo_library_seed(institution: Organisation) -> int:
    """Returns the number of approved courses."""
    general_topics = []
    for code, title, topics in GENERAL:
        _course(institution, code, title, Category.GENERAL, 4, topics, "施工现场专业人员")
        general_topics += topics
    _questions(
        QuestionBank.objects.get_or_create(post=None, defaults={"title": "通用知识题库"})[0], general_topics
    )
    for post in Post.objects.all():
        family = post.code.split("-")[0]
        topics = TOPICS[family]
        label = str(post)
        for part, chunk in enumerate((topics[:3], topics[3:]), 1):
            _course(
                institution,
                f"{post.code.upper()}-{part}",
                f"{label}岗位知识（{part}）",
                Category.PROFESSIONAL,
                12,
                chunk,
                label,
                [post],
            )
        bank, _ = QuestionBank.objects.get_or_create(post=post, defaults={"title": f"{label}题库"})
        _questions(bank, topics)
    return Course.objects.filter(status=Course.Status.APPROVED).count()
