"""The browser app's presentation code, below `app.py` (which builds and launches the page).

`webui.render` turns answers and findings into HTML, `webui.sessions` holds a session's state
and what it may read, `webui.handlers` is what the page's controls do, `webui.page_view` draws
the printed page of a citation or a finding (原文页面).
"""

import os

# As in app.py: Gradio's and Chroma's telemetry stay off, even when webui is imported first.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
