"""Reading reports: loaders, the document model (sections, tables, figures, chunks) and the stores."""

from pathlib import Path

__all__ = ["SAMPLE_REPORT"]

#: The bundled sample report, 2023年度米易县人民政府办公室部门决算 (the app ingests it on first start).
SAMPLE_REPORT = Path(__file__).resolve().parent / "samples" / "2023年度米易县人民政府办公室部门决算.txt"
