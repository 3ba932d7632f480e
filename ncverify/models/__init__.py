"""The mathematical objects every check shares: one home for each (DESIGN.md, "models")."""

from ncverify.models.constructions import (
    block_lowrank_class_means,
    dnc_class_means,
    dnc_fit,
    dnc_singular_values,
    lowrank_fit,
    lowrank_singular_values,
)
from ncverify.models.deep_ufm import (
    deep_linear_output,
    deep_linear_ufm_loss,
    dufm_features,
    dufm_loss,
    dufm_output,
    lemma1_parameters,
    relu,
)
from ncverify.models.etf import class_labels, expand_classes, label_matrix, simplex_etf
from ncverify.models.losses import mean_cross_entropy, mse_fit
from ncverify.models.schatten import (
    balanced_factorization,
    balanced_factors_from_svd,
    dnc_loss,
    factor_penalty,
    lowrank_loss,
    schatten_penalty,
    validate_ufm,
)

__all__ = [
    "balanced_factorization",
    "balanced_factors_from_svd",
    "block_lowrank_class_means",
    "class_labels",
    "deep_linear_output",
    "deep_linear_ufm_loss",
    "dufm_features",
    "dufm_loss",
    "dufm_output",
    "dnc_class_means",
    "dnc_fit",
    "dnc_loss",
    "dnc_singular_values",
    "expand_classes",
    "factor_penalty",
    "label_matrix",
    "lemma1_parameters",
    "lowrank_fit",
    "lowrank_loss",
    "lowrank_singular_values",
    "mean_cross_entropy",
    "mse_fit",
    "relu",
    "schatten_penalty",
    "simplex_etf",
    "validate_ufm",
]
