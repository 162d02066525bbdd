"""Evidence packages: a case, or a platform over a period, as a signed ZIP checked offline."""
