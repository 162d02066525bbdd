#!/usr/bin/env python
"""Django's command-line utility; `hotline` is the same thing, installed as a console script."""

from hotline.cli import main

if __name__ == "__main__":
    main()
