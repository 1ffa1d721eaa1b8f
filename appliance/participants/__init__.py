"""Participants of the day: roster, markers tied to participants, intro check, room sheet."""
