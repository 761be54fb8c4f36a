"""``acsi models [-v]``: the shipped models."""

from __future__ import annotations

__all__ = ["register", "run"]


def register(sub):
    m = sub.add_parser("models", help="list the shipped models", description="List the models shipped with acsi.")
    m.add_argument("-v", "--verbose", action="store_true", dest="describe", help="show latents, items and paths")
    m.set_defaults(func=run)
    return m


def run(args) -> int:
    from ..spec import list_models, load_model

    for name in list_models():
        spec = load_model(name)
        if args.describe:
            print(spec.describe())
            print()
        else:
            print(f"{name:<12} {spec.title}  [{len(spec.latents)} latents, {len(spec.items)} items, headline {spec.headline}]")
    return 0
