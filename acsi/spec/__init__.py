"""Model specifications: the canonical :class:`ModelSpec` and its readers."""

from .loader import list_models, load_model, model_options, parse_lavaan, read_toml, resolve_model
from .model import Item, Latent, ModelSpec
from .partable import Layout, ParTable, build_partable

__all__ = ["Item", "Latent", "Layout", "ModelSpec", "ParTable", "build_partable", "list_models", "load_model", "model_options", "parse_lavaan", "read_toml", "resolve_model"]
