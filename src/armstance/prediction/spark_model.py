"""The model Spark's Python workers run: a registered armstance model, its answer as one JSON
string per document.

`mlflow.pyfunc.spark_udf` can return strings, arrays and structs, but the armstance model
answers a list of records whose fields differ between judged documents and errors, which
spark_udf cannot turn into a column (it takes the first column of the frame it builds). So
the engine saves this small pyfunc model from code (no pickle) around the downloaded
armstance model, and spark_udf runs it: the armstance model's own `predict`, signature
checks included, then `json.dumps` per record.

Loading: spark_udf loads the model it is given once per task on a `local` master and once
per Python worker elsewhere (its SparkModelCache). The armstance model inside is kept in
this module, keyed by its folder, so that it is loaded once per Python worker process on any
master (workers are reused between tasks: `spark.python.worker.reuse`, on by default).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
from mlflow.pyfunc import PythonModel

MODEL_CODE = Path(__file__).with_name("spark_model_code.py")
_LOADED: dict[str, Any] = {}  # armstance model folder -> loaded PyFuncModel, per process


def load_once(path: str, load_log: str | None) -> Any:
    """The armstance pyfunc model in `path`, loaded on the first call in this process.

    With `load_log` (a folder the driver can read: a local master), each load leaves a
    file there (process id, seconds), from which the driver reports how often it loaded.
    """
    if path not in _LOADED:
        import mlflow.pyfunc

        started = time.perf_counter()
        _LOADED[path] = mlflow.pyfunc.load_model(path)
        if load_log:
            record = {"pid": os.getpid(), "seconds": time.perf_counter() - started}
            name = f"{os.getpid()}-{uuid.uuid4().hex[:8]}.json"
            (Path(load_log) / name).write_text(json.dumps(record), encoding="utf-8")
    return _LOADED[path]


class JsonRecords(PythonModel):
    """Frame of documents in, one JSON string per document out (the armstance record)."""

    def load_context(self, context) -> None:
        config = context.model_config or {}
        threads = config.get("torch_threads")
        if threads:
            import torch

            # One task gets spark.task.cpus cores: its model uses as many threads.
            torch.set_num_threads(int(threads))
        self.model = load_once(context.artifacts["model"], config.get("load_log"))

    def predict(self, context, model_input: pd.DataFrame, params=None) -> list[str]:
        records = self.model.predict(model_input)
        return [json.dumps(record, ensure_ascii=False) for record in records]
