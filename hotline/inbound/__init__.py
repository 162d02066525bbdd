"""The email hotline's inbound side: hotline's own SMTP server, an IMAP poller, and the parser."""
