"""The whole pipeline (extractor + models) as one MLflow pyfunc model.

The model is logged from code (tracking/model_code.py), its parts as skops, safetensors
and JSON files (models/persist.py): nothing logged is a pickle, so loading a version from
a shared registry runs only the package's own code.
"""

from __future__ import annotations

import tempfile
from importlib.metadata import requires
from pathlib import Path

import mlflow
import pandas as pd
from mlflow.models import ModelSignature
from mlflow.pyfunc import PythonModel
from mlflow.types import ColSpec, Schema

from armstance.errors import DocumentError
from armstance.pipeline import ArmstancePipeline
from armstance.tracking.frame_input import documents_from_frame

INPUT_SCHEMA = Schema(
    [
        ColSpec("string", "doc_id"),
        ColSpec("string", "text"),
        ColSpec("string", "lang", required=False),
    ]
)
SIGNATURE = ModelSignature(inputs=INPUT_SCHEMA)
MODEL_CODE = Path(__file__).with_name("model_code.py")
INPUT_EXAMPLE = pd.DataFrame(
    [
        {
            "doc_id": "example-1",
            "lang": "en",
            "text": "Germany said it would send more tanks to Ukraine, while Russia warned "
            "the West against further deliveries.",
        }
    ]
)


def result_record(result) -> dict:
    if isinstance(result, DocumentError):
        return {"doc_id": result.doc_id, "error": result.problem}
    return result.model_dump(mode="json")


class ArmstanceModel(PythonModel):
    """pyfunc face of ArmstancePipeline: a frame of documents in, one record per document.

    A record that does not match the signature fails the whole call (tracking.frame_input);
    a document that cannot be judged comes back as {"doc_id", "error"} in its place.
    """

    def load_context(self, context) -> None:
        self.pipeline = ArmstancePipeline.load(context.artifacts["pipeline"])

    def predict(self, context, model_input: pd.DataFrame, params=None) -> list[dict]:
        return [result_record(r) for r in self.pipeline.predict(documents_from_frame(model_input))]


def _requirements() -> list[str]:
    # The project's own pins; inferring them would import-trace the model (slow, partial).
    return [r.split(";")[0].strip() for r in requires("armstance") or [] if "extra ==" not in r]


def log_pipeline(pipeline: ArmstancePipeline, model_card: str) -> str:
    """Log the pipeline as the run's `model`; returns its model URI."""
    package = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        pipeline.save(Path(tmp) / "pipeline")
        (Path(tmp) / "pipeline" / "MODEL_CARD.md").write_text(model_card, encoding="utf-8")
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=str(MODEL_CODE),
            artifacts={"pipeline": str(Path(tmp) / "pipeline")},
            code_paths=[str(package)],
            signature=SIGNATURE,
            input_example=INPUT_EXAMPLE,
            pip_requirements=_requirements(),
        )
    mlflow.log_text(model_card, "MODEL_CARD.md")
    return info.model_uri
