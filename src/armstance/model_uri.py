"""Load a pipeline from `runs:/…`, `models:/name@alias`, `models:/name/N` or a local path."""

from __future__ import annotations

from pathlib import Path

from armstance.pipeline import MANIFEST, ArmstancePipeline


class ModelNotFoundError(FileNotFoundError):
    pass


def load_pipeline(uri: str) -> ArmstancePipeline:
    """A local folder may be a saved pipeline or a downloaded MLflow model. MLflow URIs
    resolve against the tracking URI already set (see tracking.store)."""
    path = Path(uri)
    if path.exists():
        if (path / MANIFEST).is_file():
            return ArmstancePipeline.load(path)
        if not (path / "MLmodel").is_file():
            raise ModelNotFoundError(f"{uri}: neither an MLflow model nor a saved pipeline")
    elif "://" not in uri and not uri.startswith(("runs:", "models:")):
        raise ModelNotFoundError(f"model '{uri}' does not exist (no such file or folder)")
    import mlflow.pyfunc
    from mlflow.exceptions import MlflowException

    try:
        model = mlflow.pyfunc.load_model(uri)
    except (MlflowException, OSError) as exc:
        raise ModelNotFoundError(f"cannot load model '{uri}': {exc}") from exc
    return model.unwrap_python_model().pipeline
