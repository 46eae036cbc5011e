"""Suite-wide settings.

`cohort run` prints letters.pdf with headless Chromium when it is installed; the
end-to-end tests don't need it and it costs seconds per practice, so runs started
by the suite skip PDFs (COHORT_PDF=never). The PDF tests call the renderer directly.
"""

import os

os.environ.setdefault("COHORT_PDF", "never")
