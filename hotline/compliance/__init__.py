"""The read side: per-platform accountability metrics, reports and exports."""
