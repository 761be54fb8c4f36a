"""Model specifications: the canonical :class:`ModelSpec` and its readers."""

from .loader import list_models, load_model, parse_lavaan, read_toml, resolve_model
from .model import Item, Latent, ModelSpec

__all__ = ["Item", "Latent", "ModelSpec", "list_models", "load_model", "parse_lavaan", "read_toml", "resolve_model"]
