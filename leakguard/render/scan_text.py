"""Text report for `leakguard scan`: each flagged message, then a summary."""

from __future__ import annotations

from typing import Any

from ..i18n import t
from .text import Style, context, step_text


def render_message(sm: Any, lang: str, show: bool, style: Style) -> str:
    m, v = sm.message, sm.verdict
    zh = lang == "zh"
    who = " · ".join(x for x in (m.conversation, m.sender, m.time) if x)
    recalled = ("（已撤回，仍计为泄露）" if zh else " (recalled — still a leak)") if m.recalled else ""
    head = f"{m.path}:{m.line}  {who}{recalled}  " + style(
        f"{t(v.verdict, lang)} {v.score:.1f}", fg={"warn": "yellow", "block": "red"}.get(v.verdict), bold=True
    )
    lines = [head]
    everything = list(v.findings)
    for f in v.findings:
        before, match, after = context(m.text, f, everything, show)
        lines.append(f"  {style(f.code, bold=True)} {f.name} · {t(f.category, lang)}  │ "
                     + before + style(match, fg="red", bold=True) + after)
        lines.append("      " + ("；" if zh else "; ").join(step_text(s, lang) for s in f.steps))
        if f.precedent:
            lines.append(f"      {t('precedent', lang)}{'：' if zh else ': '}{f.precedent.summary} [{f.precedent.id}]")
    return "\n".join(lines)


def _top(counter: Any, n: int = 8) -> str:
    return ", ".join(f"{k} {v}" for k, v in counter.most_common(n)) or "—"


def render_summary(s: Any, lang: str, style: Style) -> str:
    zh = lang == "zh"
    c = "：" if zh else ": "
    lines = [
        style(("扫描结果" if zh else "Scan summary") + (("（已中断，以下为已扫描部分）" if zh else " (interrupted: partial)")
                                                        if s.interrupted else ""), bold=True),
        f"  {'文件' if zh else 'files'}{c}{len(s.files)}",
        f"  {'读取消息' if zh else 'messages read'}{c}{s.messages}",
        f"  {'跳过的损坏记录' if zh else 'bad records skipped'}{c}{s.skipped}",
        f"  {'系统消息' if zh else 'system notices'}{c}{s.system}",
        f"  {'标记' if zh else 'flagged'}{c}{s.flagged}（{'其中不建议发送' if zh else 'block'} {s.blocked}）"
        if zh else f"  flagged: {s.flagged} (block {s.blocked})",
    ]
    if s.recalled_flagged:
        lines.append(f"  {'已撤回但仍泄露' if zh else 'recalled but leaked'}{c}{s.recalled_flagged}")
    if s.flagged:
        lines.append(f"  {'按类别' if zh else 'by category'}{c}"
                     + ", ".join(f"{t(k, lang)} {v}" for k, v in s.by_category.most_common()))
        lines.append(f"  {'按会话' if zh else 'by conversation'}{c}{_top(s.by_conversation)}")
        lines.append(f"  {'按发送者' if zh else 'by sender'}{c}{_top(s.by_sender)}")
        lines.append(f"  {'按先例' if zh else 'by precedent'}{c}{_top(s.by_precedent)}")
    for b in s.bad[:20]:
        lines.append(f"  {'跳过' if zh else 'skipped'} {b.where}: {b.reason}")
    if s.skipped > 20:
        lines.append(f"  … {s.skipped - 20} {'条更多（见 --format json）' if zh else 'more (see --format json)'}")
    return "\n".join(lines)
