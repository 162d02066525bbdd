"""Each system's name for hotline's three signal types (pdq, md5, sha256).

hotline's MD5 and SHA-256 are digests of a file's bytes, image or video. python-threatexchange
and HMA name those signal types `video_md5` and `video_sha256`; ThreatExchange's indicator
types are HASH_PDQ, HASH_MD5, HASH_SHA256 (and HASH_VIDEO_MD5, HASH_VIDEO_SHA256); StopNCII
says ImagePDQ and VideoMD5 and has no SHA-256; NCMEC's fingerprints are <pdq> and <md5>
(it has SHA-1 and PhotoDNA, which hotline does not compute, and no SHA-256).
"""

# What hotline writes.
TX_NAME = {"pdq": "pdq", "md5": "video_md5", "sha256": "video_sha256"}
TE_TYPE = {"pdq": "HASH_PDQ", "md5": "HASH_MD5", "sha256": "HASH_SHA256"}
STOPNCII_TYPE = {"pdq": "ImagePDQ", "md5": "VideoMD5"}
NCMEC_FINGERPRINT = {"pdq": "pdq", "md5": "md5"}

# What hotline reads (case-insensitive for the first two).
FROM_TX = {
    "pdq": "pdq",
    "video_md5": "md5",
    "photo_md5": "md5",
    "md5": "md5",
    "video_sha256": "sha256",
    "sha256": "sha256",
}
FROM_TE = {
    "hash_pdq": "pdq",
    "hash_md5": "md5",
    "hash_video_md5": "md5",
    "hash_sha256": "sha256",
    "hash_video_sha256": "sha256",
}
FROM_STOPNCII = {"ImagePDQ": "pdq", "VideoMD5": "md5"}
FROM_NCMEC = {"pdq": "pdq", "md5": "md5"}
