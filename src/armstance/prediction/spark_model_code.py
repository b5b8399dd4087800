"""The file MLflow runs to build the Spark workers' model (models from code, no pickle)."""

import mlflow

from armstance.prediction.spark_model import JsonRecords

mlflow.models.set_model(JsonRecords())
