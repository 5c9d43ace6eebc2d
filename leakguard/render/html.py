"""Self-contained HTML report for `leakguard scan` (inline CSS and JS, no network).

Flagged messages are shown in context with highlighted matches (personal data masked unless
``show``), with filters by category and conversation and a day-by-day timeline.
"""

from __future__ import annotations

import json
from collections import Counter
from html import escape
from typing import Any

from ..i18n import t
from .text import mask_digits, step_text

_CSS = """
body{font:14px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1f2a44;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
main{padding:16px 24px;max-width:1100px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border-radius:8px;padding:10px 16px;box-shadow:0 1px 2px #0002}
.card b{display:block;font-size:22px}
.filters{margin:16px 0;display:flex;gap:12px;flex-wrap:wrap;align-items:center}
select{padding:4px}
.timeline{display:flex;align-items:flex-end;gap:2px;height:80px;background:#fff;padding:8px;border-radius:8px;overflow-x:auto}
.timeline div{background:#c0392b;min-width:8px;flex:1 0 8px;position:relative;margin-bottom:14px}
.timeline span{position:absolute;bottom:-16px;left:0;font-size:11px;color:#555;white-space:nowrap}
.msg{background:#fff;border-radius:8px;margin:10px 0;padding:10px 14px;box-shadow:0 1px 2px #0002;border-left:4px solid #e67e22}
.msg.block{border-left-color:#c0392b}.meta{color:#666;font-size:12px}
.text{white-space:pre-wrap;margin:6px 0;font-size:15px}
mark{background:#ffd6d6;color:#900;font-weight:bold;padding:0 2px;border-radius:3px}
.f{font-size:13px;margin:4px 0 0 0}.f code{background:#eef;padding:0 4px;border-radius:3px}
.prec{color:#444}.hidden{display:none}.bad{font-size:12px;color:#a00}
"""

_JS = """
function apply(){var c=document.getElementById('cat').value,v=document.getElementById('conv').value;
document.querySelectorAll('.msg').forEach(function(m){var ok=(!c||m.dataset.cats.split(' ').indexOf(c)>=0)&&(!v||m.dataset.conv===v);
m.classList.toggle('hidden',!ok)});}
document.getElementById('cat').onchange=apply;document.getElementById('conv').onchange=apply;
"""


def _highlight(text: str, findings: list[Any], show: bool) -> str:
    spans = sorted((f.start, f.end, f) for f in findings)
    out: list[str] = []
    pos = 0
    for start, end, f in spans:
        if start < pos:
            continue
        piece = text[pos:start]
        out.append(escape(piece if show else mask_digits(piece)))
        out.append(f"<mark title=\"{escape(f.code)}\">{escape(f.shown(show))}</mark>")
        pos = end
    tail = text[pos:]
    out.append(escape(tail if show else mask_digits(tail)))
    return "".join(out)


def render_html(summary: Any, kept: list[Any], lang: str = "zh", show: bool = False, truncated: bool = False) -> str:
    zh = lang == "zh"
    days = Counter((sm.message.time or "")[:10] for sm in kept if sm.message.time)
    peak = max(days.values(), default=1)
    timeline = "".join(
        f'<div style="height:{max(4, int(60 * n / peak))}px" title="{escape(d)}: {n}"><span>{escape(d[5:])} · {n}</span></div>'
        for d, n in sorted(days.items())
    )
    cats = sorted({f.category for sm in kept for f in sm.verdict.findings})
    convs = sorted({sm.message.conversation or "-" for sm in kept})
    msgs = []
    for sm in kept:
        m, v = sm.message, sm.verdict
        fs = list(v.findings)
        details = []
        for f in fs:
            prec = (f'<div class="prec">{escape(t("precedent", lang))}：{escape(f.precedent.summary)} '
                    f'[{escape(f.precedent.id)}]</div>') if f.precedent else ""
            reasons = escape(("；" if zh else "; ").join(step_text(s, lang) for s in f.steps))
            details.append(
                f'<div class="f"><code>{escape(f.code)}</code> {escape(f.name)} · {escape(t(f.category, lang))} · '
                f'{escape(t(f.severity, lang))} · {f.score:.1f}<br><span class="meta">{reasons}</span>{prec}'
                f'<div>{escape(t("advice", lang))}：{escape(f.advice)}</div></div>'
            )
        recalled = ' · <b>已撤回（仍计为泄露）</b>' if m.recalled and zh else (' · <b>recalled (still a leak)</b>' if m.recalled else "")
        msgs.append(
            f'<div class="msg {escape(v.verdict)}" data-cats="{escape(" ".join({f.category for f in fs}))}" '
            f'data-conv="{escape(m.conversation or "-")}">'
            f'<div class="meta">{escape(m.time or "")} · {escape(m.conversation or "-")} · {escape(m.sender or "-")} · '
            f'{escape(m.path)}:{m.line} · {escape(t(v.verdict, lang))} {v.score:.1f}{recalled}</div>'
            f'<div class="text">{_highlight(m.text, fs, show)}</div>{"".join(details)}</div>'
        )
    s = summary
    cards = [
        ("读取消息" if zh else "messages", s.messages), ("标记" if zh else "flagged", s.flagged),
        ("不建议发送" if zh else "block", s.blocked), ("跳过的损坏记录" if zh else "bad records", s.skipped),
        ("已撤回但泄露" if zh else "recalled but leaked", s.recalled_flagged),
    ]
    bad = "".join(f'<div class="bad">{escape(b.where)}: {escape(b.reason)}</div>' for b in s.bad[:100])
    note = (f"<p>{'仅显示前' if zh else 'showing the first'} {len(kept)} "
            f"{'条标记消息' if zh else 'flagged messages'}</p>") if truncated else ""
    options_c = "".join(f'<option value="{escape(c)}">{escape(t(c, lang))}</option>' for c in cats)
    options_v = "".join(f'<option value="{escape(c)}">{escape(c)}</option>' for c in convs)
    title = "leakguard 扫描报告" if zh else "leakguard scan report"
    data = escape(json.dumps(s.to_dict(), ensure_ascii=False))
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{title}</h1><div>{escape(', '.join(sorted(s.files))[:300])}</div></header><main>"
        f'<div class="cards">{"".join(f"<div class=card><b>{n}</b>{escape(label)}</div>" for label, n in cards)}</div>'
        f"<h2>{'时间线' if zh else 'Timeline'}</h2><div class=timeline>{timeline}</div>"
        f'<div class="filters"><label>{"类别" if zh else "category"} <select id="cat"><option value="">*</option>'
        f'{options_c}</select></label><label>{"会话" if zh else "conversation"} <select id="conv">'
        f'<option value="">*</option>{options_v}</select></label></div>{note}'
        f'{"".join(msgs)}{bad}<script type="application/json" id="summary">{data}</script></main>'
        f"<script>{_JS}</script></body></html>\n"
    )
