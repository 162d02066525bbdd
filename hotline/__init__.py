"""hotline: rapid takedown of non-consensual intimate imagery, with evidence."""
