"""Recognising the post (岗位) a registry file names, in any of the ways people write it."""

from sitecert.lib.textnorm import canonical_post
from sitecert.registry.models import Post, PostAlias


class PostResolver:
    """Maps (post cell, specialty cell) to a post id, or to a reason code; loads the catalogue once."""

    def __init__(self) -> None:
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
