"""A unit classifier from its model config, for any label set: the entry of a run's
`model` config and of each member of an ensemble."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from armstance.models.base import UnitClassifier
from armstance.models.calibration import calibrated

MODEL_METADATA = ("name", "vocabulary")
"""Model config keys that describe the model rather than configure it."""


def as_dict(config: Mapping[str, Any] | DictConfig) -> dict[str, Any]:
    if isinstance(config, DictConfig):
        return OmegaConf.to_container(config, resolve=True)
    return dict(config)


def build_model(config: Mapping[str, Any] | DictConfig, labels: Sequence[str]) -> UnitClassifier:
    """Instantiate the configured classifier (`name` and `vocabulary` are metadata),
    wrapped for `calibration` (none, temperature, isotonic) where configured."""
    params = {k: v for k, v in as_dict(config).items() if k not in MODEL_METADATA}
    method = params.pop("calibration", "none")
    # Ensembles build their members from configs themselves (`_recursive_` off).
    return calibrated(instantiate(params, labels=list(labels), _convert_="all"), method)
