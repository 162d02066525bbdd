"""Operations: health and readiness probes, Prometheus metrics, per-request measurements."""
