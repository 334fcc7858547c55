"""Sparring: a difficult-customer simulator and checklist scorer for customer-service trainees.

The engine is plain Python: it knows nothing about Rasa, so it can be unit-tested without a
server and used by the command line. Rasa's custom actions (``actions/``) are a thin adapter.
"""

__version__ = "0.1.0"
