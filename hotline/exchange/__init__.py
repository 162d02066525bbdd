"""Hash exchange with the rest of the ecosystem: the formats other hash-sharing systems speak.

Framework-free (an import-linter contract): `records` (what a line of a file says), `readers`
(streaming iterators over ThreatExchange, HMA, StopNCII, NCMEC and hotline's own CSV, one row
or one bad line at a time, with its line number), `writers` (the same formats out, deletions
included where the format can say them), and `tx` (a python-threatexchange extension that
fetches a hotline bank's feed; it needs the optional `threatexchange` package). The Django side,
which turns rows into bank entries and bank changes into records, is `hotline.banks.exchange`.
See docs/exchange.md.
"""
