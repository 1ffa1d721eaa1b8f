"""Exam-room recorder appliance: the official audio record of the final oral interview."""

import os

__version__ = "0.1.0"

# One OpenBLAS thread per calling thread, set before anything imports numpy: the appliance's
# dot products are small, the recorder keeps its threads on one core and the file check scans
# in one process per core; OpenBLAS's own pool would only contend with them.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
