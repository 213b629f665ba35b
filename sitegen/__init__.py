"""sitegen: a static site generator for fact-check timelines."""

__version__ = "0.1.0"

DISTRIBUTION = "sitegen-timelines"
"""The name pip installs this project by; `sitegen` on PyPI is somebody else's package."""

REQUIREMENT = f"{DISTRIBUTION}=={__version__}"
"""What deploy recipes install: exactly this project, pinned."""
