"""Not importable by the components of `make run` (on their PYTHONPATH): see ../README.md."""

raise ImportError("rich is a development tool; the components run without it, as in the images")
