"""Load a pipeline from `runs:/…`, `models:/name@alias`, `models:/name/N` or a local path."""

from __future__ import annotations

import os
from pathlib import Path

from armstance.errors import ModelNotFoundError
from armstance.pipeline import MANIFEST, ArmstancePipeline

PICKLE_SWITCH = "MLFLOW_ALLOW_PICKLE_DESERIALIZATION"


def load_pipeline(uri: str) -> ArmstancePipeline:
    """A local folder may be a saved pipeline or a downloaded MLflow model. MLflow URIs
    resolve against the tracking URI already set (see tracking.store).

    A model that cannot be loaded (missing, logged as a pickle, or holding a part that
    models.persist does not trust) is a ModelNotFoundError saying why.
    """
    path = Path(uri)
    if path.exists():
        if (path / MANIFEST).is_file():
            return _loaded(uri, lambda: ArmstancePipeline.load(path))
        if not (path / "MLmodel").is_file():
            raise ModelNotFoundError(f"{uri}: neither an MLflow model nor a saved pipeline")
    elif "://" not in uri and not uri.startswith(("runs:", "models:")):
        raise ModelNotFoundError(f"model '{uri}' does not exist (no such file or folder)")
    import mlflow.pyfunc

    # A model logged as a pickle would run whatever code the pickle holds: armstance logs
    # its models from code, so it refuses pickled ones unless the user allows them.
    os.environ.setdefault(PICKLE_SWITCH, "false")
    return _loaded(uri, lambda: mlflow.pyfunc.load_model(uri).unwrap_python_model().pipeline)


def _loaded(uri: str, load) -> ArmstancePipeline:
    from mlflow.exceptions import MlflowException

    try:
        return load()
    except (MlflowException, OSError, ValueError) as exc:
        raise ModelNotFoundError(f"cannot load model '{uri}': {exc}") from exc


def registry_version(uri: str) -> str | None:
    """The registry version a `models:/name/N` or `models:/name@alias` URI names now (the
    alias resolved), None for other URIs. Resolved once, so that the prediction table
    records which version made it even after the alias moves."""
    if not uri.startswith("models:/"):
        return None
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    name, _, rest = uri.removeprefix("models:/").partition("/")
    try:
        if "@" in name:
            name, alias = name.split("@", 1)
            return str(MlflowClient().get_model_version_by_alias(name, alias).version)
        if rest.isdigit():
            return rest
        return None
    except MlflowException as exc:
        raise ModelNotFoundError(f"cannot resolve model '{uri}': {exc}") from exc
