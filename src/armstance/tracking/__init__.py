"""MLflow conventions of DESIGN.md: store, experiment, run tags, metrics, models, registry."""
