# An English-language paper's dateline, month written out: December 8, 2026, 9:05 a.m. ("P" says
# "noon" and "midnight", and leaves ":00" out, as the AP stylebook does).
DATETIME_FORMAT = "F j, Y, P"
