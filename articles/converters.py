class UnicodeSlugConverter:
    """A slug that may hold letters of any script (Japanese included)."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
