"""SVG drawn on the server (QR codes, charts), made fit to sit inside a page under a strict
Content-Security-Policy: no script, no style attribute, and `<style>` elements carrying the page's nonce."""

import re

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_STYLE_TAG = re.compile(r"<style\b")
_DECLARATION = re.compile(r"^\s*([a-z-]+)\s*:\s*(.+?)\s*$")


def _attributes(match: re.Match) -> str:
    """`style="fill: none; stroke-width: 0"` → ` fill="none" stroke-width="0"` (SVG presentation
    attributes, which CSP does not treat as inline style)."""
    out = []
    for declaration in match.group(1).split(";"):
        if found := _DECLARATION.match(declaration):
            name, value = found.groups()
            out.append(f' {name}="{value}"')
    return "".join(out)


def csp_safe(svg: str, nonce: str | None = None) -> str:
    """The same drawing without scripts or style attributes; `<style>` elements get `nonce`."""
    svg = _SCRIPT.sub("", svg)
    svg = _STYLE_ATTR.sub(_attributes, svg)
    if nonce:
        svg = _STYLE_TAG.sub(f'<style nonce="{nonce}"', svg)
    return svg
