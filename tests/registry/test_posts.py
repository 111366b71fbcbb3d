import pytest

from sitecert.lib.textnorm import canonical_post
from sitecert.registry.models import Post, PostAlias
from sitecert.registry.posts import PostResolver

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text",
    [
        "施工员（土建）",
        "施工员(土建)",
        "施工员-土建",
        "施工员 - 土建",
        "施工员—土建",
        "施工员【土建】",
        "施工员[土建]",
    ],
)
def test_every_bracket_and_dash_form_is_one_spelling(text):
    assert canonical_post(text) == "施工员(土建)"


def test_the_catalogue_has_the_fourteen_posts_of_jgj_t_250():
    assert Post.objects.count() == 14
    assert set(Post.objects.filter(specialty="").values_list("name", flat=True)) == {
        "安全员",
        "标准员",
        "材料员",
        "机械员",
        "劳务员",
        "资料员",
    }
    assert Post.objects.filter(name="施工员").count() == Post.objects.filter(name="质量员").count() == 4


def test_an_alias_added_by_the_authority_is_recognised():
    safety = Post.objects.get(code="safety")
    PostAlias.objects.create(post=safety, alias="专职安全员（Ｃ证）")
    assert PostResolver().resolve("专职安全员(C证)", "") == safety.pk


def test_a_deactivated_post_is_no_longer_recognised():
    Post.objects.filter(code="labour").update(is_active=False)
    assert PostResolver().resolve("劳务员", "") == "post_unknown"
