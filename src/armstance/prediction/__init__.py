"""Using a trained model: reading articles, predicting in batches, the `armstance predict`
command, its readable table, and serving over HTTP."""
