"""Contact import from CSV and XLSX files: read, map columns, validate, dry run, run (bulk), report.

- `readers`: CSV (delimiter sniffed, UTF-8 with or without BOM, cp1252 fallback) and XLSX (`xlsx`, a
  streaming reader), a first look (`peek`) for the web request and a full read for the worker, both within
  the caps of `limits`; a first row holding data is not taken for column names;
- `mapping`: the target fields and the mapping suggested from headers (English and French);
- `validation`: each row checked with the contact services' rules, reasons without values;
- `duplicates`: duplicates (database and within the file) and the decision for each row: create, skip, merge;
- `pipeline`: the chunks of a dry run or a run, resumable, each chunk committed with the job's progress;
- `writer`: the bulk path (COPY on PostgreSQL) with history rows;
- `erasure`: people erased while an import is pending are not shown nor re-created by it;
- `services`: the job's steps, which views, the command and the task call, and the jobs' expiry.
"""
