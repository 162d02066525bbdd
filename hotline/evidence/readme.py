"""README.txt of every package: what each file is and how to check it, in both languages."""

README = """hotline evidence package / hotline 증거 자료

summary.pdf        A summary in Korean and English (fonts embedded). / 한국어·영어 요약.
items.json         Every item: URL, notice, deadline, each delivery with the receiver's answer,
                   each action with its actor and reason, each verification check with its
                   time, status and body digest. No media bytes. / 항목별 전체 기록(미디어 없음).
audit-events.json  The signed audit events about these items and notices. / 서명된 감사 기록.
checkpoint.json    A signed checkpoint of the whole audit record that covers those events.
manifest.json      The SHA-256 of every other file. / 모든 파일의 SHA-256.
manifest.sig       The Ed25519 signature of manifest.json by hotline's audit key.

Check it offline with only hotline's public audit key / 공개키만으로 오프라인 검증:

    hotline evidence verify PACKAGE.zip --public-key hotline-audit.pub

Each file is reported "ok" or named with what is wrong with it.
Later, `hotline audit verify --checkpoint checkpoint.json` on the live system proves that the
record still holds exactly what this package's checkpoint covered.
"""
