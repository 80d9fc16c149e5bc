import time


class Progress:
    """A counter on a terminal, redrawn at most ten times a second; silent elsewhere."""

    def __init__(self, total: int, *, stream, label: str):
        self.total, self.stream, self.label = total, stream, label
        self.done, self.shown_at = 0, 0.0
        self.live = stream.isatty() and total > 1

    def __enter__(self):
        return self

    def clear(self):
        """Wipe the counter's line, so that a message can be printed on a line of its own."""
        if self.live and self.shown_at:
            self.stream.write("\r\033[K")

    def step(self):
        self.done += 1
        now = time.monotonic()
        if self.live and (now - self.shown_at > 0.1 or self.done == self.total):
            self.stream.write(f"\r{self.label} {self.done:,}/{self.total:,}")
            self.stream.flush()
            self.shown_at = now

    def __exit__(self, *exc):
        if self.live:
            self.stream.write("\n")
