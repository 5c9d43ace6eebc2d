"""`leakguard cases` and `leakguard rules`: browse the precedent library and the lexicon."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..i18n import t
from ..model import LeakguardError
from .app import cli
from .common import lang_option, lexicon_options


def _library(lexicons: tuple[Path, ...], only: tuple[Path, ...]) -> Any:
    from ..cases import load_cases
    from ..paths import data_dir

    paths = list(only) if only else [data_dir("seeds")]
    extra = [p for p in lexicons if _has_cases(p)]
    return load_cases(paths + extra)


def _has_cases(p: Path) -> bool:
    files = sorted(p.glob("*.toml")) if p.is_dir() else [p]
    for f in files:
        try:
            head = f.read_text(encoding="utf-8-sig")
        except OSError:
            continue
        if "[[case]]" in head or "[[source]]" in head:
            return True
    return False


@cli.group("cases", invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@lexicon_options
@click.pass_context
def cases_cmd(ctx: click.Context, fmt: str, lang: str, lexicons: tuple[Path, ...], only: tuple[Path, ...]) -> None:
    """List the precedent cases findings cite (`leakguard cases show ID` for one).

    \b
    Examples:
      leakguard cases
      leakguard --help
      leakguard cases show fuchuan-medical-record --lang en
    """
    ctx.obj = {"fmt": fmt, "lang": lang, "lexicons": lexicons, "only": only}
    if ctx.invoked_subcommand is not None:
        return
    lib = _library(lexicons, only)
    if fmt == "json":
        from ..cases import to_dict

        click.echo(json.dumps([to_dict(c) for c in lib], ensure_ascii=False, indent=2))
        return
    for c in lib:
        indent = "    " if c.parent else ""
        click.echo(f"{indent}{c.id:<34} {c.summary(lang)}")


@cases_cmd.command("show")
@click.argument("case_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default=None)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language (overrides the group option).")
@click.pass_context
def cases_show(ctx: click.Context, case_id: str, fmt: str | None, lang: str | None) -> None:
    """Show one precedent case in full: what happened, where, the channel, the consequence, the source.

    \b
    Examples:
      leakguard cases show jishou-jiaobandan
      leakguard cases show fuchuan-medical-record --lang en
    """
    from ..cases import to_dict

    o = ctx.obj
    lib = _library(o["lexicons"], o["only"])
    case = lib.get(case_id)
    lang = lang or o["lang"]
    if (fmt or o["fmt"]) == "json":
        click.echo(json.dumps(to_dict(case), ensure_ascii=False, indent=2))
        return
    src = lib.source_of(case)
    zh = lang == "zh"
    rows = [
        (("案例", "case"), f"{case.id}" + (f"（属于 {case.parent}）" if zh and case.parent else f" (part of {case.parent})" if case.parent else "")),
        (("标题", "title"), case.title.get(lang)),
        (("概要", "summary"), case.summary(lang)),
        (("日期", "date"), case.date + (f"（{case.date_note.get(lang)}）" if case.date_note else "")),
        (("地点", "place"), case.place.get(lang)),
        (("身份", "role"), case.role.get(lang)),
        (("泄露内容", "what leaked"), case.leaked.get(lang)),
        (("类别", "category"), t(case.category, lang)),
        (("方式", "action"), ", ".join(case.action)),
        (("渠道", "channel"), case.channel_text.get(lang)),
        (("后果", "consequence"), case.consequence.get(lang)),
        (("法律依据", "legal basis"), "；".join(case.legal_basis) if case.legal_basis else "—"),
        (("教训", "lesson"), case.lesson.get(lang)),
        (("来源", "source"), src.citation() + (f" {case.section}" if case.section else "")),
    ]
    if not case.messaging_leak:
        rows.append((("注意", "note"), "此案不是通过消息泄密，只在披露他人健康码等情形时引用" if zh
                     else "not a messaging leak: cited only when someone else's health-code status is disclosed"))
    children = lib.children(case.id)
    if children:
        rows.append((("细分案例", "sub-cases"), ", ".join(c.id for c in children)))
    for (zl, el), value in rows:
        label = zl if zh else el
        click.echo(f"{label}{'：' if zh else ': '}{value}")


@cli.group("rules", invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--cues", is_flag=True, help="Also list the context cues.")
@lang_option
@lexicon_options
@click.pass_context
def rules_cmd(
    ctx: click.Context, fmt: str, cues: bool, lang: str, lexicons: tuple[Path, ...], only: tuple[Path, ...]
) -> None:
    """List the rules (lexicon terms and detectors) by category; `leakguard rules show CODE` for one.

    \b
    Examples:
      leakguard rules
      leakguard rules show DOC101
      leakguard rules --cues --format json
    """
    from .guard import make_scanner

    ctx.obj = {"fmt": fmt, "lang": lang, "lexicons": lexicons, "only": only}
    if ctx.invoked_subcommand is not None:
        return
    rs = make_scanner(lexicons, only, lang).ruleset
    if fmt == "json":
        out: dict[str, Any] = {"rules": [_rule_dict(r) for r in rs.rules]}
        if cues:
            out["cues"] = [_cue_dict(c) for c in rs.cues]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    by_cat: dict[str, list[Any]] = {}
    for r in rs.rules:
        by_cat.setdefault(r.category, []).append(r)
    for cat, rules in by_cat.items():
        click.echo(f"{t(cat, lang)} ({cat})")
        for r in rules:
            what = f"[{r.detector}]" if r.detector else "、".join(r.terms[:6]) + ("…" if len(r.terms) > 6 else "")
            click.echo(f"  {r.code:<8} {t(r.severity, lang):<4} {r.name.get(lang, r.name['zh'])}: {what}")
    if cues:
        click.echo("cues")
        for c in rs.cues:
            click.echo(f"  {c.code:<8} {c.signal:<12} {c.weight:+.1f}  " + "、".join(c.terms[:8]))


def _rule_dict(r: Any) -> dict[str, Any]:
    return {
        "code": r.code, "name": r.name, "category": r.category, "severity": r.severity, "terms": list(r.terms),
        "detector": r.detector, "precedents": list(r.precedents), "advice": r.advice, "features": list(r.features),
        "requires": list(r.requires), "provides": list(r.provides) if r.provides else None,
        "examples": {k: list(v) for k, v in r.examples.items()}, "origin": r.origin,
    }


def _cue_dict(c: Any) -> dict[str, Any]:
    return {
        "code": c.code, "name": c.name, "signal": c.signal, "feature": c.feature, "weight": c.weight,
        "scope": c.scope, "window": c.window, "terms": list(c.terms), "applies_to": list(c.applies_to),
        "origin": c.origin,
    }


@rules_cmd.command("show")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default=None)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language (overrides the group option).")
@click.pass_context
def rules_show(ctx: click.Context, code: str, fmt: str | None, lang: str | None) -> None:
    """Show one rule or cue: what it matches, why it matters, its precedents and examples.

    \b
    Examples:
      leakguard rules show DOC101
      leakguard rules show CTX131 --lang en
    """
    from .guard import make_scanner

    o = ctx.obj
    if fmt:
        o = {**o, "fmt": fmt}
    lang = lang or o["lang"]
    rs = make_scanner(o["lexicons"], o["only"], lang).ruleset
    r = rs.rule(code.upper()) or rs.rule(code)
    if r is None:
        cue = next((c for c in rs.cues if c.code.lower() == code.lower()), None)
        if cue is None:
            import difflib

            close = difflib.get_close_matches(code.upper(), [x.code for x in rs.rules] + [c.code for c in rs.cues], 1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise LeakguardError(f"unknown rule code {code!r}{hint}; see 'leakguard rules'")
        if o["fmt"] == "json":
            click.echo(json.dumps(_cue_dict(cue), ensure_ascii=False, indent=2))
            return
        click.echo(f"{cue.code}  {cue.name.get(lang, cue.name['zh'])}  [{cue.signal} {cue.weight:+.1f}, {cue.scope}]")
        click.echo("  " + "、".join(cue.terms))
        click.echo(f"  {cue.origin}")
        return
    if o["fmt"] == "json":
        click.echo(json.dumps(_rule_dict(r), ensure_ascii=False, indent=2))
        return
    zh = lang == "zh"
    c = "：" if zh else ": "
    click.echo(f"{r.code}  {r.name.get(lang, r.name['zh'])}")
    click.echo(f"  {'类别' if zh else 'category'}{c}{t(r.category, lang)} · {t(r.severity, lang)}")
    if r.detector:
        click.echo(f"  {'检测器' if zh else 'detector'}{c}{r.detector}")
    if r.terms:
        click.echo(f"  {'词条' if zh else 'terms'}{c}{'、'.join(r.terms)}")
    if r.requires:
        click.echo(f"  {'需要语境' if zh else 'needs context'}{c}{', '.join(t(s, lang) for s in r.requires)}")
    for pid in r.precedents:
        case = rs.cases.get(pid)
        if case:
            click.echo(f"  {'先例' if zh else 'precedent'}{c}{case.summary.get(lang, case.summary['zh'])} [{pid}]")
    click.echo(f"  {'建议' if zh else 'instead'}{c}{r.advice.get(lang, r.advice['zh'])}")
    for k, label in (("risky", ("应报", "flags")), ("benign", ("不应报", "passes"))):
        for ex in r.examples.get(k, ()):
            click.echo(f"  {label[0] if zh else label[1]}{c}{ex}")
    click.echo(f"  {r.origin}")
