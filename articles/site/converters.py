class UnicodeSlugConverter:
    """A slug that may hold letters of any script (Japanese included)."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class FixedWidthNumber:
    """A date part written with a fixed number of digits: 2026/05/09, never 2026/5/009."""

    width = 2

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):0{self.width}d}"


class YearConverter(FixedWidthNumber):
    regex = r"[1-9][0-9]{3}"
    width = 4


class MonthConverter(FixedWidthNumber):
    regex = r"0[1-9]|1[0-2]"


class DayConverter(FixedWidthNumber):
    regex = r"0[1-9]|[12][0-9]|3[01]"
