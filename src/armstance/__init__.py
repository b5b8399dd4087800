"""armstance: actors, their stance toward arming Ukraine, and sentiment toward them, in news."""

__version__ = "0.1.0"
