# The same unambiguous shape as in English, months in lower case as French writes them: "2 déc 2026, 01:47".
# Pages, tables and history use these; files (CSV, spreadsheets, the API) use ISO 8601.
DATE_FORMAT = "j b Y"
SHORT_DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
SHORT_DATETIME_FORMAT = "j b Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
