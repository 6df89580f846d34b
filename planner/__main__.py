"""``python -m planner ...`` is the ``planner`` command."""
from .cli import main

main()
