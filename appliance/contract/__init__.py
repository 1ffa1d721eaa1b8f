"""What the recorder promises everyone else, in the standard library only.

The bottom layer of the package (docs/ARCHITECTURE.md): the day on disk (`layout`), the one
replay of a day's journal into a read-only view (`dayview`), the audit journal (`audit`), and
the control vocabulary shared by the recorder, the CLI, the web page, the LEDs and the serial
panel (`vocabulary`, `status`). Nothing here imports numpy or any other layer of the package,
so the web page and `verify` can use it without loading the recorder.
"""
