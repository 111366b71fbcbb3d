"""Recognising the post (岗位) a registry file names, in any of the ways people write it."""

import re

from sitecert.lib.textnorm import clean

_DASHES = re.compile(r"[-－—–_~～·]+")
_SPACES = re.compile(r"\s+")
_BRACKETS = str.maketrans("[【〔〖<《", "((((((") | str.maketrans("]】〕〗>》", "))))))")
_WITH_SPECIALTY = re.compile(r"([^()-]+?)[(-]([^()-]+)\)?")


def canonical_post(text: object) -> str:
    """One spelling for every form: "施工员（土建）", "施工员(土建)", "施工员-土建" all become "施工员(土建)"."""
    t = _DASHES.sub("-", _SPACES.sub("", clean(text))).translate(_BRACKETS)
    if m := _WITH_SPECIALTY.fullmatch(t):
        return f"{m[1]}({m[2]})"
    return t


class PostResolver:
    """Maps (post cell, specialty cell) to a post id, or to a reason code; loads the catalogue once."""

    def __init__(self) -> None:
        from sitecert.registry.models import Post, PostAlias

        self.by_alias = dict(PostAlias.objects.filter(post__is_active=True).values_list("alias", "post_id"))
        self.needs_specialty = set(
            Post.objects.filter(is_active=True).exclude(specialty="").values_list("name", flat=True)
        )
        self._cache: dict[tuple[str, str], int | str] = {}

    def resolve(self, post: str, specialty: str) -> int | str:
        key = (post, specialty)
        if key not in self._cache:
            self._cache[key] = self._resolve(canonical_post(post), canonical_post(specialty))
        return self._cache[key]

    def _resolve(self, post: str, specialty: str) -> int | str:
        if hit := self.by_alias.get(post):
            return hit  # a specialty given for a post without specialties is ignored
        if specialty and (hit := self.by_alias.get(f"{post}({specialty})")):
            return hit
        if post in self.needs_specialty:
            return "post_specialty_unknown" if specialty else "post_specialty_missing"
        return "post_unknown"
