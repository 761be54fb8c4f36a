"""Item weights, respondent latent scores on 0-100, and unit indexes (and their batched forms)."""

from .scores import (
    index_from_means, item_weights, item_weights_batch, latent_scores, observed_scores, rescale, unit_index, weighted_mean_se,
)

__all__ = ["index_from_means", "item_weights", "item_weights_batch", "latent_scores", "observed_scores", "rescale",
           "unit_index",
           "weighted_mean_se"]
