"""Hydra configuration: where the config tree lives and the resolvers it uses."""

from __future__ import annotations

from omegaconf import OmegaConf

from armstance.paths import project_root

CONFIG_DIR = project_root() / "configs"


def register_resolvers() -> None:
    if not OmegaConf.has_resolver("armstance_root"):
        OmegaConf.register_new_resolver("armstance_root", lambda: str(project_root()))
