"""End-to-end tests: the simulator, a real Home Assistant and its web UI in headless Chromium."""
