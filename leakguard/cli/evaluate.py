"""`leakguard eval`: precision, recall and precedent match on labelled drafts."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .app import cli
from .common import lexicon_options
from .guard import make_scanner


@cli.command("eval", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--predictions", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write one prediction per item (id, label, precedent, category, score) as JSONL.")
@lexicon_options
def eval_cmd(
    file: Path, fmt: str, predictions: Path | None, lexicons: tuple[Path, ...], only: tuple[Path, ...]
) -> int:
    """Score leakguard on labelled drafts: JSONL lines with id, text, label (risky|benign), category, precedent.

    \b
    Prints precision, recall, F1, benign pass rate, per-category recall, precedent-match rate and the
    misclassified ids.  Any warning counts as 'risky'.

    \b
    Example:
      leakguard eval my_drafts.jsonl --format json
    """
    from ..evaluate import evaluate, read_items, render

    scanner = make_scanner(lexicons, only, "zh")
    from ..evaluate import Prediction

    preds: list[Prediction] = []
    rep = evaluate(scanner, list(read_items(file)), preds)
    if predictions is not None:
        from ..atomic import write_atomic

        write_atomic(predictions, "".join(
            json.dumps({"id": p.id, "label": p.label, "precedent": p.precedent, "category": p.category,
                        "score": round(p.score, 3)}, ensure_ascii=False) + "\n" for p in preds))
    if fmt == "json":
        click.echo(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(rep))
    return 0
