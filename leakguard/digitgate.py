"""The digit stretch inside every ID, phone and bank card number (no imports).

The digit detectors (``detectors.numbers``) find their numbers inside such a stretch, or as a
landline with its area code in brackets; ``GATE`` is that necessary condition
(``detectors.PREFILTERS`` for the four digit kinds).  The scanner tests it before loading the
detectors, so a draft without such a stretch never imports them.
"""

SPACE = "[ \u00a0\u3000]"
DASH = "[-\u2010-\u2015\u2212]"
STRETCH = rf"[0-9](?:[0-9]|{SPACE}|{DASH}){{8,}}[0-9xX]"
GATE = rf"{STRETCH}|\({SPACE}?0[1-9]"
