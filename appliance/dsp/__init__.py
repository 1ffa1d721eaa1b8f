SEATS = ("participant", "examiner")
"""Where the test recording's two voices are spoken from, in the guided order (here, in
the package, because the web page needs it without loading numpy)."""
