"""Victims' own side: a case filed from hashes made on her device, followed by number and PIN."""
