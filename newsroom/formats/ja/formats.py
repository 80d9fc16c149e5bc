# A Japanese paper dates a story to the minute, the time after a space: 2026年12月8日 9:05
# (Django's own has no space: 2026年12月8日9:05).
DATETIME_FORMAT = "Y年n月j日 G:i"
