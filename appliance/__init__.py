"""Exam-room recorder appliance: the official audio record of the final oral interview."""

__version__ = "0.1.0"
