"""Hydra entry points, one per job: `python -m armstance.jobs.<name>` (or the shorter
`python -m armstance.<name>`). A job composes its configuration and orchestrates; what it
does lives in the packages, and no module imports from a job."""
