"""`armstance predict --engine spark`: the model over the documents in a Spark session.

The driver reads and checks the input (prediction.inputs, as the single process does), so
that bad records become the same error rows. The documents then go to Spark in partitions;
`mlflow.pyfunc.spark_udf` runs the model in the Python workers (env_manager="local": the
workers use this environment), one Arrow batch of `batch_size` documents at a time, and
answers one JSON string per document (prediction.spark_model). Spark parses it and
explodes the actors into the table's rows (`posexplode_outer` keeps documents without
actors and errors as one row); the driver collects the rows as Arrow and the caller adds
the model, passthrough and input-problem columns exactly as for the single process.

Progress is Spark's console progress bar (`spark.ui.showConsoleProgress`): tasks done of
the partitions, on stderr.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from armstance.prediction.table import ERROR, TABLE_SCHEMA
from armstance.schema import SENTIMENTS, STANCES, Document

# The record's probability fields; each label becomes the table column p_<label>.
_PROBA = {"stance_proba": STANCES, "sentiment_proba": SENTIMENTS}
_JUDGEMENT = ("actor", "type", "aliases", "stance", "sentiment", "evidence")
# The armstance record as Spark reads it back from JSON (tracking.pyfunc.result_record).
RECORD_TYPE = (
    "doc_id string, lang string, error string, actors array<struct<actor: string, "
    "type: string, aliases: array<string>, stance: string, sentiment: string, "
    "evidence: array<string>, "
    + ", ".join(
        f"{name}: struct<{', '.join(f'`{label}`: double' for label in labels)}>"
        for name, labels in _PROBA.items()
    )
    + ">>"
)


@dataclass(frozen=True)
class SparkOptions:
    master: str = "local[*]"
    batch_size: int = 32
    """Documents per Arrow batch (spark.sql.execution.arrow.maxRecordsPerBatch)."""
    task_cpus: int = 1
    """spark.task.cpus; each worker's torch uses as many threads."""
    partitions: int | None = None
    """Default: four per task slot (capped at the number of documents)."""


@dataclass(frozen=True)
class LoadReport:
    """How often the Python workers loaded the armstance model (local masters only)."""

    loads: int
    processes: int
    mean_seconds: float

    def __str__(self) -> str:
        return (
            f"model loaded {self.loads} times in {self.processes} Python worker processes "
            f"({self.mean_seconds:.1f} s each on average)"
        )


def session(options: SparkOptions):
    """A Spark session for prediction; on a local master the workers run this Python."""
    from pyspark.sql import SparkSession

    if options.master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # One line per file of the model copied to the workers' folder is noise, not progress.
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    builder = (
        SparkSession.builder.master(options.master)
        .appName("armstance-predict")
        .config("spark.task.cpus", str(options.task_cpus))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(options.batch_size))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "true")
        .config("spark.ui.enabled", "false")
    )
    spark = builder.getOrCreate()
    # Spark's INFO/WARN lines would bury the progress bar; errors still show.
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def json_model(model_uri: str, folder: Path, config: dict) -> Path:
    """Save the workers' model (spark_model.JsonRecords) around the downloaded armstance
    model, in `folder`, with its `config` (torch_threads, load_log); returns its path."""
    import mlflow.artifacts
    import mlflow.pyfunc

    from armstance.prediction.spark_model import MODEL_CODE
    from armstance.tracking.pyfunc import SIGNATURE

    inner = mlflow.artifacts.download_artifacts(model_uri, dst_path=str(folder / "download"))
    path = folder / "json_model"
    with warnings.catch_warnings():
        # An input example would make MLflow run the model here, on the driver, for nothing.
        warnings.filterwarnings("ignore", ".*An input example was not provided", UserWarning)
        mlflow.pyfunc.save_model(
            path=str(path),
            python_model=str(MODEL_CODE),
            artifacts={"model": inner},
            model_config=config,
            signature=SIGNATURE,
            # Run here and by workers in this environment (env_manager="local"): nothing to
            # pin, and inferring the requirements would import-trace the model.
            pip_requirements=[],
        )
    return path


def _frame(documents: list[Document]):
    import pandas as pd

    return pd.DataFrame(
        {
            "_pos": range(len(documents)),
            "doc_id": [d.doc_id for d in documents],
            "text": [d.text for d in documents],
            "lang": [d.lang for d in documents],
        }
    )


def _exploded(frame, predict):
    """One row per (document, actor) in the table's core columns, plus _pos and _actor."""
    from pyspark.sql import functions as F

    record = F.from_json(predict(F.struct("doc_id", "text", "lang")), RECORD_TYPE)
    judged = frame.select("_pos", record.alias("r")).select(
        "_pos", "r.doc_id", "r.lang", "r.error", F.posexplode_outer("r.actors").alias("_actor", "a")
    )
    probas = [
        F.col(f"a.{name}.`{label}`").alias(f"p_{label}")
        for name, labels in _PROBA.items()
        for label in labels
    ]
    judgement = [F.col(f"a.{c}").alias(c) for c in _JUDGEMENT]
    return judged.select("_pos", "_actor", "doc_id", "lang", *judgement, *probas, "error")


def predict_with_spark(
    model_uri: str, documents: list[Document], options: SparkOptions
) -> tuple[pa.Table, LoadReport | None]:
    """The core table (TABLE_SCHEMA's core columns and `error`, model columns empty) of
    `documents`, in their order, actors in the model's order; and how the model loaded."""
    import mlflow.pyfunc

    schema = pa.schema([*TABLE_SCHEMA, ERROR])
    if not documents:
        return schema.empty_table(), None
    # Verified by the identity test (tests/test_spark_predict.py) with the pinned pandas 3:
    # the paths used here (pandas_udf through spark_udf, toArrow) give the single process's
    # table; PySpark warns on every call that it does not yet fully support pandas 3.
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    spark = session(options)
    try:
        with tempfile.TemporaryDirectory(prefix="armstance-spark-") as tmp:
            load_log = None
            if options.master.startswith("local"):
                load_log = Path(tmp) / "loads"
                load_log.mkdir()
            config = {
                "torch_threads": options.task_cpus,
                "load_log": str(load_log) if load_log else None,
            }
            model = json_model(model_uri, Path(tmp), config)
            with _quiet("mlflow.pyfunc", "mlflow.models.flavor_backend_registry"):
                # It would recommend conda: the workers share this environment on purpose.
                predict = mlflow.pyfunc.spark_udf(
                    spark, str(model), result_type="string", env_manager="local"
                )
            slots = max(1, spark.sparkContext.defaultParallelism // options.task_cpus)
            partitions = options.partitions or max(1, min(len(documents), 4 * slots))
            columns = "_pos long, doc_id string, text string, lang string"
            frame = spark.createDataFrame(_frame(documents), columns).repartition(partitions)
            rows = _exploded(frame, predict).toArrow()
            report = _load_report(load_log) if load_log else None
    finally:
        spark.stop()
    order = pc.sort_indices(rows, [("_pos", "ascending"), ("_actor", "ascending")])
    rows = rows.take(order)
    columns = [
        rows.column(f.name).cast(f.type)
        if f.name in rows.column_names
        else pa.nulls(rows.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema), report


@contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """Only errors from these loggers for the duration."""
    levels = {name: logging.getLogger(name).level for name in loggers}
    for name in loggers:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _load_report(folder: Path) -> LoadReport | None:
    records = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")]
    if not records:
        return None
    return LoadReport(
        loads=len(records),
        processes=len({r["pid"] for r in records}),
        mean_seconds=sum(r["seconds"] for r in records) / len(records),
    )
