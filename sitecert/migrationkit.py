"""What the migrations that move a model between apps share."""


def content_types_relabel(old: str, new: str, models: list[str]):
    """A RunPython step: the content types of moved models (and so their permissions and admin history)
    follow them from app `old` to app `new`."""

    def forwards(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects
        for model in models:
            if not content_types.filter(app_label=new, model=model).exists():
                content_types.filter(app_label=old, model=model).update(app_label=new)

    return forwards
