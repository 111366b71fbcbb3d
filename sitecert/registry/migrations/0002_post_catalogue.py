"""The post catalogue of JGJ/T 250-2011 (the "eight posts") with the aliases registry files use.

Aliases are stored in canonical form (registry.posts.canonical_post): brackets as "()", no spaces.
"""

from django.db import migrations

SPECIALTIES = {
    "civil": ("土建施工", ("土建",)),
    "decoration": ("装饰装修", ("装饰",)),
    "mep": ("设备安装", ("安装", "设备")),
    "municipal": ("市政工程", ("市政",)),
}
WITH_SPECIALTY = {"builder": "施工员", "quality": "质量员"}
SINGLE = {
    "safety": "安全员",
    "standards": "标准员",
    "materials": "材料员",
    "machinery": "机械员",
    "labour": "劳务员",
    "records": "资料员",
}


def catalogue():
    order = 0
    for prefix, name in WITH_SPECIALTY.items():
        for suffix, (specialty, shorts) in SPECIALTIES.items():
            order += 1
            forms = (specialty, *shorts)
            aliases = [f"{name}({f})" for f in forms] + [f"{f}{name}" for f in forms]
            yield f"{prefix}-{suffix}", name, specialty, order, aliases
    for code, name in SINGLE.items():
        order += 1
        yield code, name, "", order, [name]


def load(apps, schema_editor):
    Post = apps.get_model("registry", "Post")
    PostAlias = apps.get_model("registry", "PostAlias")
    for code, name, specialty, order, aliases in catalogue():
        post, _ = Post.objects.update_or_create(
            code=code, defaults={"name": name, "specialty": specialty, "sort_order": order}
        )
        for alias in aliases:
            PostAlias.objects.get_or_create(alias=alias, defaults={"post": post})


def unload(apps, schema_editor):
    apps.get_model("registry", "Post").objects.filter(code__in=[c for c, *_ in catalogue()]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
