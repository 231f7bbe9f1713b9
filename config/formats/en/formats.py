# Dates that read the same in every country: "2 Dec 2026, 01:47", never "12/02/2026 1:47 a.m.".
# Pages, tables and history use these; files (CSV, spreadsheets, the API) use ISO 8601.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
