"""Companion: a self-help companion for clients of virtual Intensive Outpatient Programs."""

__version__ = "0.1.0"
