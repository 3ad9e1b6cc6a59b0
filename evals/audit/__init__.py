"""The auditors' rule suite: what `juesuan check` and the review tab run.

registry (rules and how they are registered), findings (what a rule reports), intervals
(display-rounding arithmetic), rules/ (the catalogue), check (running the rules), inputs (a file,
folder or stored id to check), pairing (last year's report), report_formats (markdown, HTML, XLSX,
JSON), catalogue (docs/rules.md from the registry). The CLI and the app both use these.
It needs `index/` only: nothing here imports `rag/` or the self-measurements of `evals.quality`.
"""
