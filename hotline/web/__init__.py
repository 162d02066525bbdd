"""The server-rendered web interface for reporters, platform moderators and readers of reports."""
