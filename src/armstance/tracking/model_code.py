"""The file MLflow runs to build the logged pyfunc model ("models from code").

Logging stores this file instead of a pickled Python object; loading runs it with the
model's copy of the package on the path, and the model reads its parts from the logged
artifacts (skops, safetensors, JSON) in `load_context`.
"""

import mlflow

from armstance.tracking.pyfunc import ArmstanceModel

mlflow.models.set_model(ArmstanceModel())
