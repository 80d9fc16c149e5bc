"""The demo newsroom: its content (content.yaml) and the pictures drawn for it (drawings.py)."""
