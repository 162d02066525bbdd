"""Framework-free media signals: PDQ for images, vPDQ for videos, MD5/SHA-256, batch hashing."""
