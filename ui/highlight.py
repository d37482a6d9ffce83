"""Article text as safe HTML with claims marked: every piece of the text is escaped."""
from __future__ import annotations

from html import escape


def marked(text: str, spans: list[tuple[int, int, str]], current: int | None = None) -> str:
    """`text` escaped, with each (start, end, title) span wrapped in <mark>; overlapping spans are
    merged into the first. `current` is the index of the span to emphasise."""
    out, pos = [], 0
    for i, (start, end, title) in sorted(enumerate(spans), key=lambda x: (x[1][0], -x[1][1])):
        start, end = max(int(start), pos), min(int(end), len(text))
        if start >= end:
            continue
        out.append(escape(text[pos:start]))
        style = ' style="background:#ffb74d;outline:2px solid #e65100"' if i == current else \
            ' style="background:#fff3b0"'
        out.append(f'<mark title="{escape(title)}"{style}>{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def box(html_body: str) -> str:
    """A bordered, scrollable block around already-escaped HTML."""
    return ('<div style="border:1px solid #ddd;border-radius:6px;padding:0.8em 1em;max-height:420px;'
            f'overflow-y:auto;line-height:1.8">{html_body}</div>')
