"""Item weights, respondent latent scores on 0-100, and unit indexes."""

from .scores import item_weights, latent_scores, unit_index, weighted_mean_se

__all__ = ["item_weights", "latent_scores", "unit_index", "weighted_mean_se"]
