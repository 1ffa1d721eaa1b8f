"""The school-wide view: boxes of one school find each other on the LAN (mDNS/DNS-SD), trust
each other once paired with the school passphrase, and show each other a read-only summary.

trust.py (the pairing key and request signatures), lan.py (announce and discovery),
summary.py (what one box tells the others), peers.py (asking the others), table.py (the rows
for the page and the terminal).
"""
