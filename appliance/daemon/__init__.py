"""The recorder process assembled: its composition root.

`process.run_recorder` wires the recorder (microphone, session, journal, writer), the
examiner's hardware (button, LEDs, serial panel), the USB drive's export and the control
socket, and `purge_command` is the recorder's side of deleting old days. This is the one
package that may import both the recorder and the export (docs/ARCHITECTURE.md); the recorder
itself never imports the export, the web page or the CLI.
"""
