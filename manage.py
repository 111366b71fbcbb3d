#!/usr/bin/env python
from sitecert.cli import main

if __name__ == "__main__":
    main()
