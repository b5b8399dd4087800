"""Unit classifiers: one small interface so a config swap changes the model and nothing else."""
