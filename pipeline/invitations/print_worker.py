"""A PDF worker process: ``python -m pipeline.invitations.print_worker letters.html ...``
prints each letters.html to the PDF beside it with WeasyPrint (pipeline/invitations/pdf.py)."""

import sys
from pathlib import Path

from pipeline.invitations.pdf import weasyprint_pdf

if __name__ == "__main__":
    for name in sys.argv[1:]:
        weasyprint_pdf(Path(name))
