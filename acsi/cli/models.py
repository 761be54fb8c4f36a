"""``acsi models [-v]``: the shipped models."""

from __future__ import annotations

import argparse

__all__ = ["register", "run", "add_model_arguments", "model_from_args"]

_MODEL_HELP = "shipped model name, .toml file or lavaan text file (default: acsi)"


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--model M`` and ``--model-option NAME=VALUE`` (repeatable: the model file's
    ``[option.NAME]`` choices, e.g. ``--model-option complaint=yes_no`` for ACSI's yes/no question)."""
    parser.add_argument("--model", default="acsi", help=_MODEL_HELP)
    parser.add_argument("--model-option", action="append", default=[], metavar="NAME=VALUE",
                        help="an option of a TOML model (its [option.NAME] tables; `acsi models -v` lists them), "
                             "e.g. complaint=yes_no for ACSI's yes/no complaint question; repeatable")


def model_from_args(args: argparse.Namespace):
    """``args.model`` as given, or the model loaded with its ``--model-option`` choices."""
    from ..errors import InvalidParameterError
    from ..spec import load_model

    pairs = list(getattr(args, "model_option", None) or [])
    if not pairs:
        return args.model
    options = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InvalidParameterError(f"--model-option {pair!r}: write NAME=VALUE, e.g. --model-option complaint=yes_no")
        if name.strip() in options:
            raise InvalidParameterError(f"--model-option {name.strip()!r} is given twice; give each option once")
        options[name.strip()] = value.strip()
    return load_model(args.model, **options)


def register(sub):
    m = sub.add_parser("models", help="list the shipped models", description="List the models shipped with acsi.")
    m.add_argument("-v", "--verbose", action="store_true", dest="describe", help="show latents, items and paths")
    m.set_defaults(func=run)
    return m


def run(args) -> int:
    from ..spec import list_models, load_model, model_options

    for name in list_models():
        spec = load_model(name)
        if args.describe:
            print(spec.describe())
            for opt, (default, values) in model_options(name).items():
                print(f"  option --model-option {opt}=VALUE: {', '.join(values)} (default {default})")
            print()
        else:
            print(f"{name:<12} {spec.title}  [{len(spec.latents)} latents, {len(spec.items)} items, headline {spec.headline}]")
    return 0
